"""Deleting an account: password and phrase, everything queued at once, a tombstone for 3 years, then nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, TestCase
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import ClosedAccount, Profile, QuotaUsage, UserSession
from nanobananas.accounts.services import quota_consume
from nanobananas.analytics.selectors import events_of_owner
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.models import AuditEvent
from nanobananas.billing.models import Invoice, PaymentCustomer, PaymentErasure, Subscription
from nanobananas.billing.services import payment_data_erase
from nanobananas.core.exceptions import Conflict, InvalidInput
from nanobananas.privacy.models import (
    ConsentEvent,
    DataExport,
    DeletionReceipt,
    LegalHold,
    PrivacySettings,
)
from nanobananas.privacy.services import (
    legal_hold_place,
    legal_hold_release,
    privacy_settings_update,
    retention_purge,
)
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.tokens.models import ApiToken
from nanobananas.tokens.services import token_authenticate, token_create
from nanobananas.vault.models import DataKey
from nanobananas.workflows.account_delete import account_delete
from nanobananas.workflows.signup import account_signup
from tests.accounts.conftest import PASSWORD, signup
from tests.billing.conftest import FakeStripe, fake_stripe, stripe_settings  # noqa: F401 (fixtures)
from tests.conftest import blob_path, csrf_headers
from tests.privacy.builders import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PHRASE = "delete my account"
START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
THREE_YEARS = timedelta(days=1095)


def _seed(user: User) -> dict[str, Any]:
    """A conversation with an upload and its edited version, a second one with a generated image, a ready
    export archive, an API token, a quota count, a subscription, a payment customer and an invoice."""
    owner = Owner(user_id=user.pk)
    first = conversation_create(owner=owner, title="bakery poster")
    _, job = message_send(
        owner=owner,
        conversation_id=first.id,
        text="make it black and white",
        files=[IncomingFile(name="shop.png", data=png_bytes())],
    )
    assert job is not None
    job_run(job_id=job.id)
    second = conversation_create(owner=owner, title="second")
    _, job = message_send(owner=owner, conversation_id=second.id, text="a poster for my bakery")
    assert job is not None
    job_run(job_id=job.id)
    quota_consume(owner=owner)
    privacy_settings_update(owner, analytics=True)
    privacy_settings_update(owner, improve_ai=True)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the events are stored once this commits
        analytics_record(owner, "generation_completed", provider="builtin", operation="poster", duration_ms=40)
        analytics_record(owner, "export_requested")
    archive = default_storage.save(f"exports/u{user.pk}/archive.zip", ContentFile(b"zip bytes"))
    now = timezone.now()
    export = DataExport.objects.create(
        user=user, status=DataExport.Status.READY, blob_name=archive, byte_size=9, sha256="1" * 64,
        requested_at=now, ready_at=now, expires_at=now + timedelta(days=7),
    )  # fmt: skip
    _token, raw = token_create(user_id=user.pk, name="laptop script", scopes=["images:write"])
    Subscription.objects.create(
        user=user, provider="offline", external_id=f"offline_{user.pk}", status="active", state_at=now
    )
    PaymentCustomer.objects.create(user=user, provider="offline", customer_id=f"cus_{user.pk}")
    Invoice.objects.create(
        user=user, provider="offline", external_id=f"in_{user.pk}", status="paid", currency="eur",
        amount_due=900, amount_paid=900, issued_at=now,
    )  # fmt: skip
    blobs = list(Asset.objects.filter(owner_user_id=user.pk).values_list("blob_name", flat=True))
    assert len(blobs) == 3
    assert all(blob_path(name).exists() for name in blobs)
    return {"conversations": [first, second], "export": export, "token": raw, "blobs": [*blobs, archive]}


def _signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="nanobananas.accounts.backends.EmailOrUsernameBackend")
    return client


def _delete(
    client: Client, *, password: str = PASSWORD, phrase: str = PHRASE, headers: dict[str, str] | None = None
) -> Any:
    return client.post(
        "/api/v1/me/delete",
        data=json.dumps({"password": password, "phrase": phrase}),
        content_type="application/json",
        headers=headers if headers is not None else csrf_headers(client),
    )


def _owned_counts(user_id: int) -> dict[str, int]:
    return {
        "conversations": Conversation.objects.filter(owner_user_id=user_id).count(),
        "messages": Message.objects.filter(conversation__owner_user_id=user_id).count(),
        "images": Asset.objects.filter(owner_user_id=user_id).count(),
        "jobs": Job.objects.filter(conversation__owner_user_id=user_id).count(),
        "exports": DataExport.objects.filter(user_id=user_id).count(),
        "sessions": UserSession.objects.filter(user_id=user_id).count(),
        "tokens": ApiToken.objects.filter(user_id=user_id).count(),
        "quota": QuotaUsage.objects.filter(owner_user_id=user_id).count(),
        "analytics": len(events_of_owner(owner=Owner(user_id=user_id))),
        "data_keys": DataKey.objects.filter(owner_key=f"u{user_id}").count(),
    }


def test_deleting_hides_everything_at_once_signs_out_everywhere_and_leaves_only_a_tombstone(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = signup()
    seeded = _seed(user)
    other = signup(username="bob", email="bob@example.org", display_name="Bob")
    theirs = _seed(other)
    theirs_before = _owned_counts(other.pk)
    assert theirs_before == {
        "conversations": 2, "messages": 4, "images": 3, "jobs": 2, "exports": 1, "sessions": 0, "tokens": 1,
        "quota": 2, "analytics": 2, "data_keys": 1,
    }  # fmt: skip
    client = _signed_in(user)
    second_browser = _signed_in(user)
    image = Asset.objects.filter(owner_user_id=user.pk).first()
    assert image is not None
    assert client.get(f"/api/v1/assets/{image.id}").status_code == 200
    headers = csrf_headers(client)  # a page view: an analytics event while analytics are on
    analytics = len(events_of_owner(owner=Owner(user_id=user.pk)))
    assert analytics >= 2
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(client, headers=headers)

    assert response.status_code == 200
    body = response.json()
    closed = ClosedAccount.objects.get(user_id=user.pk)
    assert body["deleted"] is True
    in_ms = closed.purge_after.replace(microsecond=closed.purge_after.microsecond // 1000 * 1000)
    assert parse_datetime(body["purge_after"]) == in_ms
    assert closed.purge_after - closed.closed_at == THREE_YEARS
    # Hidden at once, for this browser, another browser of the same account and any link.
    for browser in (client, second_browser):
        assert browser.get("/api/v1/me").json()["kind"] == "guest"
        assert browser.get(f"/api/v1/assets/{image.id}").status_code == 404
        assert browser.get(f"/api/v1/conversations/{seeded['conversations'][0].id}").status_code == 404
    assert set(Asset.objects.filter(owner_user_id=user.pk).values_list("state", flat=True)) == {Lifecycle.QUEUED}
    assert set(Message.objects.filter(conversation__owner_user_id=user.pk).values_list("state", flat=True)) == {
        Lifecycle.QUEUED
    }
    assert set(Conversation.objects.filter(owner_user_id=user.pk).values_list("state", flat=True)) == {Lifecycle.QUEUED}
    # The API token stops at once.
    assert token_authenticate(raw=seeded["token"], scope="images:write") is None
    refused = Client().post(
        "/v1/images/generations",
        data=json.dumps({"prompt": "a poster"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {seeded['token']}"},
    )
    assert refused.status_code == 401
    # The tombstone: nothing that names the person.
    tombstone = User.objects.get(pk=user.pk)
    assert (tombstone.username, tombstone.email, tombstone.first_name, tombstone.last_name) == (
        f"deleted:{user.pk}",
        "",
        "",
        "",
    )
    assert not tombstone.is_active
    assert not tombstone.has_usable_password()
    profile = Profile.objects.get(user_id=user.pk)
    assert (profile.display_name, profile.email_key, profile.email_verified_at, profile.pending_email) == (
        "",
        None,
        None,
        "",
    )
    # One confirmation email, to the old address, saying what went and what stays until when.
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.subject == "Your Nanobananas account has been deleted"
    assert f"They are kept until {closed.purge_after:%-d %B %Y}" in message.body
    assert "billing records" in message.body
    event = AuditEvent.objects.get(kind="account.delete")
    assert (event.actor, event.target_id) == (f"user:{user.pk}", str(user.pk))
    assert event.details == {
        "images": 3,
        "messages": 4,
        "conversations": 2,
        "jobs_stopped": 0,
        "exports": 1,
        "analytics_events": analytics,
        "feedback": 0,
        "bug_reports": 0,
        # What personalization learned from the test provider's results (it made all of them).
        "learned_preferences": 1,
        "review_items_deleted": 0,
        "review_items_redacted": 0,
        "sessions": 2,
        "tokens": 1,
        "purge_after": closed.purge_after.isoformat(),
    }
    line = str(AuditEvent.objects.values().get(id=event.id))
    for content in ("ana@example.org", "Ana Lima", "bakery", "laptop script"):
        assert content not in line
    # The data key stays until the content is purged: the purge still has to write receipts.
    assert DataKey.objects.filter(owner_key=f"u{user.pk}").exists()

    with django_capture_on_commit_callbacks(execute=True):
        result = retention_purge()

    assert {kind: result.purged.get(kind) for kind in ("asset", "message", "conversation")} == {
        "asset": 3,
        "message": 4,
        "conversation": 2,
    }
    assert _owned_counts(user.pk) == dict.fromkeys(_owned_counts(user.pk), 0)
    for name in seeded["blobs"]:
        assert not blob_path(name).exists(), name
    # Only the tombstone and billing remain.
    assert User.objects.filter(pk=user.pk).count() == 1
    assert ClosedAccount.objects.get(user_id=user.pk).keys_shredded_at is not None
    assert Subscription.objects.filter(user_id=user.pk).count() == 1
    assert PaymentCustomer.objects.filter(user_id=user.pk).count() == 1
    assert Invoice.objects.filter(user_id=user.pk).count() == 1
    assert ConsentEvent.objects.filter(owner_user_id=user.pk).count() == 2
    assert PrivacySettings.objects.filter(owner_user_id=user.pk).count() == 1
    # The other account is untouched.
    assert _owned_counts(other.pk) == theirs_before
    for name in theirs["blobs"]:
        assert blob_path(name).exists(), name
    assert User.objects.get(pk=other.pk).is_active
    assert token_authenticate(raw=theirs["token"], scope="images:write") is not None


@pytest.mark.parametrize(
    ("password", "phrase", "code"),
    [
        ("wrong password", PHRASE, "wrong_password"),
        ("", PHRASE, "wrong_password"),
        (PASSWORD, "delete my acount", "wrong_confirmation_phrase"),
        (PASSWORD, "", "wrong_confirmation_phrase"),
        (PASSWORD, "yes", "wrong_confirmation_phrase"),
    ],
)
def test_a_wrong_password_or_phrase_is_refused_and_changes_nothing(password: str, phrase: str, code: str) -> None:
    user = signup()
    seeded = _seed(user)
    client = _signed_in(user)
    headers = csrf_headers(client)
    before = _owned_counts(user.pk)
    mail.outbox.clear()
    audit_count = AuditEvent.objects.count()

    response = _delete(client, password=password, phrase=phrase, headers=headers)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert "Nothing was deleted" in response.json()["error"]["message"]
    assert _owned_counts(user.pk) == before
    assert set(Asset.objects.filter(owner_user_id=user.pk).values_list("state", flat=True)) == {Lifecycle.ACTIVE}
    assert not ClosedAccount.objects.exists()
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.username, fresh.email, fresh.is_active) == ("ana", "ana@example.org", True)
    assert fresh.check_password(PASSWORD)
    assert client.get("/api/v1/me").json()["kind"] == "user"
    assert token_authenticate(raw=seeded["token"], scope="images:write") is not None
    assert mail.outbox == []
    assert AuditEvent.objects.count() == audit_count


def test_the_phrase_is_trimmed_and_case_insensitive() -> None:
    user = signup()
    deletion = account_delete(user=user, password=PASSWORD, phrase="  Delete My ACCOUNT \n")
    assert ClosedAccount.objects.get(user_id=user.pk).purge_after == deletion.purge_after


def test_a_guest_cannot_call_it_and_a_missing_field_is_a_clear_error() -> None:
    guest = Client(enforce_csrf_checks=True)
    response = _delete(guest)
    assert response.status_code == 401
    user = signup()
    client = _signed_in(user)
    response = client.post(
        "/api/v1/me/delete",
        data=json.dumps({"password": PASSWORD}),
        content_type="application/json",
        headers=csrf_headers(client),
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "invalid_input", "message": "phrase: Field required"}
    assert User.objects.get(pk=user.pk).is_active


def test_without_the_csrf_token_nothing_happens() -> None:
    user = signup()
    client = _signed_in(user)
    response = client.post(
        "/api/v1/me/delete",
        data=json.dumps({"password": PASSWORD, "phrase": PHRASE}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert User.objects.get(pk=user.pk).is_active


def test_a_staff_account_is_not_deleted_this_way() -> None:
    staff = User.objects.create_user(username="boss", email="boss@example.org", password=PASSWORD, is_staff=True)
    with pytest.raises(Conflict) as refused:
        account_delete(user=staff, password=PASSWORD, phrase=PHRASE)
    assert refused.value.code == "staff_account"
    assert User.objects.get(pk=staff.pk).is_active
    assert not ClosedAccount.objects.exists()


def test_the_email_and_username_can_be_used_for_a_new_account_at_once() -> None:
    user = signup()
    account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    again = signup()
    assert again.pk != user.pk
    assert (again.username, again.email) == ("ana", "ana@example.org")
    assert Profile.objects.get(user=again).email_key == "ana@example.org"
    with pytest.raises(InvalidInput):  # the tombstone's placeholder is not a name anyone can take
        account_signup(
            email="x@example.org", username=f"deleted:{user.pk}", display_name="X", password=PASSWORD,
            link_base="http://testserver/", birth_month=1, birth_year=1990,
        )  # fmt: skip


def test_held_items_survive_the_deletion_and_the_purge() -> None:
    user = signup()
    _seed(user)
    held_conversation, free_conversation = (
        Conversation.objects.filter(owner_user_id=user.pk).order_by("created_at").all()
    )
    held_image = Asset.objects.filter(conversation=free_conversation).get()
    legal_hold_place(reason="evidence", placed_by_id=None, asset_id=held_image.id)
    legal_hold_place(reason="evidence", placed_by_id=None, conversation_id=held_conversation.id)

    account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    retention_purge()

    held_image.refresh_from_db()
    assert held_image.state == Lifecycle.ACTIVE
    assert blob_path(held_image.blob_name).exists()
    assert Asset.objects.filter(conversation=held_conversation, state=Lifecycle.ACTIVE).count() == 2
    assert Message.objects.filter(conversation=held_conversation, state=Lifecycle.ACTIVE).count() == 2
    assert Conversation.objects.get(id=held_conversation.id).state == Lifecycle.ACTIVE
    # The data key stays while anything of the account is kept, so held items can still be read.
    assert DataKey.objects.filter(owner_key=f"u{user.pk}").exists()
    assert ClosedAccount.objects.get(user_id=user.pk).keys_shredded_at is None
    # Three years later the tombstone still waits for the held items.
    with time_machine.travel(timezone.now() + THREE_YEARS + timedelta(days=1), tick=False):
        retention_purge()
    assert User.objects.filter(pk=user.pk).exists()


def test_an_owner_hold_keeps_all_content_and_the_tombstone_until_released() -> None:
    user = signup()
    _seed(user)
    hold = legal_hold_place(reason="evidence", placed_by_id=None, owner_user_id=user.pk)
    with time_machine.travel(START, tick=False):
        account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    assert set(Asset.objects.filter(owner_user_id=user.pk).values_list("state", flat=True)) == {Lifecycle.ACTIVE}
    assert not User.objects.get(pk=user.pk).is_active
    assert UserSession.objects.filter(user_id=user.pk).count() == 0
    with time_machine.travel(START + THREE_YEARS + timedelta(seconds=1), tick=False):
        retention_purge()
        assert User.objects.filter(pk=user.pk).exists()
        assert DataKey.objects.filter(owner_key=f"u{user.pk}").exists()
        legal_hold_release(hold_id=hold.id, released_by_id=None)
    # Released: the content goes by its own expiry (the sweep), then the key, then the tombstone.
    with time_machine.travel(START + THREE_YEARS + timedelta(minutes=5), tick=False):
        from nanobananas.privacy.services import cleanup_run

        cleanup_run()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not LegalHold.objects.filter(owner_user_id=user.pk).exists()
    assert _owned_counts(user.pk) == dict.fromkeys(_owned_counts(user.pk), 0)


def test_the_tombstone_is_kept_three_years_to_the_second_then_purged_with_billing() -> None:
    with time_machine.travel(START, tick=False):
        user = signup()
        _seed(user)
        account_delete(user=user, password=PASSWORD, phrase=PHRASE)
        retention_purge()
    assert ClosedAccount.objects.get(user_id=user.pk).purge_after == START + THREE_YEARS

    with time_machine.travel(START + THREE_YEARS - timedelta(seconds=1), tick=False):
        retention_purge()
    assert User.objects.filter(pk=user.pk).exists()
    assert Invoice.objects.filter(user_id=user.pk).count() == 1
    assert ConsentEvent.objects.filter(owner_user_id=user.pk).count() == 2
    assert not DeletionReceipt.objects.filter(kind="account").exists()

    with time_machine.travel(START + THREE_YEARS + timedelta(seconds=1), tick=False):
        result = retention_purge()
    assert result.purged["account"] == 1
    assert not User.objects.filter(pk=user.pk).exists()
    assert not Profile.objects.filter(user_id=user.pk).exists()
    assert not ClosedAccount.objects.filter(user_id=user.pk).exists()
    assert not Subscription.objects.filter(user_id=user.pk).exists()
    assert not PaymentCustomer.objects.filter(user_id=user.pk).exists()
    assert not Invoice.objects.filter(external_id=f"in_{user.pk}").exists()
    assert not ConsentEvent.objects.filter(owner_user_id=user.pk).exists()
    assert not PrivacySettings.objects.filter(owner_user_id=user.pk).exists()
    receipt = DeletionReceipt.objects.get(kind="account")
    assert (receipt.item_id, receipt.owner_key, receipt.reason) == (str(user.pk), f"u{user.pk}", "retention")
    assert (receipt.queued_at, receipt.expires_at, receipt.purged_at) == (
        START,
        START + THREE_YEARS,
        START + THREE_YEARS + timedelta(seconds=1),
    )
    assert AuditEvent.objects.filter(kind="account.purged", target_id=str(user.pk)).count() == 1
    # Running it again is harmless.
    with time_machine.travel(START + THREE_YEARS + timedelta(minutes=5), tick=False):
        assert "account" not in retention_purge().purged


def test_the_retention_period_follows_the_setting(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "CLOSED_ACCOUNT_RETENTION_DAYS": 30}
    user = signup()
    deletion = account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    assert deletion.purge_after - deletion.closed_at == timedelta(days=30)


def test_a_running_job_is_stopped_and_its_result_thrown_away() -> None:
    user = signup()
    owner = Owner(user_id=user.pk)
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    assert job is not None
    account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    stopped = Job.objects.get(id=job.id)
    assert (stopped.status, stopped.error_code) == (Job.Status.FAILED, "account_deleted")
    job_run(job_id=job.id)
    assert not Asset.objects.filter(owner_user_id=user.pk).exists()


def test_the_subscription_is_canceled_then_the_customer_deleted_at_the_provider_after_commit(
    stripe_settings: FakeStripe,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = signup()
    stripe_settings.customer_add("cus_9", email="ada@example.org")
    stripe_settings.subscription_add("sub_9", customer="cus_9")
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_9")
    Subscription.objects.create(
        user=user, provider="stripe", external_id="sub_9", customer_id="cus_9", status="active", state_at=START
    )
    Subscription.objects.create(user=user, provider="stripe", external_id="sub_old", status="canceled", state_at=START)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    assert stripe_settings.requests == [("DELETE /v1/subscriptions/sub_9", {}), ("DELETE /v1/customers/cus_9", {})]
    assert stripe_settings.customers["cus_9"] == {"id": "cus_9", "object": "customer", "deleted": True}
    assert Subscription.objects.get(external_id="sub_9").status == Subscription.Status.CANCELED
    assert sorted(AuditEvent.objects.filter(owner_key=f"u{user.pk}").values_list("kind", flat=True)) == [
        "account.delete", "account.payment_customer_deleted", "account.subscription_canceled",
    ]  # fmt: skip
    assert not PaymentErasure.objects.filter(done_at__isnull=True).exists()
    # Safe to run again: nothing done is sent to the provider twice.
    assert payment_data_erase(user_id=user.pk) == 0
    assert len(stripe_settings.requests) == 2


def test_a_provider_failure_never_blocks_the_deletion_and_is_retried(
    stripe_settings: FakeStripe,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from huey.contrib.djhuey import HUEY

    user = signup()
    stripe_settings.customer_add("cus_9", email="ada@example.org")
    stripe_settings.subscription_add("sub_9", customer="cus_9")
    Subscription.objects.create(
        user=user, provider="stripe", external_id="sub_9", customer_id="cus_9", status="active", state_at=START
    )
    stripe_settings.fail_with = 400  # 5xx would also be retried inside the Stripe SDK, making more requests
    scheduled_before = len(HUEY.scheduled())
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    assert ClosedAccount.objects.filter(user_id=user.pk).exists()
    assert "could not cancel stripe subscription sub_9 of a deleted account" in caplog.text
    assert Subscription.objects.get(external_id="sub_9").status == Subscription.Status.ACTIVE
    # The customer is not deleted while its subscription is not canceled.
    assert stripe_settings.requests == [("DELETE /v1/subscriptions/sub_9", {})]
    [retry] = HUEY.scheduled()[scheduled_before:]
    assert retry.args == (user.pk,)
    # The retry, once the provider answers again:
    stripe_settings.fail_with = None
    assert payment_data_erase(user_id=user.pk) == 2
    assert Subscription.objects.get(external_id="sub_9").status == Subscription.Status.CANCELED
    cancel, delete = ("DELETE /v1/subscriptions/sub_9", {}), ("DELETE /v1/customers/cus_9", {})
    assert stripe_settings.requests == [cancel, cancel, delete]
    HUEY.flush()


def test_deleting_twice_is_refused() -> None:
    user = signup()
    account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    user.refresh_from_db()
    with pytest.raises(InvalidInput):  # the password is gone with the account
        account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    assert ClosedAccount.objects.filter(user_id=user.pk).count() == 1


def test_a_key_made_again_after_the_shred_is_deleted_by_the_next_purge() -> None:
    from nanobananas.vault.keyring import data_key_get_or_create

    user = signup()
    other = signup(username="bob", email="bob@example.org", display_name="Bob")
    _seed(user)
    _seed(other)
    account_delete(user=user, password=PASSWORD, phrase=PHRASE)
    retention_purge()
    assert not DataKey.objects.filter(owner_key=f"u{user.pk}").exists()
    data_key_get_or_create(owner_key=f"u{user.pk}")  # e.g. a job that was running when the account closed
    retention_purge()
    assert not DataKey.objects.filter(owner_key=f"u{user.pk}").exists()
    assert DataKey.objects.filter(owner_key=f"u{other.pk}").count() == 1


def test_under_13_deletes_every_blob_through_the_durable_queue_and_a_failure_stays_queued(
    django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    from nanobananas.privacy.models import PendingBlobDeletion
    from nanobananas.workflows.account_delete import account_delete_under_13

    staff = User.objects.create_user(username="boss", password="x" * 12, is_staff=True)
    child = signup(username="kiddo", email="kiddo@example.org", display_name="Kiddo")
    seeded = _seed(child)  # three images and a ready export archive
    other = signup(username="bob", email="bob@example.org", display_name="Bob")
    theirs = _seed(other)

    def storage_down(self: Any, name: str) -> None:
        raise OSError("storage unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(type(default_storage._wrapped), "delete", storage_down)
        with django_capture_on_commit_callbacks(execute=True):
            account_delete_under_13(user_id=child.pk, staff_user_id=staff.pk)

    assert not User.objects.filter(pk=child.pk).exists()
    # Nothing was lost: every blob of the child, the export archive too, waits in the queue.
    queued = PendingBlobDeletion.objects.order_by("blob_name")
    assert sorted(queued.values_list("blob_name", flat=True)) == sorted(seeded["blobs"])
    assert set(queued.values_list("attempts", flat=True)) == {1}
    assert all(blob_path(name).exists() for name in seeded["blobs"])
    assert AuditEvent.objects.get(kind="account.hard_deleted").details == {"cause": "under_13", "blobs": 4}

    retention_purge()
    assert not PendingBlobDeletion.objects.exists()
    assert not any(blob_path(name).exists() for name in seeded["blobs"])
    assert all(blob_path(name).exists() for name in theirs["blobs"])
