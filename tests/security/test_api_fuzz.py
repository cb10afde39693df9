"""Schemathesis against the app's own /api/v1/openapi.json, in process, as a signed-in user.

Every operation gets a bounded number of generated requests (valid and invalid); a response must
never be a server error and must match the schema the API declares for its status code.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from PIL import Image
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


@pytest.fixture
def owned(signed_in: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, str]:
    """Real objects of the signed-in user: a conversation with an upload and a result, its job, an
    export and an API token, so generated requests also reach code past the owner check."""
    client = Client(enforce_csrf_checks=True)
    client.cookies.load(signed_in["cookies"])
    headers = signed_in["headers"]
    conversation = client.post("/api/v1/conversations", data="{}", content_type="application/json", headers=headers)
    conversation_id = conversation.json()["id"]
    picture = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(picture, format="PNG")
    picture.seek(0)
    picture.name = "red.png"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            data={"text": "make it black and white", "files[]": [picture]},
            headers=headers,
        )
        assert sent.status_code == 202, sent.content
        export = client.post("/api/v1/me/exports", headers=headers)
        assert export.status_code == 202, export.content
    detail = client.get(f"/api/v1/conversations/{conversation_id}").json()
    token = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "fuzz", "scopes": ["images:read"]}),
        content_type="application/json",
        headers=headers,
    )
    assert token.status_code == 201, token.content
    return {
        "conversation_id": conversation_id,
        "asset_id": detail["versions"][-1]["id"],
        "job_id": detail["jobs"][-1]["id"],
        "export_id": export.json()["id"],
        "token_id": token.json()["id"],
    }


@schema.include(path_regex=r"\{(conversation|asset|job|export|token)_id\}").parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# The in-process WSGI transport reads the image and event streams synchronously; production serves ASGI.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators")
def test_the_api_answers_generated_requests_about_the_users_own_objects(
    case: Any, signed_in: dict[str, Any], owned: dict[str, str]
) -> None:
    for name in list(case.path_parameters or {}):
        if name in owned:
            case.path_parameters[name] = owned[name]
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


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators")
def test_the_job_event_stream_matches_its_documented_schema(signed_in: dict[str, Any], owned: dict[str, str]) -> None:
    """The events were documented as one string each, so every real `done` event broke the schema."""
    event_schema = schema.raw_schema["paths"]["/api/v1/jobs/{job_id}/events"]["get"]["responses"]["200"]
    assert event_schema["content"]["text/event-stream"]["schema"]["properties"]["event"]["enum"] == [
        "queued", "running", "done", "failed", "refused", "gone",
    ]  # fmt: skip
    case = schema["/api/v1/jobs/{job_id}/events"]["GET"].Case(path_parameters={"job_id": owned["job_id"]})
    response = case.call(headers=signed_in["headers"], cookies=signed_in["cookies"])
    assert response.status_code == 200
    assert "event: done\ndata: {" in response.text
    case.validate_response(response, checks=[response_schema_conformance])
