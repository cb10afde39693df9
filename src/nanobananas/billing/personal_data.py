"""What billing stores about a person (subscriptions, payment customers, invoices), for the registry."""

from __future__ import annotations

from nanobananas.billing.models import Invoice
from nanobananas.billing.services import payment_erasure_request
from nanobananas.registry.personal_data import AccountClosing, Deletion, Link, PersonalData, reference, register

__all__ = ["billing_close", "billing_tombstone_purge"]


def billing_close(closing: AccountClosing) -> dict[str, int]:
    """List what the payment providers must end (paid subscriptions canceled, then the customers deleted):
    a durable list that a retried job works through once the deletion commits. Nothing is called here."""
    payment_erasure_request(user_id=closing.user_id)
    return {}


def billing_tombstone_purge(user_id: int) -> None:
    """Invoices would outlive the user row (SET_NULL): they go with the tombstone."""
    Invoice.objects.filter(user_id=user_id).delete()


register(
    PersonalData(
        app_label="billing",
        close=billing_close,
        tombstone_purge=billing_tombstone_purge,
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
