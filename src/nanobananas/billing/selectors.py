"""Reads for billing: a user's current subscription and invoices, and what the configured provider offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from nanobananas.billing.handler import payment_provider
from nanobananas.billing.models import Invoice, Subscription

__all__ = ["BillingOffer", "billing_offer", "invoice_list", "subscription_current"]


def subscription_current(*, user_id: int) -> Subscription | None:
    """The paid-up subscription if there is one, else the latest one (to show how it ended)."""
    subscriptions = Subscription.objects.filter(user_id=user_id)
    paid = subscriptions.filter(status__in=Subscription.PAID_UP).order_by("-state_at").first()
    return paid or subscriptions.order_by("-state_at", "-id").first()


def invoice_list(*, user_id: int) -> QuerySet[Invoice]:
    return Invoice.objects.filter(user_id=user_id).order_by("-issued_at")


@dataclass(frozen=True)
class BillingOffer:
    """What the page can offer with the configured provider."""

    provider: str
    label: str
    test_mode: bool
    has_portal: bool


def billing_offer() -> BillingOffer:
    provider = payment_provider()
    return BillingOffer(
        provider=provider.alias, label=provider.label, test_mode=provider.test_mode, has_portal=provider.has_portal
    )
