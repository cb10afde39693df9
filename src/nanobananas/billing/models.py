"""Billing tables, kept apart from content: subscriptions, payment customers, invoices, webhooks, erasures."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Subscription(models.Model):
    """One paid subscription as the payment provider reports it; `state_at` orders the provider's events."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        PAST_DUE = "past_due"
        CANCELED = "canceled"
        EXPIRED = "expired"

    # Statuses that keep the paid plan: a failed payment gets the provider's retry period as grace.
    PAID_UP = (Status.ACTIVE, Status.PAST_DUE)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    provider = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    customer_id = models.CharField(max_length=255, blank=True)
    plan_code = models.CharField(max_length=32, default="pro")
    status = models.CharField(max_length=16, choices=Status.choices)
    current_period_end = models.DateTimeField(null=True, blank=True)
    state_at = models.DateTimeField(help_text="Provider time of the event that set the status; older events lose.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="subscription_provider_external_id")
        ]
        indexes = [models.Index(fields=["user", "status"], name="subscription_user_status")]

    def __str__(self) -> str:
        return f"{self.provider} {self.external_id} ({self.status})"


class PaymentCustomer(models.Model):
    """Which customer at the payment provider a user is, so the portal and later checkouts reuse it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=32)
    customer_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "customer_id"], name="payment_customer_provider_id"),
            models.UniqueConstraint(fields=["provider", "user"], name="payment_customer_provider_user"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.customer_id}"


class Invoice(models.Model):
    """A billing record (account data: kept for the account's life plus 3 years, so it outlives the user row)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    provider = models.CharField(max_length=32)
    external_id = models.CharField(max_length=255)
    subscription_external_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32)
    currency = models.CharField(max_length=8)
    amount_due = models.BigIntegerField(help_text="In the currency's smallest unit (cents).")
    amount_paid = models.BigIntegerField(help_text="In the currency's smallest unit (cents).")
    issued_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "external_id"], name="invoice_provider_external_id")]

    def __str__(self) -> str:
        return f"{self.provider} invoice {self.external_id}"

    @property
    def amount_label(self) -> str:
        """E.g. "9.00 EUR due, 0.00 paid" (two-decimal currencies, as Stripe reports most)."""
        return f"{self.amount_due / 100:.2f} {self.currency.upper()} due, {self.amount_paid / 100:.2f} paid"


class WebhookEvent(models.Model):
    """A provider event we have handled; its id makes a redelivered event a no-op."""

    provider = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=128)
    created_at = models.DateTimeField(help_text="When the provider created the event.")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_provider_id")]

    def __str__(self) -> str:
        return f"{self.provider} {self.type} {self.event_id}"


class PaymentErasure(models.Model):
    """One record to end at a payment provider because its account was deleted: a subscription to cancel,
    then the customer to delete. Listed in the deletion's transaction, worked through by a retried job
    (`billing.services.payment_data_erase`); `done_at` records when the provider confirmed it.

    `user_id` is no foreign key: a child's account (under 13) is deleted at once, and this list must
    outlive it until the provider has answered. Done rows are purged with the account's other billing
    records, `NANOBANANAS_CLOSED_ACCOUNT_RETENTION_DAYS` after they were done.
    """

    class Kind(models.TextChoices):
        SUBSCRIPTION_CANCEL = "subscription_cancel"
        CUSTOMER_DELETE = "customer_delete"

    user_id = models.PositiveBigIntegerField(db_index=True)
    provider = models.CharField(max_length=32)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    external_id = models.CharField(max_length=255, help_text="The subscription or customer id at the provider.")
    requested_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "external_id"], name="payment_erasure_provider_item")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.kind} {self.external_id}"
