"""Every write has a rate limit: each operation of the OpenAPI documents and each page, past its limit, is a 429.

Structural on purpose: the operations and pages are enumerated from the API documents and the URL map, so a
new endpoint cannot be added without a limit (and without a scope chosen for it in WRITE_SCOPES).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from nanobananas.accounts.models import RateWindow
from nanobananas.accounts.ratelimits import (
    COUNTED_BY_THE_SERVICE,
    RATE_LIMITS,
    WRITE_METHODS,
    WRITE_SCOPES,
    RateLimit,
)
from nanobananas.config.api import api
from nanobananas.studio.openai_api import openai_api

pytestmark = [pytest.mark.django_db, pytest.mark.database]

API_PREFIXES = ("/api/", "/v1/")


def _write_operations() -> list[tuple[str, str, dict[str, Any]]]:
    operations = []
    for document in (api.get_openapi_schema(), openai_api.get_openapi_schema()):
        for path, methods in document["paths"].items():
            for method, operation in methods.items():
                if method.upper() in WRITE_METHODS:
                    operations.append((method.upper(), path, operation))
    return operations


WRITE_OPERATIONS = _write_operations()


def _concrete(path: str, operation: dict[str, Any]) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            schema = parameter["schema"]
            value = "x"
            if schema.get("format") == "uuid":
                value = str(uuid.uuid4())
            elif schema.get("type") == "integer":
                value = "1"
            path = path.replace("{" + parameter["name"] + "}", value)
    return path


def _page_routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    """Every page route of the URL map as a path (parameters filled with "x"); the APIs and the admin aside."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if not isinstance(entry.pattern, RoutePattern):
            continue  # the policy version pages (a regex): the middleware limits them all the same
        route = "/" + prefix + str(entry.pattern)
        if route.startswith((*API_PREFIXES, "/admin/")):
            continue
        if isinstance(entry, URLResolver):
            yield from _page_routes(entry.url_patterns, route[1:])
        elif isinstance(entry, URLPattern):
            yield re.sub(r"<(?:\w+:)?\w+>", "x", route)


@pytest.fixture
def one_per_window(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits on (whatever the test settings say) and every scope allowing one request per window."""
    settings.NANOBANANAS = {**settings.NANOBANANAS, "RATE_LIMITS": True}
    for scope, limit in list(RATE_LIMITS.items()):
        monkeypatch.setitem(RATE_LIMITS, scope, RateLimit(per_owner=1, per_address=1, seconds=3600, what=limit.what))


def test_every_write_operation_of_the_api_documents_has_its_own_scope() -> None:
    documented = {f"{method} {path}" for method, path, _ in WRITE_OPERATIONS}
    assert len(documented) >= 26  # both documents were read
    assert sorted(documented - WRITE_SCOPES.keys()) == []
    assert {WRITE_SCOPES[key] for key in documented} <= RATE_LIMITS.keys()
    # Listed API writes are real: a stale entry would hide that an operation moved.
    listed_api = {key for key in WRITE_SCOPES if key.split(" ", 1)[1].startswith(API_PREFIXES)}
    assert sorted(listed_api - documented) == []


@pytest.mark.parametrize(
    ("method", "path", "operation"), WRITE_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in WRITE_OPERATIONS]
)
def test_every_write_operation_answers_429_past_its_limit(
    one_per_window: None, method: str, path: str, operation: dict[str, Any]
) -> None:
    client = Client(REMOTE_ADDR="198.51.100.23")
    url = _concrete(path, operation)
    sent = iter(range(2))

    def send() -> Any:
        if f"{method} {path}" in COUNTED_BY_THE_SERVICE:
            # Counted past the age gate only: two grown-ups' sign-ups from one address, each a new browser.
            body = json.dumps({**_signup(next(sent)), "birth_month": 6, "birth_year": 1985})
            return Client(REMOTE_ADDR="198.51.100.23").generic(method, url, body, content_type="application/json")
        return client.generic(method, url, "{}", content_type="application/json")

    first = send()
    assert first.status_code != 429, first.content
    refused = send()
    assert refused.status_code == 429, refused.content
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    if path.startswith("/v1/"):
        assert error["type"] == "rate_limit_error"  # OpenAI's error shape
    else:
        assert error["resets_at"]
    assert int(refused["Retry-After"]) > 0
    # The scope's counter for the address is full; nothing of the address itself was stored.
    scope = WRITE_SCOPES[f"{method} {path}"]
    assert RateWindow.objects.filter(key__startswith=f"{scope}:a:", count=1).exists()
    assert not RateWindow.objects.filter(key__contains="198.51.100.23").exists()


PAGE_ROUTES = [*sorted(set(_page_routes())), "/admin/login/"]


def test_the_page_routes_include_every_form_listed() -> None:
    listed = {key.split(" ", 1)[1] for key in WRITE_SCOPES}
    forms = {re.sub(r"\{\w+\}", "x", path) for path in listed if not path.startswith(API_PREFIXES)}
    assert {"/accounts/signup/", "/accounts/login/", "/billing/webhooks/stripe/", "/policies/notice/"} <= forms
    assert sorted(forms - set(PAGE_ROUTES)) == []


@pytest.mark.parametrize("path", [p for p in PAGE_ROUTES if f"POST {p}" not in COUNTED_BY_THE_SERVICE])
def test_every_page_write_answers_429_past_its_limit(one_per_window: None, path: str) -> None:
    client = Client(REMOTE_ADDR="198.51.100.24")
    first = client.post(path, {})
    assert first.status_code != 429
    refused = client.post(path, {})
    assert refused.status_code == 429
    assert refused["Content-Type"] == "text/plain; charset=utf-8"
    assert refused.content.decode().startswith("Too many ")
    assert int(refused["Retry-After"]) > 0


def _signup(number: int) -> dict[str, Any]:
    return {
        "email": f"p{number}@example.org",
        "username": f"person{number}",
        "display_name": "P",
        "password": "correct horse battery",
    }


def test_writes_counted_by_their_service_are_the_sign_ups() -> None:
    # Each is limited all the same: the API's by the operation test above, the page's just below.
    assert sorted(COUNTED_BY_THE_SERVICE) == ["POST /accounts/signup/", "POST /api/v1/auth/signup"]


def test_the_sign_up_page_is_limited_past_the_age_gate_and_a_refusal_counts_nothing(one_per_window: None) -> None:
    def attempt(number: int, birth_year: int) -> int:
        form = {**_signup(number), "birth_month": "6", "birth_year": str(birth_year)}
        return Client(REMOTE_ADDR="198.51.100.26").post("/accounts/signup/", form).status_code

    assert attempt(0, 2020) == 200  # refused by the age gate: the kind page, and no counter at all
    assert RateWindow.objects.count() == 0
    assert [attempt(1, 1985), attempt(2, 1985)] == [302, 429]


def test_reads_are_not_counted(one_per_window: None) -> None:
    client = Client(REMOTE_ADDR="198.51.100.25")
    assert [client.get("/api/v1/conversations").status_code for _ in range(3)] == [200, 200, 200]
    assert RateWindow.objects.count() == 0
