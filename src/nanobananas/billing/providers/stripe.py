"""Stripe: Checkout Sessions for Pro, the Customer Portal, signed webhooks, and deleting a closed account's customer."""

from __future__ import annotations

import json
from typing import Any

from nanobananas.billing.exceptions import PaymentProviderError, WebhookRejected
from nanobananas.billing.providers.base import CheckoutStart, PaymentProvider

__all__ = ["StripeProvider"]

TIMEOUT_SECONDS = 10
SIGNATURE_TOLERANCE_SECONDS = 300


class StripeProvider(PaymentProvider):
    alias = "stripe"
    label = "Stripe"
    has_portal = True

    def __init__(self, *, secret_key: str, webhook_secret: str, price_pro: str, api_base: str | None = None) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.price_pro = price_pro
        # Only tests set this: a local server that speaks Stripe's REST shapes.
        self.api_base = api_base
        self.test_mode = secret_key.startswith(("sk_test_", "rk_test_"))

    def _client(self) -> Any:
        import stripe

        return stripe.StripeClient(
            self.secret_key,
            base_addresses={"api": self.api_base} if self.api_base else None,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
            max_network_retries=1,
        )

    def checkout_start(
        self, *, user_id: int, email: str, customer_id: str | None, success_url: str, cancel_url: str
    ) -> CheckoutStart:
        import stripe

        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": self.price_pro, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(user_id),
            "metadata": {"user_id": str(user_id)},
            # Every subscription event then names its user, whichever event arrives first.
            "subscription_data": {"metadata": {"user_id": str(user_id)}},
        }
        if customer_id:
            params["customer"] = customer_id
        elif email:
            params["customer_email"] = email
        try:
            session = self._client().v1.checkout.sessions.create(params=params)
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe did not start the checkout: {exc.user_message or exc}") from None
        return CheckoutStart(redirect_url=str(session.url))

    def portal_url(self, *, customer_id: str, return_url: str) -> str:
        import stripe

        try:
            session = self._client().v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe did not open the billing portal: {exc.user_message or exc}") from None
        return str(session.url)

    def subscription_cancel(self, *, external_id: str) -> None:
        """DELETE /v1/subscriptions/{id}: ends it now, without proration; one Stripe no longer has is done."""
        import stripe

        try:
            self._client().v1.subscriptions.cancel(external_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise PaymentProviderError(f"Stripe did not cancel {external_id}: {exc.user_message or exc}") from None
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe did not cancel {external_id}: {exc.user_message or exc}") from None

    def customer_delete(self, *, customer_id: str) -> None:
        """DELETE /v1/customers/{id}: cannot be undone; Stripe removes the customer's card details and cancels
        what is left of its subscriptions; a customer it no longer has is done."""
        import stripe

        try:
            self._client().v1.customers.delete(customer_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise PaymentProviderError(f"Stripe did not delete {customer_id}: {exc.user_message or exc}") from None
        except stripe.StripeError as exc:
            raise PaymentProviderError(f"Stripe did not delete {customer_id}: {exc.user_message or exc}") from None

    def event_verify(self, *, payload: bytes, signature: str) -> dict[str, Any]:
        import stripe

        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self.webhook_secret, SIGNATURE_TOLERANCE_SECONDS
            )
            event = json.loads(payload)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
            raise WebhookRejected("The webhook signature is missing, wrong or too old.") from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise WebhookRejected("The webhook body is not a Stripe event.")
        return event
