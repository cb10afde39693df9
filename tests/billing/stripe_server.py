"""A local HTTP server that speaks the Stripe API's REST shapes, for testing the real stripe SDK.

It answers `POST /v1/checkout/sessions`, `POST /v1/billing_portal/sessions`, `DELETE /v1/subscriptions/{id}`
(cancel), `DELETE /v1/customers/{id}` (which also cancels the customer's subscriptions, as Stripe does) and
`GET /v1/customers/{id}` (a deleted customer reads as `{"deleted": true}`). Subscriptions and customers it
was given with `customer_add` / `subscription_add` have state; an unknown id gets Stripe's 404
`resource_missing` error. Every request needs `Authorization: Bearer <API_KEY>` (else Stripe's 401).
Each request is recorded as (label, form parameters): the path for a POST, "<METHOD> <path>" otherwise.
`fail_with` makes every request answer that HTTP status with a Stripe error body.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["API_KEY", "StripeServer"]

API_KEY = "sk_test_123"


@dataclass
class StripeServer:
    """The fake's state; `start()` serves it on a free local port, `stop()` ends it."""

    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    fail_with: int | None = None
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    def customer_add(self, customer_id: str, *, email: str) -> None:
        self.customers[customer_id] = {"id": customer_id, "object": "customer", "email": email, "deleted": False}

    def subscription_add(self, subscription_id: str, *, customer: str, status: str = "active") -> None:
        self.subscriptions[subscription_id] = {
            "id": subscription_id, "object": "subscription", "customer": customer, "status": status,
        }  # fmt: skip

    def answer(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return 401, _error("invalid_request_error", "Invalid API Key provided.")
        if self.fail_with is not None:
            return self.fail_with, _error("invalid_request_error", "No such price: 'price_pro_monthly'")
        if (method, path) == ("POST", "/v1/checkout/sessions"):
            return 200, {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.example/cs_test_1"}
        if (method, path) == ("POST", "/v1/billing_portal/sessions"):
            return 200, {"id": "bps_1", "object": "billing_portal.session", "url": "https://portal.example/bps_1"}
        kind, _, object_id = path.removeprefix("/v1/").partition("/")
        if kind == "subscriptions" and method == "DELETE":
            subscription = self.subscriptions.get(object_id)
            if subscription is None:
                return 404, _missing("subscription", object_id)
            subscription["status"] = "canceled"
            return 200, subscription
        if kind == "customers" and method in {"DELETE", "GET"}:
            customer = self.customers.get(object_id)
            if customer is None or (method == "DELETE" and customer["deleted"]):
                return 404, _missing("customer", object_id)
            if method == "GET":
                return 200, customer
            self.customers[object_id] = {"id": object_id, "object": "customer", "deleted": True}
            for subscription in self.subscriptions.values():
                if subscription["customer"] == object_id:
                    subscription["status"] = "canceled"
            return 200, {"id": object_id, "object": "customer", "deleted": True}
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def start(self) -> None:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                path = urlsplit(self.path).path
                params = dict(parse_qsl(body or urlsplit(self.path).query))
                state.requests.append((path if self.command == "POST" else f"{self.command} {path}", params))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer = state.answer(self.command, path, headers)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{len(state.requests)}")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _error(kind: str, message: str, **extra: str) -> dict[str, Any]:
    return {"error": {"type": kind, "message": message, **extra}}


def _missing(kind: str, object_id: str) -> dict[str, Any]:
    return _error("invalid_request_error", f"No such {kind}: '{object_id}'", code="resource_missing", param="id")
