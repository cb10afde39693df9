"""What billing stores about a person (subscriptions, payment customers, invoices), for the registry."""

from __future__ import annotations

from typing import Any

from nanobananas.billing.models import Invoice, PaymentCustomer, Subscription
from nanobananas.billing.services import payment_erasure_request
from nanobananas.registry.personal_data import (
    AccountClosing,
    Deletion,
    Exporter,
    ExportFile,
    Link,
    PersonalData,
    reference,
    register,
)

__all__ = ["billing_close", "billing_export", "billing_recipients", "billing_tombstone_purge"]


def billing_close(closing: AccountClosing) -> dict[str, int]:
    """List what the payment providers must end (paid subscriptions canceled, then the customers deleted):
    a durable list that a retried job works through once the deletion commits. Nothing is called here."""
    payment_erasure_request(user_id=closing.user_id)
    return {}


def billing_tombstone_purge(user_id: int) -> None:
    """Invoices would outlive the user row (SET_NULL): they go with the tombstone."""
    Invoice.objects.filter(user_id=user_id).delete()


def billing_export(user_id: int) -> list[ExportFile]:
    """billing.json: subscriptions, payment customers and invoices, as recorded here."""
    billing: dict[str, list[dict[str, Any]]] = {
        "subscriptions": [
            {
                "provider": s.provider,
                "external_id": s.external_id,
                "customer_id": s.customer_id,
                "plan_code": s.plan_code,
                "status": s.status,
                "current_period_end": s.current_period_end,
                "state_at": s.state_at,
                "created_at": s.created_at,
                "updated_at": s.updated_at,
            }
            for s in Subscription.objects.filter(user_id=user_id).order_by("created_at", "id")
        ],
        "payment_customers": [
            {"provider": c.provider, "customer_id": c.customer_id}
            for c in PaymentCustomer.objects.filter(user_id=user_id).order_by("provider")
        ],
        "invoices": [
            {
                "provider": i.provider,
                "external_id": i.external_id,
                "subscription_external_id": i.subscription_external_id,
                "status": i.status,
                "currency": i.currency,
                "amount_due": i.amount_due,
                "amount_paid": i.amount_paid,
                "issued_at": i.issued_at,
                "recorded_at": i.recorded_at,
            }
            for i in Invoice.objects.filter(user_id=user_id).order_by("issued_at", "id")
        ],
    }
    return [ExportFile("billing.json", billing)]


def billing_recipients(user_id: int) -> set[str]:
    """The payment providers that hold the person's billing records."""
    return {
        *Subscription.objects.filter(user_id=user_id).values_list("provider", flat=True),
        *Invoice.objects.filter(user_id=user_id).values_list("provider", flat=True),
    }


register(
    PersonalData(
        app_label="billing",
        close=billing_close,
        tombstone_purge=billing_tombstone_purge,
        export=Exporter(files=billing_export, recipients=billing_recipients),
        references=(
            reference("billing.Subscription.user", Link.USER, Deletion.KEPT,
                      "billing record; a paid one is canceled at the provider first",
                      exported="billing.json: subscriptions"),
            reference("billing.PaymentCustomer.user", Link.USER, Deletion.KEPT, "billing record",
                      exported="billing.json: payment_customers"),
            reference("billing.Invoice.user", Link.USER, Deletion.KEPT,
                      "billing record; deleted explicitly by the tombstone purge", exported="billing.json: invoices"),
        ),
    )
)  # fmt: skip
