"""URL map: the web pages, the JSON API at /api/v1, the OpenAI-compatible API at /v1 and the admin."""

from django.contrib import admin
from django.urls import include, path, re_path

from nanobananas.config.api import api, api_not_found
from nanobananas.studio.openai_api import openai_api

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<path>.*)$", api_not_found),
    path("v1/", openai_api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("nanobananas.accounts.urls")),
    path("billing/", include("nanobananas.billing.urls")),
    path("", include("nanobananas.analytics.urls")),
    path("", include("nanobananas.policies.urls")),
    path("", include("nanobananas.web.urls")),
]

handler404 = "nanobananas.web.views.page_not_found"
handler500 = "nanobananas.web.views.server_error"
