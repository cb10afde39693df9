"""A person's reports: in their data export with their words, and at account deletion only what a decided
review needs is kept (the decision, rule ids, the SHA-256 of the words) unless a legal hold keeps it."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder

from nanobananas.accounts.identity import Owner
from nanobananas.moderation.models import ReviewItem
from nanobananas.moderation.services import report_create, review_item_allow
from nanobananas.privacy.export import export_build, export_request
from nanobananas.privacy.services import legal_hold_place
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset
from nanobananas.studio.services import message_send
from nanobananas.workflows.account_delete import account_delete
from tests.accounts.conftest import PASSWORD, signup

pytestmark = [pytest.mark.django_db, pytest.mark.database]

WORDS = "this shows my neighbour ZEBRAREPORT41 without consent"


def _image(owner: Owner, text: str = "a poster of a lighthouse") -> Asset:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    assert job is not None
    job_run(job_id=job.id)
    return Asset.objects.get(job=job)


def test_the_export_holds_the_persons_reports_with_their_words() -> None:
    user = signup()
    owner = Owner(user_id=user.pk)
    item = report_create(owner=owner, asset_id=_image(owner).id, reason=WORDS)
    export = export_request(user=user)
    export_build(export_id=export.id)
    export.refresh_from_db()
    with default_storage.open(export.blob_name, "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as bundle:
        reports = json.loads(bundle.read("reports.json"))
    assert reports == [
        {
            "id": str(item.id),
            "image_id": str(item.asset_id),
            "reason": WORDS,
            "status": "open",
            "reported_at": DjangoJSONEncoder().default(item.created_at),
            "decided_at": None,
        }
    ]


def test_account_deletion_keeps_only_what_a_decided_review_needs() -> None:
    staff = signup("staff", "staff@example.org", "Staff")
    user = signup()
    owner = Owner(user_id=user.pk)
    decided = report_create(owner=owner, asset_id=_image(owner).id, reason=WORDS)
    review_item_allow(item_id=decided.id, staff_id=staff.pk)
    still_open = report_create(owner=owner, asset_id=_image(owner, "a bakery poster").id, reason="second report")
    held_image = _image(owner, "a garden poster")
    held = report_create(owner=owner, asset_id=held_image.id, reason="held report words")
    review_item_allow(item_id=held.id, staff_id=staff.pk)
    legal_hold_place(reason="case 12", placed_by_id=staff.pk, asset_id=held_image.id)
    decided.refresh_from_db()
    rules = [check["rule"] for check in decided.verdict["checks"]]

    deletion = account_delete(user=user, password=PASSWORD, phrase="delete my account")

    assert not ReviewItem.objects.filter(id=still_open.id).exists()
    kept = ReviewItem.objects.get(id=decided.id)
    assert kept.sealed_reason == ""
    assert kept.reason_sha256 == hashlib.sha256(WORDS.encode()).hexdigest()
    assert kept.verdict == {"action": decided.verdict["action"], "rules": rules}
    assert (kept.status, kept.decided_at, kept.decided_by_id) == ("allowed", decided.decided_at, staff.pk)
    assert (kept.conversation_id, kept.message_id, kept.job_id) == (None, None, None)
    untouched = ReviewItem.objects.get(id=held.id)
    assert untouched.reason == "held report words"
    assert untouched.reason_sha256 == ""
    assert deletion.user_id == user.pk
    raw = json.dumps(list(ReviewItem.objects.values()), default=str)
    assert "ZEBRAREPORT41" not in raw
