"""From a job to its image, as docs/api.md walks it: the job names its reply message, whose assets are the pictures."""

from __future__ import annotations

import io
import json

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from PIL import Image

from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _read_stream(response: object) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[attr-defined]

    return async_to_sync(collect)()


def test_a_jobs_reply_message_holds_its_image(guest_client: Client, django_capture_on_commit_callbacks: object) -> None:
    headers = csrf_headers(guest_client)
    conversation_id = guest_client.post(
        "/api/v1/conversations", data="{}", content_type="application/json", headers=headers
    ).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sent = guest_client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            data=json.dumps({"text": "a poster for a bakery grand opening"}),
            content_type="application/json",
            headers=headers,
        ).json()
    assert (sent["job"]["status"], sent["job"]["result_id"], sent["job"]["reply_message_id"]) == ("queued", None, None)

    job = guest_client.get(f"/api/v1/jobs/{sent['job']['id']}").json()
    assert job["status"] == "done"
    assert job["reply_message_id"] == job["result_id"] is not None

    detail = guest_client.get(f"/api/v1/conversations/{conversation_id}").json()
    [reply] = [message for message in detail["messages"] if message["id"] == job["reply_message_id"]]
    [asset] = reply["assets"]
    assert reply["role"] == "assistant"
    assert detail["versions"][-1]["id"] == asset["id"]

    not_an_image = guest_client.get(f"/api/v1/assets/{job['result_id']}")
    assert not_an_image.status_code == 404
    assert not_an_image.json()["error"]["code"] == "not_found"

    content = guest_client.get(f"/api/v1/assets/{asset['id']}/content?format=png")
    assert content.status_code == 200
    body = _read_stream(content)
    assert Image.open(io.BytesIO(body)).size == (asset["width"], asset["height"])
