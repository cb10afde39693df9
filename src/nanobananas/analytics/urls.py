"""Page routes of the analytics app."""

from django.urls import path

from nanobananas.analytics import views

app_name = "analytics"

urlpatterns = [
    path("me/preferences/reset/", views.learned_preferences_reset, name="preferences-reset"),
]
