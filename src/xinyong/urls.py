from django.contrib import admin
from django.urls import include, path

from xinyong.api.urls import api
from xinyong.core.views import healthz

admin.site.site_header = admin.site.site_title = "信用青岛 · 管理后台"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("console/", include("xinyong.console.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("xinyong.portal.urls")),
]
