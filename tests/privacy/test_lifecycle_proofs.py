"""Proofs of the lifecycle at its edges: a Pro image kept 7 days is queued and purged one second after,
a purge deletes only what is queued, and where an expired image was the chat shows a placeholder that
says so (while it waits in the queue and after, from its receipt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan
from nanobananas.accounts.services import plan_change, retention_set
from nanobananas.privacy.models import DeletionReceipt
from nanobananas.privacy.services import legal_hold_place, retention_purge, retention_sweep
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Lifecycle, Message
from nanobananas.studio.services import message_send
from tests.conftest import blob_path

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
SEVEN_DAYS = timedelta(days=7)


@pytest.fixture
def pro() -> tuple[Client, Owner]:
    account = get_user_model().objects.create_user(username="pia", email="pia@example.org", password="x" * 12)
    plan_change(user_id=account.pk, plan_code=Plan.PRO)
    retention_set(user=account, hours=168)
    client = Client()
    client.force_login(account)
    return client, Owner(user_id=account.pk)


def _make(owner: Owner, text: str = "a poster of a lighthouse") -> tuple[Conversation, Asset]:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    assert job is not None
    job_run(job_id=job.id)
    return conversation, Asset.objects.get(job=job)


def _read_stream(response: Any) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def _placeholders(client: Client, conversation: Conversation) -> list[dict[str, Any]]:
    body = client.get(f"/api/v1/conversations/{conversation.id}").json()
    return [gone for message in body["messages"] for gone in message["deleted_images"]]


def test_a_pro_image_kept_7_days_is_queued_and_purged_one_second_after(pro: tuple[Client, Owner]) -> None:
    client, owner = pro
    with time_machine.travel(START, tick=False):
        conversation, asset = _make(owner)
    assert asset.expires_at == START + SEVEN_DAYS
    content = client.get(f"/api/v1/conversations/{conversation.id}").json()["versions"][0]["content_url"]
    stored = blob_path(asset.blob_name)

    with time_machine.travel(START + SEVEN_DAYS - timedelta(seconds=1), tick=False):
        assert retention_sweep().queued == {"asset": 0, "message": 0, "conversation": 0}
        response = client.get(content)
        assert response.status_code == 200
        assert _read_stream(response).startswith(b"\x89PNG")
    with time_machine.travel(START + SEVEN_DAYS + timedelta(seconds=1), tick=False):
        assert retention_sweep().queued == {"asset": 1, "message": 0, "conversation": 0}
        asset.refresh_from_db()
        assert (asset.state, asset.queued_at, asset.deletion_reason) == (
            Lifecycle.QUEUED, START + SEVEN_DAYS + timedelta(seconds=1), "retention"
        )  # fmt: skip
        assert client.get(content).status_code == 404  # hidden at once, before the purge
        assert stored.exists()
        result = retention_purge()
    assert result.purged["asset"] == 1
    assert not Asset.objects.filter(id=asset.id).exists()
    assert not stored.exists()
    receipt = DeletionReceipt.objects.get(item_id=str(asset.id))
    assert (receipt.kind, receipt.reason, receipt.created_at, receipt.expires_at, receipt.purged_at) == (
        "asset", "retention", START, START + SEVEN_DAYS, START + SEVEN_DAYS + timedelta(seconds=1)
    )  # fmt: skip
    assert Message.objects.filter(conversation=conversation, state=Lifecycle.ACTIVE).count() == 2  # text: 12 months


def test_a_purge_deletes_only_what_is_queued(pro: tuple[Client, Owner]) -> None:
    _, owner = pro
    with time_machine.travel(START, tick=False):
        _, live = _make(owner, "a poster of a lighthouse")
        _, overdue = _make(owner, "a poster of a bakery")
        _, queued = _make(owner, "a poster of a garden")
        _, held = _make(owner, "a poster of a harbour")
    Asset.objects.filter(id=overdue.id).update(expires_at=START)  # past its time, but not swept yet
    Asset.objects.filter(id__in=[queued.id, held.id]).update(state=Lifecycle.QUEUED, queued_at=START)
    legal_hold_place(reason="case 4", placed_by_id=None, asset_id=held.id)
    before = {
        "messages": list(Message.objects.order_by("id").values_list("id", "state")),
        "conversations": list(Conversation.objects.order_by("id").values_list("id", "state")),
    }

    with time_machine.travel(START + timedelta(days=1), tick=False):
        result = retention_purge()

    assert result.purged.get("asset") == 1
    assert set(Asset.objects.values_list("id", "state")) == {
        (live.id, Lifecycle.ACTIVE), (overdue.id, Lifecycle.ACTIVE), (held.id, Lifecycle.QUEUED)
    }  # fmt: skip
    assert [blob_path(a.blob_name).exists() for a in (live, overdue, queued, held)] == [True, True, False, True]
    assert list(DeletionReceipt.objects.values_list("item_id", flat=True)) == [str(queued.id)]
    assert before == {
        "messages": list(Message.objects.order_by("id").values_list("id", "state")),
        "conversations": list(Conversation.objects.order_by("id").values_list("id", "state")),
    }


def test_where_an_expired_image_was_the_chat_shows_a_retention_placeholder(pro: tuple[Client, Owner]) -> None:
    client, owner = pro
    with time_machine.travel(START, tick=False):
        conversation, asset = _make(owner)
    swept_at = START + SEVEN_DAYS + timedelta(minutes=5)
    with time_machine.travel(swept_at, tick=False):
        retention_sweep()
        waiting = _placeholders(client, conversation)
        body = client.get(f"/api/v1/conversations/{conversation.id}").json()
    assert waiting == [{"kind": "image", "number": 1, "reason": "retention", "deleted_at": "2026-06-08T12:05:00Z"}]
    assert body["versions"] == []
    assert [m["assets"] for m in body["messages"]] == [[], []]
    purged_at = swept_at + timedelta(minutes=3)
    with time_machine.travel(purged_at, tick=False):
        retention_purge()
    assert _placeholders(client, conversation) == [
        {"kind": "image", "number": 1, "reason": "retention", "deleted_at": "2026-06-08T12:08:00Z"}
    ]
    assert not Asset.objects.filter(id=asset.id).exists()
