"""Schemathesis against the app's own /api/v1/openapi.json, in process, as a signed-in user.

Every operation gets a bounded number of generated requests (valid and invalid); a response must
never be a server error and must match the schema the API declares for its status code.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.accounts.conftest import signup
from tests.conftest import csrf_headers

# Small on purpose: the whole walk must stay well under three minutes on two cores in CI.
MAX_EXAMPLES = 10

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(settings: Any) -> dict[str, Any]:
    """A signed-in browser's cookies and CSRF header, as the page's script would send them."""
    # Generated requests would run into the per-minute limits after a few examples.
    settings.NANOBANANAS = {**settings.NANOBANANAS, "RATE_LIMITS": False}
    client = Client(enforce_csrf_checks=True)
    client.force_login(signup())
    headers = csrf_headers(client)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return {"headers": headers, "cookies": cookies}


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_the_api_answers_every_generated_request_without_a_server_error(case: Any, signed_in: dict[str, Any]) -> None:
    case.call_and_validate(
        headers=signed_in["headers"],
        cookies=signed_in["cookies"],
        checks=[not_a_server_error, response_schema_conformance],
    )


def test_the_checks_fail_on_a_server_error_or_a_body_that_breaks_the_schema(signed_in: dict[str, Any]) -> None:
    """The walk above can fail: the same checks refuse a 500 and a 200 whose body is not a `MeOut`."""
    operation = schema["/api/v1/me"]["GET"]
    case = operation.Case()
    real = case.call(headers=signed_in["headers"], cookies=signed_in["cookies"])
    assert real.status_code == 200
    case.validate_response(real, checks=[not_a_server_error, response_schema_conformance])
    broken_answers = [
        (500, b'{"error": "boom"}', "Server error"),
        (200, b'{"user": 5}', "Response violates schema"),
    ]
    for status, body, failure in broken_answers:
        broken = Response(
            status_code=status,
            headers={"content-type": ["application/json"]},
            content=body,
            request=real.request,
            elapsed=0.01,
            verify=True,
        )
        with pytest.raises(FailureGroup) as raised:
            case.validate_response(broken, checks=[not_a_server_error, response_schema_conformance])
        assert failure in str(raised.value)


# Regressions found by the walk above, each pinned with the request that broke.


@pytest.mark.parametrize(
    "query",
    ["limit=10000000000000000001", "offset=9223372036854775808", "limit=101", "offset=1000000001", "limit=0"],
)
def test_a_list_with_an_out_of_range_limit_or_offset_is_a_clear_400(signed_in: dict[str, Any], query: str) -> None:
    """`GET /conversations?limit=10000000000000000001` was a 500 (the integer overflowed in SQLite)."""
    client = Client()
    client.cookies.load(signed_in["cookies"])
    response = client.get(f"/api/v1/conversations?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_input"


def test_a_list_answers_within_the_bounds(signed_in: dict[str, Any]) -> None:
    client = Client()
    client.cookies.load(signed_in["cookies"])
    assert client.get("/api/v1/conversations?limit=100&offset=1000000000").json() == {"items": [], "count": 0}
