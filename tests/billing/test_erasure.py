"""A deleted account's records at the payment provider: subscriptions canceled, then customers deleted, through
the real stripe SDK against a local fake of Stripe's REST API; recorded, retried, and never blocking the deletion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from nanobananas.audit.models import AuditEvent
from nanobananas.billing.exceptions import PaymentProviderError
from nanobananas.billing.models import PaymentCustomer, PaymentErasure, Subscription
from nanobananas.billing.services import payment_data_erase, payment_erasure_request, payment_erasures_retry
from nanobananas.workflows.account_delete import account_delete, account_delete_under_13
from tests.accounts.conftest import PASSWORD
from tests.billing.conftest import FakeStripe

pytestmark = [pytest.mark.django_db, pytest.mark.database]

CANCEL = ("DELETE /v1/subscriptions/sub_77", {})
DELETE = ("DELETE /v1/customers/cus_77", {})


def _paying(user: User, stripe: FakeStripe, *, status: str = "active") -> None:
    """A Pro subscriber as Stripe and our records know them."""
    stripe.customer_add("cus_77", email=user.email)
    stripe.subscription_add("sub_77", customer="cus_77", status=status)
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_77")
    Subscription.objects.create(
        user=user, provider="stripe", external_id="sub_77", customer_id="cus_77", status=status,
        state_at=timezone.now(),
    )  # fmt: skip


def _staff() -> User:
    return User.objects.create_user(username="staff", password="x" * 12, is_staff=True)


def _erasures() -> list[tuple[int, str, str, bool, int]]:
    """(user id, kind, provider's id, done, attempts) of every listed record."""
    rows = PaymentErasure.objects.order_by("kind")
    return [(row.user_id, row.kind, row.external_id, row.done_at is not None, row.attempts) for row in rows]


def test_a_childs_account_is_gone_at_once_and_its_customer_still_deleted_at_stripe(
    user: User, stripe_settings: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    _paying(user, stripe_settings)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete_under_13(user_id=user.pk, staff_user_id=_staff().pk)
    assert not User.objects.filter(pk=user.pk).exists()
    assert stripe_settings.requests == [CANCEL, DELETE]
    assert stripe_settings.subscriptions["sub_77"]["status"] == "canceled"
    assert stripe_settings.customers["cus_77"] == {"id": "cus_77", "object": "customer", "deleted": True}
    # The record that it was done outlives the account row (no foreign key), with an audit event each.
    assert _erasures() == [
        (user.pk, "customer_delete", "cus_77", True, 1),
        (user.pk, "subscription_cancel", "sub_77", True, 1),
    ]
    assert sorted(
        AuditEvent.objects.filter(target_type="payment_erasure").values_list("kind", "owner_key", "details")
    ) == [
        ("account.payment_customer_deleted", f"u{user.pk}", {"provider": "stripe"}),
        ("account.subscription_canceled", f"u{user.pk}", {"provider": "stripe"}),
    ]


def test_a_former_customer_without_a_paid_subscription_is_deleted_too(
    user: User, stripe_settings: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    _paying(user, stripe_settings, status="canceled")
    PaymentCustomer.objects.all().delete()  # known only from the ended subscription
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase="delete my account")
    assert stripe_settings.requests == [DELETE]
    assert stripe_settings.customers["cus_77"]["deleted"] is True


def test_a_customer_stripe_no_longer_has_counts_as_deleted(user: User, stripe_settings: FakeStripe) -> None:
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_77")
    assert payment_erasure_request(user_id=user.pk) == 1
    assert payment_data_erase(user_id=user.pk) == 1
    assert stripe_settings.requests == [DELETE]  # answered 404 resource_missing
    assert _erasures() == [(user.pk, "customer_delete", "cus_77", True, 1)]


def test_the_customer_waits_until_its_subscription_is_canceled_and_each_failure_is_recorded(
    user: User, stripe_settings: FakeStripe, caplog: pytest.LogCaptureFixture
) -> None:
    _paying(user, stripe_settings)
    payment_erasure_request(user_id=user.pk)
    stripe_settings.fail_with = 402
    with pytest.raises(PaymentProviderError, match=r"^the payment provider did not end sub_77; the job tries again$"):
        payment_data_erase(user_id=user.pk)
    assert stripe_settings.requests == [CANCEL]
    assert _erasures() == [
        (user.pk, "customer_delete", "cus_77", False, 0),
        (user.pk, "subscription_cancel", "sub_77", False, 1),
    ]
    failed = PaymentErasure.objects.get(kind="subscription_cancel")
    assert failed.last_error == "PaymentProviderError: Stripe did not cancel sub_77: No such price: 'price_pro_monthly'"
    assert Subscription.objects.get().status == "active"
    assert stripe_settings.customers["cus_77"]["deleted"] is False
    assert not AuditEvent.objects.filter(target_type="payment_erasure").exists()
    assert "could not cancel stripe subscription sub_77 of a deleted account" in caplog.text


def test_a_wrong_api_key_is_a_failure_not_a_deletion(user: User, stripe_settings: FakeStripe, settings: Any) -> None:
    stripe_options = settings.PAYMENT_PROVIDERS["stripe"]["OPTIONS"]
    settings.PAYMENT_PROVIDERS = {
        **settings.PAYMENT_PROVIDERS,
        "stripe": {
            **settings.PAYMENT_PROVIDERS["stripe"],
            "OPTIONS": {**stripe_options, "secret_key": "sk_test_wrong"},
        },
    }
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_77")
    stripe_settings.customer_add("cus_77", email=user.email)
    payment_erasure_request(user_id=user.pk)
    with pytest.raises(PaymentProviderError):
        payment_data_erase(user_id=user.pk)
    assert stripe_settings.customers["cus_77"]["deleted"] is False
    assert _erasures() == [(user.pk, "customer_delete", "cus_77", False, 1)]


def test_when_the_queue_is_down_the_periodic_pass_finishes_the_erasure(
    user: User,
    stripe_settings: FakeStripe,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from nanobananas.billing.services import ERASURE_JOB
    from nanobananas.registry import jobs

    def queue_down(user_id: int) -> None:
        raise ConnectionError("redis is down")

    _paying(user, stripe_settings)
    monkeypatch.setitem(jobs._JOBS, ERASURE_JOB, queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase="delete my account")
    assert f"could not queue the payment erasure of deleted account {user.pk}" in caplog.text
    assert stripe_settings.requests == []
    assert payment_erasures_retry() == (2, 0)
    assert stripe_settings.requests == [CANCEL, DELETE]
    assert payment_erasures_retry() == (0, 0)
    assert len(stripe_settings.requests) == 2


def test_done_records_go_after_the_closed_account_retention(user: User, stripe_settings: FakeStripe) -> None:
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_77")
    stripe_settings.customer_add("cus_77", email=user.email)
    payment_erasure_request(user_id=user.pk)
    payment_data_erase(user_id=user.pk)
    done_at = PaymentErasure.objects.get().done_at
    assert done_at is not None
    kept = timedelta(days=1095)
    assert payment_erasures_retry(now=done_at + kept) == (0, 0)
    assert payment_erasures_retry(now=done_at + kept + timedelta(seconds=1)) == (0, 1)
    assert not PaymentErasure.objects.exists()


def test_an_offline_subscription_ends_here_and_nothing_is_sent_anywhere(
    user: User, stripe_settings: FakeStripe, django_capture_on_commit_callbacks: Any
) -> None:
    from nanobananas.billing.services import offline_subscription_activate

    offline_subscription_activate(user_id=user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase="delete my account")
    assert Subscription.objects.get().status == "canceled"
    assert _erasures() == [(user.pk, "subscription_cancel", Subscription.objects.get().external_id, True, 1)]
    assert stripe_settings.requests == []


def test_accounts_deleted_before_this_release_are_listed_and_erased_by_the_periodic_pass(
    user: User, stripe_settings: FakeStripe
) -> None:
    import importlib

    from django.apps import apps

    from nanobananas.accounts.models import ClosedAccount

    backfill = importlib.import_module("nanobananas.billing.migrations.0003_payment_erasure_backfill").backfill
    _paying(user, stripe_settings)
    still_here = User.objects.create_user(username="still", email="still@example.org", password="x" * 12)
    PaymentCustomer.objects.create(user=still_here, provider="stripe", customer_id="cus_88")
    # Closed by the old code: the account is a tombstone, nothing was listed.
    ClosedAccount.objects.create(user=user, closed_at=timezone.now(), purge_after=timezone.now() + timedelta(days=1095))
    backfill(apps, None)
    backfill(apps, None)  # a second run lists nothing twice
    assert _erasures() == [
        (user.pk, "customer_delete", "cus_77", False, 0),
        (user.pk, "subscription_cancel", "sub_77", False, 0),
    ]
    assert payment_erasures_retry() == (2, 0)
    assert stripe_settings.requests == [CANCEL, DELETE]
