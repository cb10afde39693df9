"""Bulk rows in and out (core/bulk.py) keep the model's relation rules and unique constraints."""

from __future__ import annotations

import pytest
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.core.bulk import rows_delete, rows_insert
from nanobananas.privacy.models import CommercialImage, PendingBlobDeletion
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset
from nanobananas.studio.services import message_send

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def test_a_name_already_listed_keeps_its_row_and_attempts() -> None:
    PendingBlobDeletion.objects.create(blob_name="assets/a.png", attempts=3, last_error="read-only")
    now = timezone.now()
    rows = [("assets/a.png", now, 0, ""), ("assets/b.png", now, 0, "")]
    rows_insert(PendingBlobDeletion, ("blob_name", "created_at", "attempts", "last_error"), rows, ignore_conflicts=True)
    listed = dict(PendingBlobDeletion.objects.values_list("blob_name", "attempts"))
    assert listed == {"assets/a.png": 3, "assets/b.png": 0}


def test_deleting_images_clears_their_children_and_cascades_like_the_collector() -> None:
    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner)
    for text in ("a poster for my bakery", "now make it black and white"):
        _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
        assert job is not None
        job_run(job_id=job.id)
    first, second = Asset.objects.order_by("number")
    assert second.parent_id == first.id
    CommercialImage.objects.create(asset=first, marked_at=timezone.now())

    assert rows_delete(Asset, [first.id]) == 1
    assert list(Asset.objects.values_list("id", "parent_id")) == [(second.id, None)]
    assert not CommercialImage.objects.exists()
