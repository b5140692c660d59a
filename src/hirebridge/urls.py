from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from hirebridge.api import api
from hirebridge.web import health

admin.site.site_header = "hirebridge administration"
admin.site.site_title = "hirebridge"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # One way in: the admin's own login form would skip the two-factor step.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("v1/", api.urls),
    path("linkedin/", include("hirebridge.linkedin.urls")),
    path("", include("hirebridge.web.urls")),
]
