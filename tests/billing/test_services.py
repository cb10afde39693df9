"""Billing services: offline test mode, expiry, and Stripe checkout and portal against a local fake API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.selectors import plan_for
from nanobananas.billing.exceptions import PaymentProviderError
from nanobananas.billing.models import PaymentCustomer, Subscription
from nanobananas.billing.services import (
    checkout_start,
    offline_subscription_activate,
    offline_subscription_cancel,
    portal_url,
    subscriptions_expire,
)
from nanobananas.core.exceptions import Conflict, InvalidInput
from tests.billing.conftest import FakeStripe

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _plan(user: User) -> str:
    return plan_for(owner=Owner(user_id=user.pk)).code


def test_offline_checkout_grants_pro_at_once_and_only_once(user: User) -> None:
    start = checkout_start(user=user, success_url="http://x/me/?upgraded=1", cancel_url="http://x/me/")
    assert start.redirect_url is None
    assert _plan(user) == "pro"
    subscription = Subscription.objects.get()
    assert (subscription.provider, subscription.status) == ("offline", "active")
    assert subscription.current_period_end is not None
    with pytest.raises(Conflict):
        checkout_start(user=user, success_url="http://x/", cancel_url="http://x/")
    assert offline_subscription_activate(user_id=user.pk).pk == subscription.pk
    assert Subscription.objects.count() == 1


def test_offline_cancel_returns_to_free(user: User) -> None:
    offline_subscription_activate(user_id=user.pk)
    assert offline_subscription_cancel(user_id=user.pk) == 1
    assert Subscription.objects.get().status == "canceled"
    assert _plan(user) == "free"
    assert offline_subscription_cancel(user_id=user.pk) == 0


def test_offline_subscriptions_expire_after_their_period(user: User) -> None:
    offline_subscription_activate(user_id=user.pk)
    assert subscriptions_expire(now=timezone.now() + timedelta(days=29)) == 0
    assert _plan(user) == "pro"
    assert subscriptions_expire(now=timezone.now() + timedelta(days=31)) == 1
    assert Subscription.objects.get().status == "expired"
    assert _plan(user) == "free"


def test_stripe_checkout_sends_the_price_and_the_user_and_returns_the_checkout_url(
    user: User, stripe_settings: FakeStripe
) -> None:
    start = checkout_start(user=user, success_url="http://x/me/?upgraded=1", cancel_url="http://x/me/")
    assert start.redirect_url == "https://checkout.example/cs_test_1"
    [(path, params)] = stripe_settings.requests
    assert path == "/v1/checkout/sessions"
    assert params["mode"] == "subscription"
    assert params["line_items[0][price]"] == "price_pro_monthly"
    assert params["line_items[0][quantity]"] == "1"
    assert params["client_reference_id"] == str(user.pk)
    assert params["subscription_data[metadata][user_id]"] == str(user.pk)
    assert params["customer_email"] == "ana@example.org"
    assert params["success_url"] == "http://x/me/?upgraded=1"
    # Nothing is granted until Stripe's webhook says the payment went through.
    assert (_plan(user), Subscription.objects.count()) == ("free", 0)


def test_a_returning_customer_checks_out_as_that_customer(user: User, stripe_settings: FakeStripe) -> None:
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_42")
    checkout_start(user=user, success_url="http://x/", cancel_url="http://x/")
    [(_, params)] = stripe_settings.requests
    assert params["customer"] == "cus_42"
    assert "customer_email" not in params


def test_a_stripe_error_is_a_502_and_changes_nothing(user: User, stripe_settings: FakeStripe) -> None:
    stripe_settings.fail_with = 400
    with pytest.raises(PaymentProviderError) as failed:
        checkout_start(user=user, success_url="http://x/", cancel_url="http://x/")
    assert failed.value.status_code == 502
    assert "No such price" in failed.value.message
    assert (_plan(user), Subscription.objects.count(), PaymentCustomer.objects.count()) == ("free", 0, 0)


def test_the_portal_needs_a_stripe_customer(user: User, stripe_settings: FakeStripe) -> None:
    with pytest.raises(InvalidInput):
        portal_url(user=user, return_url="http://x/me/")
    assert stripe_settings.requests == []
    PaymentCustomer.objects.create(user=user, provider="stripe", customer_id="cus_42")
    assert portal_url(user=user, return_url="http://x/me/") == "https://portal.example/bps_1"
    assert stripe_settings.requests == [
        ("/v1/billing_portal/sessions", {"customer": "cus_42", "return_url": "http://x/me/"})
    ]
