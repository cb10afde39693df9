"""Policy page routes: /privacy/, /terms/, earlier versions, and the banner's form."""

from django.urls import path, re_path

from nanobananas.policies import views

app_name = "policies"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    re_path(
        r"^(?P<kind>privacy|terms)/versions/(?P<version>[A-Za-z0-9][A-Za-z0-9._-]{0,39})/$",
        views.version,
        name="version",
    ),
    path("policies/notice/", views.notice, name="notice"),
]
