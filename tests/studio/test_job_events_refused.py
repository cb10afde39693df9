"""The live events of a refused job carry its words: the sealed message is opened in the async stream."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient
from huey.contrib.djhuey import HUEY

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.services import message_send
from tests.studio.test_api import _login_guest, _parse_sse

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.database]


def test_a_refused_job_streams_its_refusal_in_words(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "IMAGE_PROVIDER": "builtin"}
    guest = guest_create()
    owner = Owner(guest_id=guest.id)
    conversation = conversation_create(owner=owner)
    HUEY.immediate = False
    try:
        _, job = message_send(owner=owner, conversation_id=conversation.id, text="a photo of a cat on a sofa")
    finally:
        HUEY.storage.flush_all()
        HUEY.immediate = True
    assert job is not None
    job_run(job_id=job.id)
    client = AsyncClient()
    _login_guest(client, guest.id)

    async def follow() -> str:
        response = await client.get(f"/api/v1/jobs/{job.id}/events")
        return b"".join([chunk async for chunk in response.streaming_content]).decode()  # type: ignore[attr-defined]

    [(name, data)] = _parse_sse(async_to_sync(follow)())
    assert name == "refused"
    assert data["status"] == "refused"
    assert "needs an image-generation provider" in str(data["error_message"])
