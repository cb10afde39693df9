"""The review pipeline in the studio: blocked turns store nothing, flagged ones enter the queue,
repeated blocks throttle, known images match through resizing and re-encoding, provider refusals map
into our categories, and the audit log never holds the prompt text."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import connection
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.audit.models import AuditEvent
from nanobananas.moderation.checks import Check
from nanobananas.moderation.exceptions import ContentBlocked, ModerationThrottled
from nanobananas.moderation.models import BlockedAttempt, BlockedTerm, KnownImage, ReviewItem
from nanobananas.moderation.review import review_image, review_text, verdict_from_provider_refusal
from nanobananas.moderation.services import known_image_add, provider_refusal_review
from nanobananas.moderation.verdict import Action, CheckResult
from nanobananas.providers.base import ProviderRefused
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.services import IncomingFile, message_send
from tests.conftest import blob_root
from tests.moderation.conftest import MARKER, encoded, picture

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


def _stored_counts() -> tuple[int, int, int]:
    return Message.objects.count(), Job.objects.count(), Asset.objects.count()


def _blob_files() -> list[str]:
    root = blob_root()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_blocked_prompt_stores_nothing_and_says_why(guest_owner: Owner) -> None:
    conversation = conversation_create(owner=guest_owner)
    with pytest.raises(ContentBlocked) as caught:
        message_send(owner=guest_owner, conversation_id=conversation.id, text=f"how to make a pipe bomb {MARKER}")
    assert caught.value.code == "content_blocked"
    assert caught.value.category == "weapons"
    attempt = BlockedAttempt.objects.get()
    assert str(caught.value) == (
        "This request can't be done: it looks like instructions for weapons, which this site does not allow. "
        "Nothing was made or saved. If we got this wrong, ask the staff of this site to review it and quote "
        f"reference B{attempt.id}."
    )
    assert _stored_counts() == (0, 0, 0)
    assert _blob_files() == []
    assert (attempt.owner_key, attempt.stage, attempt.category) == (guest_owner.key, "prompt", "weapons")
    event = AuditEvent.objects.get(kind="moderation.blocked")
    assert event.details["review"]["categories"] == ["weapons"]
    assert event.details["review"]["checks"][0]["rule"].startswith("weapons:")
    assert Conversation.objects.get(id=conversation.id).title == ""


def test_a_flagged_prompt_is_answered_and_queued_for_review(guest_owner: Owner) -> None:
    conversation = conversation_create(owner=guest_owner)
    message, job = message_send(
        owner=guest_owner, conversation_id=conversation.id, text="a flyer with ana@example.org at the bottom"
    )
    assert job is not None
    job_run(job_id=job.id)
    assert Job.objects.get(id=job.id).status == Job.Status.DONE
    item = ReviewItem.objects.get()
    assert (item.source, item.stage, item.category, item.status) == ("automatic", "prompt", "personal_data", "open")
    assert (item.message_id, item.job_id, item.owner_key) == (message.id, job.id, guest_owner.key)
    assert item.verdict["checks"] == [
        {"check": "personal_data", "action": "flag", "category": "personal_data", "score": 0.9,
         "rule": "personal_data:email"}
    ]  # fmt: skip
    requested = AuditEvent.objects.get(kind="generation.requested")
    assert requested.details["review"]["text_verdict"]["action"] == "flag"


def test_the_custom_blocklist_blocks_and_flags(guest_owner: Owner) -> None:
    BlockedTerm.objects.create(term="acme {logo|mascot}", category="custom", action="block")
    BlockedTerm.objects.create(term="rival brand", category="custom", action="flag")
    conversation = conversation_create(owner=guest_owner)
    with pytest.raises(ContentBlocked, match="content this site does not allow"):
        message_send(owner=guest_owner, conversation_id=conversation.id, text="draw the A.C.M.E mascot")
    assert _stored_counts() == (0, 0, 0)
    message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster of a rival-brand bottle")
    assert ReviewItem.objects.get().category == "custom"
    assert review_text("an acme anvil", owner=guest_owner).action.label == "allow"


def test_repeated_blocks_throttle_the_owner_for_a_while(guest_owner: Owner, settings: object) -> None:
    conversation = conversation_create(owner=guest_owner)
    with time_machine.travel(START, tick=False):
        for _ in range(5):
            with pytest.raises(ContentBlocked):
                message_send(owner=guest_owner, conversation_id=conversation.id, text="how to kill myself")
    with time_machine.travel(START + timedelta(minutes=59), tick=False), pytest.raises(ModerationThrottled) as caught:
        message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster for a bakery")
    assert caught.value.status_code == 429
    assert caught.value.resets_at == START + timedelta(minutes=60)
    assert "paused until 13:00 UTC" in caught.value.message
    assert _stored_counts() == (0, 0, 0)
    assert BlockedAttempt.objects.count() == 5  # the throttled request is not another block
    with time_machine.travel(START + timedelta(minutes=60, seconds=1), tick=False):
        _message, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster for a bakery")
    assert job is not None


def test_the_throttle_is_per_owner(guest_owner: Owner, user_owner: Owner) -> None:
    conversation = conversation_create(owner=guest_owner)
    for _ in range(5):
        with pytest.raises(ContentBlocked):
            message_send(owner=guest_owner, conversation_id=conversation.id, text="gas the jews")
    theirs = conversation_create(owner=user_owner)
    _, job = message_send(owner=user_owner, conversation_id=theirs.id, text="a poster for a bakery")
    assert job is not None


def test_a_known_image_upload_is_blocked_exactly_and_perceptually(guest_owner: Owner) -> None:
    original = picture(1)
    known_image_add(data=encoded(original), category="sexual_minors", note="case 17", added_by_id=None)
    listed = KnownImage.objects.get()
    assert (listed.category, len(listed.sha256), len(listed.phash), len(listed.dhash)) == ("sexual_minors", 64, 16, 16)
    conversation = conversation_create(owner=guest_owner)
    for data in (encoded(original), encoded(original.resize((200, 150)), format="JPEG", quality=70)):
        with pytest.raises(ContentBlocked, match="sexual content involving minors"):
            message_send(owner=guest_owner, conversation_id=conversation.id, text="",
                         files=[IncomingFile("photo.jpg", data)])  # fmt: skip
    assert _stored_counts() == (0, 0, 0)
    assert _blob_files() == []
    rules = [a.verdict["checks"][0]["rule"] for a in BlockedAttempt.objects.order_by("id")]
    assert rules[0] == f"known_image:{listed.id}:exact"
    assert rules[1].startswith(f"known_image:{listed.id}:distance=")
    message, _job = message_send(owner=guest_owner, conversation_id=conversation.id, text="",
                                files=[IncomingFile("other.png", encoded(picture(4)))])  # fmt: skip
    assert Asset.objects.filter(message=message).count() == 1


def test_perceptual_matching_keeps_other_images_apart() -> None:
    known_image_add(data=encoded(picture(1)), category="graphic_violence", note="", added_by_id=None)
    assert review_image(picture(1).resize((640, 480)), owner=None).blocked
    assert review_image(Image.open(io.BytesIO(encoded(picture(1), format="JPEG", quality=40))),
                        owner=None).blocked  # fmt: skip
    for seed in (2, 3, 4, 5):
        assert not review_image(picture(seed), owner=None).blocked, seed
    assert not review_image(picture(1).rotate(90, expand=True), owner=None).blocked


def test_the_image_itself_is_not_kept_when_listed() -> None:
    known_image_add(data=encoded(picture(2)), category="hate", note="symbol", added_by_id=None)
    assert _blob_files() == []
    with pytest.raises(Exception, match="already on the list"):
        known_image_add(data=encoded(picture(2)), category="hate", note="again", added_by_id=None)
    with pytest.raises(Exception, match="not a usable image"):
        known_image_add(data=b"not an image", category="hate", note="", added_by_id=None)
    with pytest.raises(Exception, match="Unknown category"):
        known_image_add(data=encoded(picture(3)), category="nonsense", note="", added_by_id=None)
    assert KnownImage.objects.count() == 1


def test_a_result_that_matches_a_known_image_is_refused_and_not_stored(guest_owner: Owner) -> None:
    conversation = conversation_create(owner=guest_owner)
    _, first = message_send(owner=guest_owner, conversation_id=conversation.id, text="a sunset poster")
    assert first is not None
    job_run(job_id=first.id)
    made = Asset.objects.get(job=first)
    with default_storage.open(made.blob_name) as handle:
        known_image_add(data=handle.read(), category="graphic_violence", note="", added_by_id=None)
    other = conversation_create(owner=guest_owner)
    _, job = message_send(owner=guest_owner, conversation_id=other.id, text="a sunset poster")
    assert job is not None
    blobs_before = _blob_files()
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (Job.Status.REFUSED, "content_blocked")
    assert "graphic violence" in job.error_message
    assert "reference B" in job.error_message
    assert not Asset.objects.filter(job=job).exists()
    assert _blob_files() == blobs_before
    assert BlockedAttempt.objects.get().stage == "result"
    refused = AuditEvent.objects.get(kind="generation.refused")
    assert refused.details["review"]["categories"] == ["graphic_violence"]


class _FlagEveryImage(Check):
    name = "flag_all"

    def review_image(self, image: Image.Image, *, owner: Owner | None) -> list[CheckResult]:
        return [CheckResult(check=self.name, action=Action.FLAG, category="violence", score=0.5, rule="test")]


def test_a_flagged_result_is_stored_and_queued(guest_owner: Owner, settings: Any) -> None:
    settings.MODERATION_CHECKS = [*settings.MODERATION_CHECKS, "tests.moderation.test_services._FlagEveryImage"]
    conversation = conversation_create(owner=guest_owner)
    _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a sunset poster")
    assert job is not None
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error_message
    asset = Asset.objects.get(job=job)
    item = ReviewItem.objects.get(stage="result")
    assert (item.asset_id, item.job_id, item.category, item.status) == (asset.id, job.id, "violence", "open")
    done = AuditEvent.objects.get(kind="generation.done")
    assert done.details["review"]["action"] == "flag"


@pytest.mark.parametrize(
    ("code", "category", "expected"),
    [
        ("image_safety", "HARM_CATEGORY_SEXUALLY_EXPLICIT", "sexual"),
        ("prohibited_content", "", "provider_policy"),
        ("blocked_prompt", "HARM_CATEGORY_DANGEROUS_CONTENT", "weapons"),
        ("blocked_prompt", "HARM_CATEGORY_HATE_SPEECH", "hate"),
        ("blocked_prompt", "HARM_CATEGORY_HARASSMENT", "harassment"),
        ("moderation_blocked", "", "provider_policy"),
        ("moderation_blocked", "sexual/minors", "sexual_minors"),
        ("moderation_blocked", "self-harm/instructions", "self_harm"),
        ("moderation_blocked", "violence/graphic", "graphic_violence"),
        ("refused", "violence", "violence"),
    ],
)
def test_provider_refusals_map_into_our_categories(code: str, category: str, expected: str) -> None:
    verdict = verdict_from_provider_refusal(ProviderRefused("no", code=code, category=category))
    assert verdict.blocked
    assert verdict.category == expected
    assert verdict.results[0].rule == f"provider:{code}" + (f":{category}" if category else "")


@pytest.mark.parametrize("code", ["refused", "needs_provider", "bad_request", "no_image", "third_party_disabled"])
def test_refusals_that_are_not_safety_verdicts_are_not_blocks(code: str) -> None:
    assert verdict_from_provider_refusal(ProviderRefused("no", code=code)).action.label == "allow"


def test_a_provider_safety_refusal_counts_toward_the_throttle(guest_owner: Owner) -> None:
    conversation = conversation_create(owner=guest_owner)
    _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a sunset poster")
    assert job is not None
    provider_refusal_review(owner=guest_owner, job_id=job.id, exc=ProviderRefused("no", code="image_safety"))
    provider_refusal_review(owner=guest_owner, job_id=job.id, exc=ProviderRefused("no", code="needs_provider"))
    attempt = BlockedAttempt.objects.get()
    assert (attempt.stage, attempt.category) == ("provider", "provider_policy")


def test_audit_records_hold_no_prompt_text(guest_owner: Owner) -> None:
    conversation = conversation_create(owner=guest_owner)
    with pytest.raises(ContentBlocked):
        message_send(owner=guest_owner, conversation_id=conversation.id, text=f"kill all muslims {MARKER}")
    _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text=f"{MARKER} call +44 20 7946 0958")
    assert job is not None
    job_run(job_id=job.id)
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {"moderation.blocked", "moderation.flagged", "generation.requested", "generation.done"} <= kinds
    with connection.cursor() as cursor:
        table = AuditEvent._meta.db_table
        cursor.execute(f"SELECT kind, actor, owner_key, target_type, target_id, details FROM {table}")
        rows = cursor.fetchall()
    dump = repr(rows).encode()
    assert MARKER.encode() not in dump
    assert MARKER.lower().encode() not in dump.lower()
    assert b"7946" not in dump
    assert b"muslims" not in dump


def test_blocked_attempts_expire_after_a_year(guest_owner: Owner) -> None:
    from nanobananas.moderation.services import blocked_attempts_purge
    from nanobananas.moderation.tasks import purge_old_blocked_attempts

    conversation = conversation_create(owner=guest_owner)
    for moment in (START, START + timedelta(days=200)):
        with time_machine.travel(moment, tick=False), pytest.raises(ContentBlocked):
            message_send(owner=guest_owner, conversation_id=conversation.id, text="slit my wrists")
    assert blocked_attempts_purge(now=START + timedelta(days=365)) == 0
    assert blocked_attempts_purge(now=START + timedelta(days=365, seconds=1)) == 1
    assert list(BlockedAttempt.objects.values_list("at", flat=True)) == [START + timedelta(days=200)]
    with time_machine.travel(START + timedelta(days=566), tick=False):
        purge_old_blocked_attempts()
    assert BlockedAttempt.objects.count() == 0
    assert AuditEvent.objects.filter(kind="moderation.blocked").count() == 2  # the audit trail stays
