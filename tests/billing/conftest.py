"""Fixtures for billing: a user, Stripe configured against a local fake API, and signed webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.accounts.conftest import signup

WEBHOOK_SECRET = "whsec_test_secret"


@dataclass
class FakeStripe:
    """A local server that answers the two Stripe calls we make, recording what it was sent."""

    url: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    fail_with: int | None = None


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    state = FakeStripe(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_DELETE(self) -> None:
            self.do_POST()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            params = dict(parse_qsl(self.rfile.read(length).decode()))
            state.requests.append((f"{self.command} {self.path}" if self.command != "POST" else self.path, params))
            if state.fail_with is not None:
                body: dict[str, Any] = {"error": {"type": "invalid_request_error", "message": "No such price"}}
                status = state.fail_with
            elif self.path == "/v1/checkout/sessions":
                body = {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.example/cs_test_1"}
                status = 200
            elif self.path.startswith("/v1/subscriptions/"):
                body = {"id": self.path.rsplit("/", 1)[-1], "object": "subscription", "status": "canceled"}
                status = 200
            elif self.path == "/v1/billing_portal/sessions":
                body = {"id": "bps_1", "object": "billing_portal.session", "url": "https://portal.example/bps_1"}
                status = 200
            else:
                body, status = {"error": {"type": "invalid_request_error", "message": "unknown"}}, 404
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def stripe_settings(settings: Any, fake_stripe: FakeStripe) -> FakeStripe:
    settings.PAYMENT_PROVIDERS = {
        **settings.PAYMENT_PROVIDERS,
        "stripe": {
            "BACKEND": "nanobananas.billing.providers.stripe.StripeProvider",
            "OPTIONS": {
                "secret_key": "sk_test_123",
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
