"""Stripe webhooks: signed with the real scheme, applied once, out-of-order deliveries resolved by event time."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Profile
from nanobananas.accounts.selectors import plan_for, retention_hours_for
from nanobananas.accounts.services import retention_set
from nanobananas.billing.models import Invoice, PaymentCustomer, Subscription, WebhookEvent
from tests.billing.conftest import FakeStripe, deliver, event, sign

pytestmark = [pytest.mark.django_db, pytest.mark.database]

T0 = 1_780_000_000


def _checkout(user: User, event_id: str = "evt_checkout", created: int = T0) -> bytes:
    return event(
        event_id,
        "checkout.session.completed",
        {
            "id": "cs_1",
            "object": "checkout.session",
            "client_reference_id": str(user.pk),
            "customer": "cus_1",
            "subscription": "sub_1",
            "payment_status": "paid",
            "metadata": {"user_id": str(user.pk)},
        },
        created=created,
    )


def _subscription(user: User, event_id: str, event_type: str, status: str, created: int) -> bytes:
    return event(
        event_id,
        event_type,
        {
            "id": "sub_1",
            "object": "subscription",
            "customer": "cus_1",
            "status": status,
            "metadata": {"user_id": str(user.pk)},
            "items": {"data": [{"current_period_end": T0 + 30 * 86400}]},
        },
        created=created,
    )


def _plan(user: User) -> str:
    return plan_for(owner=Owner(user_id=user.pk)).code


def _state() -> list[Any]:
    return [
        list(Subscription.objects.values_list("external_id", "status", "state_at")),
        WebhookEvent.objects.count(),
        list(PaymentCustomer.objects.values_list("customer_id", flat=True)),
        Invoice.objects.count(),
    ]


def test_a_signed_checkout_event_makes_the_user_pro_once(user: User, stripe_settings: FakeStripe) -> None:
    payload = _checkout(user)
    response = deliver(payload)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    assert _plan(user) == "pro"
    subscription = Subscription.objects.get()
    assert (subscription.user_id, subscription.provider, subscription.status) == (user.pk, "stripe", "active")
    assert PaymentCustomer.objects.get().customer_id == "cus_1"
    before = _state()

    replay = deliver(payload)
    assert replay.status_code == 200
    assert replay.json() == {"received": True, "duplicate": True}
    assert _state() == before
    assert stripe_settings.requests == []  # the webhook never calls Stripe back


@pytest.mark.parametrize(
    "signature",
    [
        "t=1,v1=00",
        "",
        "garbage",
        pytest.param("wrong-secret", id="signed-with-another-secret"),
        pytest.param("stale", id="signed-ten-minutes-ago"),
    ],
)
def test_a_bad_signature_is_a_400_and_changes_nothing(user: User, stripe_settings: FakeStripe, signature: str) -> None:
    payload = _checkout(user)
    if signature == "wrong-secret":
        signature = sign(payload, secret="whsec_other")
    elif signature == "stale":
        signature = sign(payload, at=int(time.time()) - 600)
    response = deliver(payload, signature)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_rejected"
    assert _state() == [[], 0, [], 0]
    assert _plan(user) == "free"


def test_a_tampered_body_fails_verification(user: User, stripe_settings: FakeStripe) -> None:
    payload = _checkout(user)
    signature = sign(payload)
    response = deliver(payload.replace(b'"paid"', b'"PAID"'), signature)
    assert response.status_code == 400
    assert _state() == [[], 0, [], 0]


def test_an_older_event_arriving_late_does_not_undo_a_newer_one(user: User, stripe_settings: FakeStripe) -> None:
    deliver(_checkout(user, created=T0))
    deliver(_subscription(user, "evt_deleted", "customer.subscription.deleted", "canceled", created=T0 + 200))
    assert _plan(user) == "free"
    late = deliver(_subscription(user, "evt_updated", "customer.subscription.updated", "active", created=T0 + 100))
    assert late.status_code == 200
    assert Subscription.objects.get().status == "canceled"
    assert _plan(user) == "free"
    assert WebhookEvent.objects.count() == 3


def test_a_subscription_update_before_the_checkout_event_is_matched_by_metadata(
    user: User, stripe_settings: FakeStripe
) -> None:
    deliver(_subscription(user, "evt_updated", "customer.subscription.updated", "active", created=T0 + 5))
    assert _plan(user) == "pro"
    deliver(_checkout(user, created=T0))
    subscription = Subscription.objects.get()
    assert (subscription.status, subscription.current_period_end.timestamp()) == ("active", T0 + 30 * 86400)
    assert _plan(user) == "pro"


def test_a_failed_payment_is_past_due_with_grace_then_cancel_downgrades_and_resets_retention(
    user: User, stripe_settings: FakeStripe
) -> None:
    deliver(_checkout(user))
    retention_set(user=user, hours=168)
    failed = event(
        "evt_failed",
        "invoice.payment_failed",
        {
            "id": "in_1",
            "object": "invoice",
            "customer": "cus_1",
            "status": "open",
            "currency": "eur",
            "amount_due": 900,
            "amount_paid": 0,
            "created": T0 + 50,
            "parent": {"subscription_details": {"subscription": "sub_1", "metadata": {"user_id": str(user.pk)}}},
        },
        created=T0 + 50,
    )
    assert deliver(failed).status_code == 200
    assert Subscription.objects.get().status == "past_due"
    assert _plan(user) == "pro"
    invoice = Invoice.objects.get()
    assert (invoice.user_id, invoice.status, invoice.amount_due, invoice.currency) == (
        user.pk,
        "payment_failed",
        900,
        "eur",
    )
    assert retention_hours_for(owner=Owner(user_id=user.pk)) == 168
    me = Client()
    me.force_login(user)
    page = me.get("/me/").content.decode()
    assert "Payment failed: update your payment method to keep Pro." in page
    assert "9.00 EUR due, 0.00 paid, payment_failed" in page
    assert "7 days</strong> after they are made (168 hours)." in page

    deliver(_subscription(user, "evt_deleted", "customer.subscription.deleted", "canceled", created=T0 + 90))
    assert _plan(user) == "free"
    assert Profile.objects.get(user=user).retention_hours is None
    assert retention_hours_for(owner=Owner(user_id=user.pk)) == 48


def test_events_for_unknown_customers_are_acknowledged_and_change_nothing(
    stripe_settings: FakeStripe, db: None
) -> None:
    payload = event(
        "evt_x",
        "customer.subscription.updated",
        {"id": "sub_9", "object": "subscription", "customer": "cus_9", "status": "active", "metadata": {}},
    )
    assert deliver(payload).status_code == 200
    assert _state() == [[], 1, [], 0]


def test_without_stripe_configured_the_webhook_does_not_exist(user: User) -> None:
    payload = _checkout(user)
    assert deliver(payload).status_code == 404
    assert WebhookEvent.objects.count() == 0


def test_the_webhook_only_takes_post(stripe_settings: FakeStripe, db: None) -> None:
    assert Client().get("/billing/webhooks/stripe/").status_code == 405
