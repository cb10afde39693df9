"""URL map: the web pages, the JSON API at /api/v1, the OpenAI-compatible API at /v1 and the admin."""

from django.contrib import admin
from django.urls import include, path

from nanobananas.config.api import api
from nanobananas.studio.openai_api import openai_api

urlpatterns = [
    path("api/v1/", api.urls),
    path("v1/", openai_api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("nanobananas.accounts.urls")),
    path("billing/", include("nanobananas.billing.urls")),
    path("", include("nanobananas.policies.urls")),
    path("", include("nanobananas.web.urls")),
]
