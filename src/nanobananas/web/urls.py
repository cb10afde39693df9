"""Page routes."""

from django.urls import path

from nanobananas.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("image/", views.ai_image, name="ai-image"),
    path("video/", views.ai_video, name="ai-video"),
    path("tools/", views.ai_tools, name="ai-tools"),
    path("me/", views.me, name="me"),
    path("history/", views.history, name="history"),
]
