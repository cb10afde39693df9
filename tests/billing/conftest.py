"""Fixtures for billing: a user, Stripe configured against a local fake API, and signed webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.accounts.conftest import signup
from tests.billing.stripe_server import API_KEY, StripeServer

WEBHOOK_SECRET = "whsec_test_secret"


# The fixtures' type, under the name the billing and account tests import.
FakeStripe = StripeServer


@pytest.fixture
def fake_stripe() -> Iterator[StripeServer]:
    server = StripeServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stripe_settings(settings: Any, fake_stripe: FakeStripe) -> FakeStripe:
    settings.PAYMENT_PROVIDERS = {
        **settings.PAYMENT_PROVIDERS,
        "stripe": {
            "BACKEND": "nanobananas.billing.providers.stripe.StripeProvider",
            "OPTIONS": {
                "secret_key": API_KEY,
                "webhook_secret": WEBHOOK_SECRET,
                "price_pro": "price_pro_monthly",
                "api_base": fake_stripe.url,
            },
        },
    }
    settings.NANOBANANAS = {**settings.NANOBANANAS, "PAYMENT_PROVIDER": "stripe"}
    return fake_stripe


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """Stripe's scheme: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" with the endpoint secret>."""
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_id: str, event_type: str, obj: dict[str, Any], *, created: int = 1_780_000_000) -> bytes:
    return json.dumps(
        {"id": event_id, "object": "event", "type": event_type, "created": created, "data": {"object": obj}}
    ).encode()


def deliver(payload: bytes, signature: str | None = None) -> Any:
    headers = {"Stripe-Signature": signature if signature is not None else sign(payload)}
    return Client(enforce_csrf_checks=True).post(
        "/billing/webhooks/stripe/", data=payload, content_type="application/json", headers=headers
    )


@pytest.fixture
def user(db: None) -> User:
    return signup()
