"""The database out of reach (restarting, a network failure): a 503 that says so, not a 500.

Django opens a new connection when the next request comes (connections are health-checked before
reuse), so nothing has to be restarted once the database is back.
"""

from __future__ import annotations

import logging
from typing import Final

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

__all__ = ["DATABASE_ERRORS", "RETRY_AFTER_SECONDS", "database_unavailable"]

logger = logging.getLogger(__name__)

# What a lost or refused connection raises (psycopg's and sqlite's errors arrive wrapped as these).
DATABASE_ERRORS: Final = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS: Final = 5
MESSAGE: Final = "The service cannot reach its database just now. Try again in a few seconds."


def database_unavailable(exc: BaseException, *, api: bool) -> HttpResponse:
    """The 503 for a request that failed because the database could not be reached: the API's JSON error
    shape, or the 503 page (rendered without the request, which could need the database)."""
    logger.warning("database unavailable: %s", exc)
    if api:
        response: HttpResponse = JsonResponse(
            {"error": {"code": "database_unavailable", "message": MESSAGE}},
            status=503,
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
