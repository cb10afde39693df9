"""List the payment records of accounts deleted before payment erasure existed, so the periodic pass ends them.

Those deletions canceled paid subscriptions but never deleted the customer at the provider; a cancel job
still queued under the old task name would no longer run. Every closed account's paid-up subscriptions and
customer ids are listed here, and `billing.tasks.retry_payment_erasures` cancels and deletes them.
"""

from typing import Any

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone


def backfill(apps: Apps, schema_editor: BaseDatabaseSchemaEditor | None) -> None:
    ClosedAccount = apps.get_model("accounts", "ClosedAccount")
    Subscription = apps.get_model("billing", "Subscription")
    PaymentCustomer = apps.get_model("billing", "PaymentCustomer")
    PaymentErasure = apps.get_model("billing", "PaymentErasure")
    now = timezone.now()
    closed = ClosedAccount.objects.values("user_id")
    wanted: set[tuple[Any, ...]] = set()
    for user_id, provider, external_id, status, customer_id in Subscription.objects.filter(
        user_id__in=closed
    ).values_list("user_id", "provider", "external_id", "status", "customer_id"):
        if status in ("active", "past_due"):
            wanted.add((user_id, provider, "subscription_cancel", external_id))
        if customer_id:
            wanted.add((user_id, provider, "customer_delete", customer_id))
    for user_id, provider, customer_id in PaymentCustomer.objects.filter(user_id__in=closed).values_list(
        "user_id", "provider", "customer_id"
    ):
        wanted.add((user_id, provider, "customer_delete", customer_id))
    PaymentErasure.objects.bulk_create(
        [
            PaymentErasure(user_id=user_id, provider=provider, kind=kind, external_id=external_id, requested_at=now)
            for user_id, provider, kind, external_id in sorted(wanted)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_closedaccount"),
        ("billing", "0002_payment_erasure"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
