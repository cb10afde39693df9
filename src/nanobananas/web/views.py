"""Page views: thin, they only pick a template and what it shows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from nanobananas.accounts.identity import request_owner
from nanobananas.studio.selectors import conversation_list

RECENT_ON_HOME = 6


def home(request: HttpRequest) -> HttpResponse:
    recent = conversation_list(owner=request_owner(request))[:RECENT_ON_HOME]
    return render(request, "web/home.html", {"section": "home", "recent": recent})


@ensure_csrf_cookie
def ai_image(request: HttpRequest) -> HttpResponse:
    return render(request, "web/image.html", {"section": "image"})


def _coming_soon(request: HttpRequest, section: str, title: str, blurb: str) -> HttpResponse:
    return render(request, "web/coming_soon.html", {"section": section, "title": title, "blurb": blurb})


def ai_video(request: HttpRequest) -> HttpResponse:
    return _coming_soon(
        request,
        "video",
        "AI Video",
        "Turn an image or a prompt into a short MP4: animated posters, zoom and pan, slideshows.",
    )


def ai_tools(request: HttpRequest) -> HttpResponse:
    return _coming_soon(
        request,
        "tools",
        "AI Tools",
        "One-click tools: remove or replace backgrounds, erase objects, upscale, enhance, "
        "ID photos, resize for social.",
    )


def me(request: HttpRequest) -> HttpResponse:
    return _coming_soon(
        request,
        "me",
        "Me",
        "Your profile, plan, retention choice, privacy settings, history, data export and deletion.",
    )
