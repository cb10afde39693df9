"""The JSON API at /api/v1: routers, the error shape, session and CSRF checks, health."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie
from ninja.utils import check_csrf

from nanobananas.accounts.api import router as accounts_router
from nanobananas.accounts.exceptions import LimitReached
from nanobananas.accounts.middleware import limit_response
from nanobananas.analytics.api import router as analytics_router
from nanobananas.core.exceptions import DomainError
from nanobananas.core.health import HealthOut, health_report
from nanobananas.core.unavailable import database_unavailable
from nanobananas.moderation.api import router as moderation_router
from nanobananas.policies.api import router as policies_router
from nanobananas.privacy.api import router as privacy_router
from nanobananas.studio.api import router as studio_router
from nanobananas.studio.history_api import router as history_router
from nanobananas.studio.requests import request_size_check
from nanobananas.studio.tools_api import router as tools_router
from nanobananas.studio.videos_api import router as videos_router
from nanobananas.tokens.api import router as tokens_router

__all__ = ["api", "api_not_found"]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class CsrfRejected(DomainError):
    status_code = 403
    code = "csrf_failed"


class BrowserSession(APIKeyCookie):
    """Anyone may call the API (guests included); state-changing calls must carry the CSRF token."""

    param_name = "csrftoken"

    def __call__(self, request: HttpRequest) -> Any:
        if request.method not in SAFE_METHODS:
            # The CSRF check parses a form body: the upload size rule refuses an oversized one before that.
            request_size_check(request)
            if check_csrf(request) is not None:
                raise CsrfRejected("The page's security token is missing or stale. Reload the page and try again.")
        return True

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return True


api = NinjaAPI(
    title="Nanobananas API",
    version="1",
    description='Create and edit images by conversation. Errors are `{"error": {"code", "message"}}`.',
    auth=BrowserSession(),
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"error": {"code": code, "message": message}}, status=status)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    return database_unavailable(exc, api=True)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, exc.message)


@api.exception_handler(LimitReached)
def _limit_reached(request: HttpRequest, exc: LimitReached) -> HttpResponse:
    """429 with the reset time in the body and, for clients that honour it, in `Retry-After` (the same answer
    as a write refused by the rate-limit middleware)."""
    return limit_response(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in {"body", "payload"})
    detail = first.get("msg", "invalid request")
    message = f"{where}: {detail}" if where else str(detail)
    return _error(request, 400, "invalid_input", message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "payload_too_large", "The request is too large.")


@api.exception_handler(TooManyFilesSent)
def _too_many_files(request: HttpRequest, exc: TooManyFilesSent) -> HttpResponse:
    """Django refuses a body with more than DATA_UPLOAD_MAX_NUMBER_FILES files while parsing it (before the
    view counts them): the same answer as the view's own count, and no error report in the log."""
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    return _error(request, 400, "too_many_files", f"Send at most {limit} pictures at once.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "Sign in to do this.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any address under /api/v1/ that no endpoint serves: the API's JSON error, never the site's HTML page."""
    return _error(request, 404, "not_found", "There is no API endpoint at this address. See /api/v1/docs.")


@api.get("/health", response={200: HealthOut, 503: HealthOut}, tags=["system"])
def health(request: HttpRequest) -> Status[HealthOut]:
    report = health_report()
    return Status(200 if report.status == "ok" else 503, report)


api.add_router("/", studio_router)
api.add_router("/", accounts_router)
api.add_router("/", tokens_router)
api.add_router("/", privacy_router)
api.add_router("/", moderation_router)
api.add_router("/", policies_router)
api.add_router("/", analytics_router)
api.add_router("/", history_router)
api.add_router("/", tools_router)
api.add_router("/", videos_router)
