"""Reads do a fixed number of queries, however much a conversation holds (no N+1)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nanobananas.accounts.identity import Owner
from nanobananas.studio.jobs import job_run
from nanobananas.studio.services import message_send
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _guest_client_with(turns: int, conversations: int) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    headers = csrf_headers(client)
    ids = [
        client.post("/api/v1/conversations", data="{}", content_type="application/json", headers=headers).json()["id"]
        for _ in range(conversations)
    ]
    from nanobananas.accounts.identity import GUEST_SESSION_KEY

    owner = Owner(guest_id=uuid.UUID(client.session[GUEST_SESSION_KEY]))
    for _ in range(turns):
        _, job = message_send(owner=owner, conversation_id=ids[0], text="a poster")
        assert job is not None
        job_run(job_id=job.id)
    return client, ids[0]


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_conversation_detail_queries_do_not_grow_with_turns() -> None:
    small, small_id = _guest_client_with(turns=1, conversations=1)
    large, large_id = _guest_client_with(turns=6, conversations=1)
    assert _queries(large, f"/api/v1/conversations/{large_id}") == _queries(small, f"/api/v1/conversations/{small_id}")


def test_conversation_list_queries_do_not_grow_with_conversations() -> None:
    small, _ = _guest_client_with(turns=0, conversations=1)
    large, _ = _guest_client_with(turns=0, conversations=15)
    assert _queries(large, "/api/v1/conversations") == _queries(small, "/api/v1/conversations")
