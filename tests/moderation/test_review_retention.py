"""Decided review items are kept NANOBANANAS_REVIEW_RETENTION_DAYS after the decision, then deleted by a
daily job, unless a legal hold or unreleased evidence keeps them; open items wait for staff."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from nanobananas.accounts.identity import Owner
from nanobananas.audit.models import AuditEvent
from nanobananas.moderation.models import Evidence, ReviewItem
from nanobananas.moderation.services import review_item_create, review_items_purge
from nanobananas.moderation.tasks import purge_old_review_items
from nanobananas.privacy.services import legal_hold_place, legal_hold_release

pytestmark = [pytest.mark.django_db, pytest.mark.database]

DECIDED = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)


def _item(owner: Owner, status: str, *, decided_at: datetime | None = DECIDED, **ids: uuid.UUID) -> ReviewItem:
    with time_machine.travel(DECIDED - timedelta(days=1), tick=False):
        item = review_item_create(owner=owner, source=ReviewItem.Source.AUTOMATIC, stage="result", **ids)
    ReviewItem.objects.filter(id=item.id).update(status=status, decided_at=decided_at)
    return item


def _left() -> set[uuid.UUID]:
    return set(ReviewItem.objects.values_list("id", flat=True))


def test_decided_items_go_after_the_retention_period_and_open_ones_stay(guest_owner: Owner) -> None:
    _item(guest_owner, ReviewItem.Status.ALLOWED)  # decided first: the only one past the period below
    removed = _item(guest_owner, ReviewItem.Status.REMOVED, decided_at=DECIDED + timedelta(days=10))
    still_open = _item(guest_owner, ReviewItem.Status.OPEN, decided_at=None)
    assert review_items_purge(now=DECIDED + timedelta(days=365)) == 0
    assert review_items_purge(now=DECIDED + timedelta(days=365, seconds=1)) == 1
    assert _left() == {removed.id, still_open.id}
    with time_machine.travel(DECIDED + timedelta(days=376), tick=False):
        purge_old_review_items()
    assert _left() == {still_open.id}
    event = AuditEvent.objects.filter(kind="moderation.review_items_purged").order_by("id").first()
    assert event is not None
    assert event.details["count"] == 1


def test_the_retention_period_is_the_setting(guest_owner: Owner, settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "REVIEW_RETENTION_DAYS": 30}
    item = _item(guest_owner, ReviewItem.Status.ALLOWED)
    assert review_items_purge(now=DECIDED + timedelta(days=30)) == 0
    assert review_items_purge(now=DECIDED + timedelta(days=30, seconds=1)) == 1
    assert item.id not in _left()


def test_held_items_and_items_with_unreleased_evidence_stay(guest_owner: Owner, user_owner: Owner) -> None:
    asset_id, conversation_id = uuid.uuid4(), uuid.uuid4()
    on_held_image = _item(guest_owner, ReviewItem.Status.REMOVED, asset_id=asset_id)
    in_held_chat = _item(guest_owner, ReviewItem.Status.REMOVED, conversation_id=conversation_id)
    of_held_owner = _item(user_owner, ReviewItem.Status.ALLOWED)
    with_evidence = _item(guest_owner, ReviewItem.Status.ESCALATED)
    with_released_evidence = _item(guest_owner, ReviewItem.Status.ESCALATED)
    _item(guest_owner, ReviewItem.Status.ALLOWED)  # nothing keeps this one
    holds = [
        legal_hold_place(reason="case 9", placed_by_id=None, asset_id=asset_id),
        legal_hold_place(reason="case 9", placed_by_id=None, conversation_id=conversation_id),
        legal_hold_place(reason="case 9", placed_by_id=None, owner_user_id=user_owner.user_id),
    ]
    for item, released_at in ((with_evidence, None), (with_released_evidence, DECIDED)):
        Evidence.objects.create(review_item=item, owner_key=item.owner_key, category="hate",
                                escalated_at=DECIDED, released_at=released_at)  # fmt: skip
    later = DECIDED + timedelta(days=400)
    assert review_items_purge(now=later) == 2
    assert _left() == {on_held_image.id, in_held_chat.id, of_held_owner.id, with_evidence.id}
    for hold in holds:
        legal_hold_release(hold_id=hold.id, released_by_id=None)
    Evidence.objects.filter(review_item=with_evidence).update(released_at=later)
    assert review_items_purge(now=later) == 4
    assert _left() == set()
    assert Evidence.objects.count() == 2  # evidence itself is kept by its own rules
