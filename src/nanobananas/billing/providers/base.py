"""The payment-provider interface: checkout, billing portal, webhook events, and ending a deleted account's records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

__all__ = ["CheckoutStart", "PaymentProvider"]


@dataclass(frozen=True)
class CheckoutStart:
    """Where the browser goes next; no URL means the provider grants the plan at once (offline test mode)."""

    redirect_url: str | None


class PaymentProvider(ABC):
    """A small class with capability flags; the billing services do every database write."""

    alias: str = ""
    label: str = ""
    test_mode: bool = False
    has_portal: bool = False

    @abstractmethod
    def checkout_start(
        self, *, user_id: int, email: str, customer_id: str | None, success_url: str, cancel_url: str
    ) -> CheckoutStart:
        """Begin buying Pro for `user_id`."""

    @abstractmethod
    def subscription_cancel(self, *, external_id: str) -> None:
        """End a subscription at the provider now (the account is being deleted)."""

    @abstractmethod
    def customer_delete(self, *, customer_id: str) -> None:
        """Delete the customer record at the provider (the account was deleted); one already gone is no error."""

    def portal_url(self, *, customer_id: str, return_url: str) -> str:
        """A link to the provider's page where the customer manages payment and cancels."""
        raise NotImplementedError(f"{self.alias} has no billing portal")

    def event_verify(self, *, payload: bytes, signature: str) -> dict[str, Any]:
        """The event in a webhook body, after checking its signature."""
        raise NotImplementedError(f"{self.alias} receives no webhooks")
