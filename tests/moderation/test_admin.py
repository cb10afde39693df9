"""The staff review queue in the admin (allow, remove, escalate, suspend) and evidence: legal hold,
restricted and audited views, explicit release, and survival of account deletion and guest expiry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Guest, UserSession
from nanobananas.accounts.services import guest_create
from nanobananas.audit.models import AuditEvent
from nanobananas.core.exceptions import NotFound
from nanobananas.moderation.models import BlockedTerm, Evidence, EvidenceAccess, KnownImage, ReviewItem
from nanobananas.privacy.models import LegalHold
from nanobananas.privacy.services import cleanup_run
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Lifecycle, Message
from nanobananas.studio.selectors import asset_get
from nanobananas.studio.services import message_send
from nanobananas.vault.models import DataKey
from nanobananas.workflows.account_delete import account_delete, account_delete_under_13
from tests.conftest import blob_path
from tests.moderation.conftest import MARKER, encoded, picture

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
QUEUE = "/admin/moderation/reviewitem/"
FLAG_IMAGES = "tests.moderation.test_services._FlagEveryImage"


@pytest.fixture
def flag_images(settings: Any) -> None:
    settings.MODERATION_CHECKS = [*settings.MODERATION_CHECKS, FLAG_IMAGES]


def _flagged_result(owner: Owner, text: str = f"a lighthouse poster {MARKER}") -> tuple[ReviewItem, Asset]:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    assert job is not None
    job_run(job_id=job.id)
    asset = Asset.objects.get(job=job)
    return ReviewItem.objects.get(asset_id=asset.id), asset


def _act(client: Client, action: str, *items: ReviewItem) -> Any:
    return client.post(QUEUE, {"action": action, "_selected_action": [str(i.id) for i in items]}, follow=True)


def _open_evidence(client: Client, evidence: Evidence, why: str = "case 2026-114 from the police liaison") -> Any:
    return client.post(f"/admin/moderation/evidence/{evidence.id}/open/", {"why": why})


def test_the_queue_lists_flagged_items_with_reason_and_scores(moderator: Client, guest_owner: Owner,
                                                              flag_images: None) -> None:  # fmt: skip
    item, _ = _flagged_result(guest_owner)
    page = moderator.get(QUEUE)
    assert page.status_code == 200
    body = page.content.decode()
    assert str(item.asset_id) in body
    assert "violence" in body
    assert "0.5" in body
    assert moderator.get(QUEUE, {"status__exact": "open", "category__exact": "violence"}).status_code == 200
    assert MARKER not in body  # the prompt is content: shown only after an audited reason


def test_allow_keeps_the_item(moderator: Client, guest_owner: Owner, flag_images: None) -> None:
    item, asset = _flagged_result(guest_owner)
    assert _act(moderator, "allow_items", item).status_code == 200
    item.refresh_from_db()
    assert item.status == "allowed"
    assert item.decided_by is not None
    assert item.decided_by.username == "moderator"
    assert asset_get(owner=guest_owner, asset_id=asset.id).id == asset.id
    assert AuditEvent.objects.filter(kind="moderation.allowed", target_id=str(item.id)).count() == 1
    _act(moderator, "remove_items", item)
    item.refresh_from_db()
    assert item.status == "allowed"  # a decided item is not decided again


def test_remove_queues_the_image_like_a_user_deletion(moderator: Client, guest_owner: Owner,
                                                      flag_images: None) -> None:  # fmt: skip
    item, asset = _flagged_result(guest_owner)
    _act(moderator, "remove_items", item)
    asset.refresh_from_db()
    assert (asset.state, asset.deletion_reason) == (Lifecycle.QUEUED, "moderation")
    with pytest.raises(NotFound):
        asset_get(owner=guest_owner, asset_id=asset.id)
    path = blob_path(asset.blob_name)
    assert path.exists()
    cleanup_run()
    assert not Asset.objects.filter(id=asset.id).exists()
    assert not path.exists()


def test_staff_without_the_decide_permission_cannot_act(guest_owner: Owner, flag_images: None) -> None:
    from django.contrib.auth.models import Permission

    viewer = get_user_model().objects.create_user(username="viewer", password="x" * 12, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_reviewitem"))
    client = Client()
    client.force_login(viewer)
    item, asset = _flagged_result(guest_owner)
    _act(client, "remove_items", item)
    item.refresh_from_db()
    asset.refresh_from_db()
    assert (item.status, asset.state) == ("open", Lifecycle.ACTIVE)


def test_escalation_holds_the_item_and_keeps_its_context(moderator: Client, guest_owner: Owner,
                                                         flag_images: None) -> None:  # fmt: skip
    item, asset = _flagged_result(guest_owner)
    _act(moderator, "escalate_items", item)
    item.refresh_from_db()
    evidence = Evidence.objects.get()
    assert item.status == "escalated"
    assert (evidence.owner_key, evidence.asset_id, evidence.conversation_id) == (
        guest_owner.key, asset.id, asset.conversation_id
    )  # fmt: skip
    holds = LegalHold.objects.filter(released_at__isnull=True)
    assert {(h.asset_id, h.conversation_id) for h in holds} == {(asset.id, None), (None, asset.conversation_id)}
    assert sorted(evidence.holds) == sorted(str(h.id) for h in holds)
    context = evidence.context
    assert context["item"]["sha256"] == asset.sha256
    assert context["prompt_message_id"] == str(asset.job.request_id)  # type: ignore[union-attr]
    assert context["outputs"][0]["id"] == str(asset.id)
    assert context["owner_key"] == guest_owner.key
    assert MARKER not in str(context)  # ids, hashes and times; the prompt itself is sealed
    assert MARKER not in evidence.sealed_prompt
    with pytest.raises(NotFound):
        asset_get(owner=guest_owner, asset_id=asset.id)  # hidden from its owner at once


def test_evidence_opens_only_for_staff_with_view_evidence_and_every_view_is_audited(
    moderator: Client, investigator: Client, user_owner: Owner, flag_images: None
) -> None:
    item, asset = _flagged_result(user_owner)
    _act(moderator, "escalate_items", item)
    evidence = Evidence.objects.get()
    url = f"/admin/moderation/evidence/{evidence.id}/open/"

    owner_client = Client()
    owner_client.force_login(get_user_model().objects.get(pk=user_owner.user_id))
    assert owner_client.get(url).status_code == 404
    assert _open_evidence(owner_client, evidence).status_code == 404
    assert owner_client.get(f"/api/v1/assets/{asset.id}").status_code == 404
    assert Client().get(url).status_code == 404
    assert moderator.get(url).status_code == 403
    assert _open_evidence(moderator, evidence).status_code == 403
    assert moderator.get("/admin/moderation/evidence/").status_code == 403
    assert EvidenceAccess.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="evidence.viewed").exists()

    asking = investigator.get(url)
    assert asking.status_code == 200
    assert MARKER not in asking.content.decode()
    refused = _open_evidence(investigator, evidence, why="   ")
    assert refused.status_code == 400
    assert MARKER not in refused.content.decode()
    assert EvidenceAccess.objects.count() == 0

    shown = _open_evidence(investigator, evidence)
    assert shown.status_code == 200
    assert "no-store" in shown["Cache-Control"]
    assert "private" in shown["Cache-Control"]
    page = shown.content.decode()
    assert MARKER in page
    assert "data:image/png;base64," in page
    access = EvidenceAccess.objects.get()
    assert (access.viewer.username, access.why) == ("investigator", "case 2026-114 from the police liaison")
    viewed = AuditEvent.objects.get(kind="evidence.viewed")
    assert viewed.actor == f"staff:{access.viewer.pk}"
    assert viewed.details == {"access": access.id, "why": "case 2026-114 from the police liaison"}
    assert (viewed.target_type, viewed.target_id, viewed.owner_key) == ("evidence", str(evidence.id), user_owner.key)
    _open_evidence(investigator, evidence, why="second look for the same case 2026-114")
    assert AuditEvent.objects.filter(kind="evidence.viewed").count() == 2


def test_evidence_survives_guest_expiry_until_released(moderator: Client, investigator: Client,
                                                       flag_images: None) -> None:  # fmt: skip
    with time_machine.travel(START, tick=False):
        guest = Owner(guest_id=guest_create().id)
        item, asset = _flagged_result(guest)
        _other, other_asset = _flagged_result(guest, text="a second lighthouse")
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        _act(moderator, "escalate_items", item)
    evidence = Evidence.objects.get()
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        cleanup_run()
    with time_machine.travel(START + timedelta(days=30), tick=False):
        cleanup_run()
        cleanup_run()
    assert Asset.objects.filter(id=asset.id).exists()
    assert blob_path(asset.blob_name).exists()
    assert Conversation.objects.filter(id=asset.conversation_id).exists()
    assert Guest.objects.filter(id=guest.guest_id).exists()  # still owns held content, so its key stays
    assert not Asset.objects.filter(id=other_asset.id).exists()  # everything else went on time
    page = _open_evidence(investigator, evidence).content.decode()
    assert MARKER in page
    assert "data:image/png;base64," in page

    investigator.post("/admin/moderation/evidence/", {"action": "release", "_selected_action": [str(evidence.id)]})
    evidence.refresh_from_db()
    assert evidence.released_at is not None
    assert not LegalHold.objects.filter(released_at__isnull=True).exists()
    assert AuditEvent.objects.filter(kind="evidence.released", target_id=str(evidence.id)).count() == 1
    with time_machine.travel(START + timedelta(days=31), tick=False):
        cleanup_run()
        cleanup_run()
    assert not Asset.objects.filter(id=asset.id).exists()
    assert not blob_path(asset.blob_name).exists()
    assert Evidence.objects.filter(id=evidence.id).exists()  # the record of what was kept, and when


def test_evidence_survives_the_owners_account_deletion(moderator: Client, investigator: Client,
                                                       flag_images: None) -> None:  # fmt: skip
    user = get_user_model().objects.create_user(username="noor", email="noor@example.org", password="pw" * 8)
    owner = Owner(user_id=user.pk)
    with time_machine.travel(START, tick=False):
        item, asset = _flagged_result(owner)
        _act(moderator, "escalate_items", item)
        account_delete(user=user, password="pw" * 8, phrase="delete my account")
    evidence = Evidence.objects.get()
    with time_machine.travel(START + timedelta(days=10), tick=False):
        cleanup_run()
        cleanup_run()
    assert Asset.objects.filter(id=asset.id).exists()
    assert blob_path(asset.blob_name).exists()
    page = _open_evidence(investigator, evidence).content.decode()
    assert MARKER in page
    assert "data:image/png;base64," in page


def test_evidence_text_survives_even_a_hard_delete_of_the_account(moderator: Client, investigator: Client,
                                                                   flag_images: None) -> None:  # fmt: skip
    """An under-13 account is removed at once with its data key; the evidence record and its sealed
    prompt (under the evidence key) stay readable."""
    user = get_user_model().objects.create_user(username="kid", email="kid@example.org", password="x" * 12)
    staff = get_user_model().objects.get(username="moderator")
    item, _ = _flagged_result(Owner(user_id=user.pk))
    _act(moderator, "escalate_items", item)
    evidence = Evidence.objects.get()
    account_delete_under_13(user_id=user.pk, staff_user_id=staff.pk)
    assert not DataKey.objects.filter(owner_key=f"u{user.pk}").exists()
    assert not ReviewItem.objects.exists()
    evidence.refresh_from_db()
    assert evidence.review_item is None
    page = _open_evidence(investigator, evidence).content.decode()
    assert MARKER in page
    assert "(no image kept)" in page


def test_suspend_ends_sessions_and_is_audited(moderator: Client, user_owner: Owner, flag_images: None) -> None:
    owner_client = Client()
    owner_client.force_login(get_user_model().objects.get(pk=user_owner.user_id))
    assert UserSession.objects.filter(user_id=user_owner.user_id).count() == 1
    item, _ = _flagged_result(user_owner)
    _act(moderator, "suspend_owners", item)
    user = get_user_model().objects.get(pk=user_owner.user_id)
    assert user.is_active is False
    assert UserSession.objects.filter(user_id=user.pk).count() == 0
    assert owner_client.get("/api/v1/me").json()["kind"] == "guest"  # signed out everywhere
    event = AuditEvent.objects.get(kind="account.suspended")
    assert (event.target_id, event.details) == (str(user.pk), {"sessions_ended": 1})


def test_blocked_terms_are_validated_and_audited(moderator: Client) -> None:
    from django.contrib.auth.models import Permission

    staff = get_user_model().objects.get(username="moderator")
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_blockedterm", "view_blockedterm"]))
    bad = moderator.post("/admin/moderation/blockedterm/add/", {"term": "bad-word!", "category": "custom",
                                                                "action": "block"})  # fmt: skip
    assert bad.status_code == 200
    assert "letters and digits" in bad.content.decode()
    assert not BlockedTerm.objects.exists()
    good = moderator.post("/admin/moderation/blockedterm/add/", {"term": "acme logo", "category": "custom",
                                                                 "action": "flag", "note": "trademark"})  # fmt: skip
    assert good.status_code == 302
    term = BlockedTerm.objects.get()
    assert (term.term, term.action, term.added_by) == ("acme logo", "flag", staff)
    assert AuditEvent.objects.get(kind="moderation.blocklist_changed").details["change"] == "added"


def test_staff_add_a_known_image_by_upload_and_the_image_is_not_stored(moderator: Client) -> None:
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import blob_root

    staff = get_user_model().objects.get(username="moderator")
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["add_knownimage", "view_knownimage"]))
    upload = SimpleUploadedFile("x.png", encoded(picture(3)), content_type="image/png")
    response = moderator.post("/admin/moderation/knownimage/add/", {"image": upload, "category": "hate", "note": "n"})
    assert response.status_code == 302
    known = KnownImage.objects.get()
    assert (known.category, known.added_by) == ("hate", staff)
    root = blob_root()
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    broken = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    moderator.post("/admin/moderation/knownimage/add/", {"image": broken, "category": "hate", "note": ""})
    assert KnownImage.objects.count() == 1


def test_an_unknown_evidence_id_is_404(investigator: Client) -> None:
    assert investigator.get(f"/admin/moderation/evidence/{uuid.uuid4()}/open/").status_code == 404
    assert Message.objects.count() == 0


def test_the_flagged_prompt_shows_only_after_an_audited_reason(moderator: Client, guest_owner: Owner,
                                                               flag_images: None) -> None:  # fmt: skip
    item, asset = _flagged_result(guest_owner)
    change = f"{QUEUE}{item.id}/change/"
    hidden = moderator.get(change)
    assert hidden.status_code == 200
    assert MARKER not in hidden.content.decode()
    assert moderator.post(f"{QUEUE}{item.id}/content/", {"why": "checking an automatic flag"}).status_code == 302
    shown = moderator.get(change).content.decode()
    assert MARKER in shown
    assert f"/admin/studio/asset/{asset.id}/change/" in shown
    event = AuditEvent.objects.get(kind="staff.content_view")
    assert (event.target_type, event.target_id, event.owner_key) == (
        "moderation.reviewitem",
        str(item.id),
        guest_owner.key,
    )


def test_escalating_a_flagged_prompt_holds_its_conversation_and_hides_the_turn(
    moderator: Client, investigator: Client, guest_owner: Owner
) -> None:
    conversation = conversation_create(owner=guest_owner)
    message, job = message_send(
        owner=guest_owner, conversation_id=conversation.id, text=f"{MARKER} print my card 4111 1111 1111 1111"
    )
    assert job is not None
    item = ReviewItem.objects.get()
    assert (item.stage, item.category, item.asset_id) == ("prompt", "personal_data", None)
    _act(moderator, "escalate_items", item)
    evidence = Evidence.objects.get()
    holds = LegalHold.objects.filter(released_at__isnull=True)
    assert [(h.asset_id, h.conversation_id) for h in holds] == [(None, conversation.id)]
    message.refresh_from_db()
    assert message.state == Lifecycle.QUEUED
    cleanup_run()
    assert Message.objects.filter(id=message.id).exists()  # held, so not purged
    page = _open_evidence(investigator, evidence).content.decode()
    assert MARKER in page
    assert "(no image kept)" in page


def test_release_needs_its_permission(moderator: Client, guest_owner: Owner, flag_images: None) -> None:
    from django.contrib.auth.models import Permission

    item, _ = _flagged_result(guest_owner)
    _act(moderator, "escalate_items", item)
    evidence = Evidence.objects.get()
    staff = get_user_model().objects.get(username="moderator")
    staff.user_permissions.add(Permission.objects.get(codename="view_evidence"))
    moderator.post("/admin/moderation/evidence/", {"action": "release", "_selected_action": [str(evidence.id)]})
    evidence.refresh_from_db()
    assert evidence.released_at is None
    assert LegalHold.objects.filter(released_at__isnull=True).count() == 2
    assert not AuditEvent.objects.filter(kind="evidence.released").exists()
