"""The offline provider: Pro is granted locally with no payment, clearly labelled as test mode."""

from __future__ import annotations

from nanobananas.billing.providers.base import CheckoutStart, PaymentProvider

__all__ = ["OfflineProvider"]


class OfflineProvider(PaymentProvider):
    alias = "offline"
    label = "Test mode (no payment)"
    test_mode = True

    def checkout_start(
        self, *, user_id: int, email: str, customer_id: str | None, success_url: str, cancel_url: str
    ) -> CheckoutStart:
        return CheckoutStart(redirect_url=None)

    def subscription_cancel(self, *, external_id: str) -> None:
        """Nothing exists outside this server: the subscription row goes with the account."""

    def customer_delete(self, *, customer_id: str) -> None:
        """The offline provider keeps no customers."""
