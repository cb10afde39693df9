"""Admin for billing records (read-only: the payment provider is the source of truth)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from nanobananas.billing.models import Invoice, PaymentCustomer, PaymentErasure, Subscription, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "provider", "status", "current_period_end", "state_at")
    list_filter = ("provider", "status")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "user", "status", "amount_paid", "currency", "issued_at")


@admin.register(PaymentCustomer)
class PaymentCustomerAdmin(ReadOnlyAdmin):
    list_display = ("user", "provider", "customer_id")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "created_at", "received_at")


@admin.register(PaymentErasure)
class PaymentErasureAdmin(ReadOnlyAdmin):
    """What a deleted account still has at a payment provider: pending rows show attempts and the last error."""

    list_display = ("user_id", "provider", "kind", "external_id", "requested_at", "done_at", "attempts", "last_error")
    list_filter = ("provider", "kind", ("done_at", admin.EmptyFieldListFilter))
