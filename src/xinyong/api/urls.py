"""The Ninja API: one NinjaAPI, assembled from each app's router."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from xinyong.collection.api import router as batches_router
from xinyong.measures.api import router as checks_router
from xinyong.portal.api import router as public_router

api = NinjaAPI(
    title="xinyong API",
    version="1",
    description="Public credit information platform (公共信用信息平台) API.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)
api.add_router("/v1/public/", public_router)
api.add_router("/v1/batches", batches_router)
api.add_router("/v1/checks", checks_router)


@api.exception_handler(OperationalError)
def database_unavailable(request, exc):
    """A locked (SQLite: another process writing a large batch) or unreachable database is a
    reason to retry later, not a server error."""
    response = api.create_response(
        request, {"detail": _("the database is busy or unavailable; retry in a minute")},
        status=503)
    response["Retry-After"] = "60"
    return response


@api.exception_handler(RequestDataTooBig)
def request_too_large(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    return api.create_response(
        request, {"detail": _("the request body is larger than %(limit)s MiB; send the rows "
                              "in several batches") % {"limit": limit}}, status=413)
