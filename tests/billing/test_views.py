"""The upgrade button: offline test mode switches Pro on in place; Stripe sends the browser to Checkout."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from nanobananas.billing.models import Subscription
from tests.billing.conftest import FakeStripe

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_me_page_offers_a_clearly_labelled_test_mode_upgrade(client: Client) -> None:
    html = client.get("/me/").content.decode()
    assert "Upgrade to Pro (test mode, no payment)" in html
    assert "Test mode: no payment is taken; Pro is switched on right here." in html


def test_offline_upgrade_then_cancel(client: Client, user: User) -> None:
    upgraded = client.post("/billing/upgrade/", follow=True).content.decode()
    assert "Pro is active. Test mode: no payment was taken." in upgraded
    assert '<span class="badge" data-testid="plan-name">Pro</span>' in upgraded
    assert "500 of 500 images left today" in upgraded
    assert 'value="168"' in upgraded
    canceled = client.post("/billing/test-mode/cancel/", follow=True).content.decode()
    assert "you are on Free again" in canceled
    assert Subscription.objects.get(user=user).status == "canceled"


def test_billing_actions_need_an_account_and_post() -> None:
    guest = Client()
    assert guest.post("/billing/upgrade/")["Location"].startswith("/accounts/login/")
    assert Subscription.objects.count() == 0


def test_upgrade_is_post_only(client: Client) -> None:
    assert client.get("/billing/upgrade/").status_code == 405
    assert Subscription.objects.count() == 0


def test_stripe_upgrade_redirects_to_checkout(client: Client, stripe_settings: FakeStripe) -> None:
    html = client.get("/me/").content.decode()
    assert "Upgrade to Pro (test mode, no payment)" in html  # an sk_test_ key is Stripe's test mode
    response = client.post("/billing/upgrade/")
    assert response.status_code == 302
    assert response["Location"] == "https://checkout.example/cs_test_1"
    assert Subscription.objects.count() == 0
    assert client.post("/billing/test-mode/cancel/").status_code == 404


def test_back_from_checkout_before_the_webhook_says_it_is_on_its_way(client: Client) -> None:
    html = client.get("/me/?upgraded=1").content.decode()
    assert "Pro switches on as soon as the payment is confirmed" in html
    assert '<span class="badge" data-testid="plan-name">Free</span>' in html
