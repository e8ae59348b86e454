"""The Ninja API: one NinjaAPI, assembled from each app's router."""

from ninja import NinjaAPI

from xinyong.subjects.api import router as subjects_router

api = NinjaAPI(
    title="xinyong API",
    version="1",
    description="Public credit information platform (公共信用信息平台) API.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
api.add_router("/v1/subjects/", subjects_router)
