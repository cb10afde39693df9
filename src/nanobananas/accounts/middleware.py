"""Every write is rate-limited: a scope per URL (ratelimits.WRITE_SCOPES), counted before the view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from nanobananas.accounts.exceptions import LimitReached
from nanobananas.accounts.identity import request_rate_limit
from nanobananas.accounts.ratelimits import WRITE_METHODS, write_scope

__all__ = ["WriteRateLimitMiddleware", "limit_response"]

JSON = "application/json; charset=utf-8"


def limit_response(request: HttpRequest, exc: LimitReached) -> HttpResponse:
    """429 in the shape the caller reads: the JSON API's error, OpenAI's error, or plain text for a form page."""
    response: HttpResponse
    error: dict[str, str | None]
    if request.path.startswith(("/api/", "/v1/")):
        if request.path.startswith("/api/"):
            error = {"code": exc.code, "message": exc.message, "resets_at": exc.resets_at.isoformat()}
        else:
            error = {"message": exc.message, "type": "rate_limit_error", "param": None, "code": exc.code}
        response = JsonResponse({"error": error}, status=exc.status_code, content_type=JSON)
    else:
        response = HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(max(1, int((exc.resets_at - timezone.now()).total_seconds())))
    return response


class WriteRateLimitMiddleware:
    """Counts each POST/PUT/PATCH/DELETE against its URL's scope, per owner and per address; 429 when over.

    In the middleware rather than in each view, so a new endpoint cannot be forgotten; it needs the session
    and the user, so it comes after AuthenticationMiddleware. It reads neither the body nor the files.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        # Only process_view does work (Django runs it in a thread when the chain is async).
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in WRITE_METHODS or request.resolver_match is None:
            return None
        scope = write_scope(method=request.method, route=request.resolver_match.route)
        if scope is None:
            return None
        try:
            request_rate_limit(request, scope=scope)
        except LimitReached as exc:
            return limit_response(request, exc)
        return None
