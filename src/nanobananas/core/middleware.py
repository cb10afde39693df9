"""Response headers Django has no setting for: Permissions-Policy, and no-store on private API answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

__all__ = ["PRIVATE_NO_STORE", "PermissionsPolicyMiddleware", "PrivateApiNoStoreMiddleware", "ResponseHeaderMiddleware"]


class ResponseHeaderMiddleware:
    """A middleware that only adjusts the response's headers, the same way in a sync and an async chain."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)
        return self.adjust(request, response)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)  # type: ignore[misc]  # async chain returns an awaitable
        return self.adjust(request, response)

    def adjust(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        raise NotImplementedError


class PermissionsPolicyMiddleware(ResponseHeaderMiddleware):
    """Adds `Permissions-Policy` (settings.PERMISSIONS_POLICY) to every response."""

    def adjust(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


PRIVATE_NO_STORE = "private, no-store"

# Answers that are the same for everyone and hold nothing of a person: caches may keep them.
PUBLIC_API_PATHS = frozenset({"/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs", "/v1/openapi.json", "/v1/docs"})
API_PREFIXES = ("/api/", "/v1/")


class PrivateApiNoStoreMiddleware(ResponseHeaderMiddleware):
    """`Cache-Control: private, no-store` on every API answer but the public ones, unless it already says no-store.

    API answers depend on the session, a token or a signed link (images, exports): no shared cache and no
    browser cache may keep a copy that outlives a deletion or a sign-out.
    """

    def adjust(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not request.path.startswith(API_PREFIXES) or request.path in PUBLIC_API_PATHS:
            return response
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = PRIVATE_NO_STORE
        return response
