"""Private API answers say `Cache-Control: private, no-store`; only public ones (health, the documents) may be cached.

Structural: every GET operation of both OpenAPI documents is asked, so a new endpoint is covered on its own.
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client

from nanobananas.config.api import api
from nanobananas.studio.openai_api import openai_api
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PUBLIC = {"/api/v1/health", "/api/v1/openapi.json", "/api/v1/docs", "/v1/openapi.json", "/v1/docs"}


def _read_operations() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path, methods["get"])
        for document in (api.get_openapi_schema(), openai_api.get_openapi_schema())
        for path, methods in document["paths"].items()
        if "get" in methods
    ]


READ_OPERATIONS = _read_operations()


@pytest.fixture
def guest_with_an_image(guest_client: Client, django_capture_on_commit_callbacks: Any) -> tuple[Client, dict[str, Any]]:
    headers = csrf_headers(guest_client)
    made = guest_client.post("/api/v1/conversations", "{}", content_type="application/json", headers=headers)
    assert made.status_code == 201
    assert made["Cache-Control"] == "private, no-store"
    with django_capture_on_commit_callbacks(execute=True):
        sent = guest_client.post(
            f"/api/v1/conversations/{made.json()['id']}/messages",
            json.dumps({"text": "a poster for a bakery"}),
            content_type="application/json",
            headers=headers,
        )
    assert sent.status_code == 202
    assert sent["Cache-Control"] == "private, no-store"
    detail = guest_client.get(f"/api/v1/conversations/{made.json()['id']}")
    return guest_client, detail.json()


@pytest.mark.parametrize(("path", "operation"), READ_OPERATIONS, ids=[path for path, _ in READ_OPERATIONS])
def test_every_read_of_the_api_documents_is_private_no_store_unless_public(
    guest_client: Client, path: str, operation: dict[str, Any]
) -> None:
    url = path
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            value = str(uuid.uuid4()) if parameter["schema"].get("format") == "uuid" else "x"
            url = url.replace("{" + parameter["name"] + "}", value)
    # Strangers' ids and bad links: private answers too (they say whether something exists).
    response = guest_client.get(url)
    cache_control = response.get("Cache-Control", "")
    if path in PUBLIC:
        assert response.status_code == 200
        assert "no-store" not in cache_control
    else:
        assert cache_control == "private, no-store", (response.status_code, cache_control)


def test_the_owners_answers_are_private_no_store(guest_with_an_image: tuple[Client, dict[str, Any]]) -> None:
    client, detail = guest_with_an_image
    [asset] = detail["messages"][1]["assets"]
    for url in [
        "/api/v1/conversations",
        f"/api/v1/conversations/{detail['id']}",
        f"/api/v1/assets/{asset['id']}",
        f"/api/v1/jobs/{detail['jobs'][0]['id']}",
        "/api/v1/me",
        "/api/v1/me/quota",
    ]:
        response = client.get(url)
        assert (url, response.status_code, response["Cache-Control"]) == (url, 200, "private, no-store")


def test_image_bytes_by_signed_link_and_the_event_stream_are_private_no_store(
    guest_with_an_image: tuple[Client, dict[str, Any]],
) -> None:
    _, detail = guest_with_an_image
    [asset] = detail["messages"][1]["assets"]
    link = urlsplit(asset["content_url"])

    async def ask() -> tuple[Any, Any]:
        content = await AsyncClient().get(link.path, QUERY_STRING=link.query)
        b"".join([chunk async for chunk in content.streaming_content])
        events = await AsyncClient().get(f"/api/v1/jobs/{detail['jobs'][0]['id']}/events")
        return content, events

    content, events = async_to_sync(ask)()
    # Served through the async middleware chain; the image used to say "private, max-age=3600".
    assert (content.status_code, content["Cache-Control"]) == (200, "private, no-store")
    assert (events.status_code, events["Cache-Control"]) == (404, "private, no-store")


def test_pages_outside_the_api_are_not_touched(guest_client: Client) -> None:
    assert "no-store" not in guest_client.get("/privacy/").get("Cache-Control", "")
