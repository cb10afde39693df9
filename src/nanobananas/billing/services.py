"""Writes for billing: checkout, offline activation and cancel, provider events, expiry, the plan they imply,
and erasing a deleted account's records at the payment provider."""

from __future__ import annotations

import contextlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan, Profile
from nanobananas.accounts.services import plan_change
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.services import audit_record
from nanobananas.billing.exceptions import PaymentProviderError
from nanobananas.billing.handler import payment_provider
from nanobananas.billing.models import Invoice, PaymentCustomer, PaymentErasure, Subscription, WebhookEvent
from nanobananas.billing.providers.base import CheckoutStart
from nanobananas.core.exceptions import Conflict, InvalidInput
from nanobananas.registry.jobs import job_enqueue

__all__ = [
    "checkout_start",
    "offline_subscription_activate",
    "offline_subscription_cancel",
    "payment_data_erase",
    "payment_erasure_request",
    "payment_erasures_retry",
    "portal_url",
    "stripe_event_apply",
    "stripe_webhook_receive",
    "subscriptions_expire",
]

logger = logging.getLogger(__name__)

# The job (billing/tasks.py) that runs `payment_data_erase` for a deleted account, enqueued by this name.
ERASURE_JOB = "billing.erase_closed_account_payments"

OFFLINE_PERIOD = timedelta(days=30)
# Terminal statuses win a tie with an event stamped in the same second.
STATUS_RANK: dict[str, int] = {
    Subscription.Status.ACTIVE: 0,
    Subscription.Status.PAST_DUE: 1,
    Subscription.Status.CANCELED: 2,
    Subscription.Status.EXPIRED: 3,
}
STRIPE_STATUSES = {
    "active": Subscription.Status.ACTIVE,
    "trialing": Subscription.Status.ACTIVE,
    "past_due": Subscription.Status.PAST_DUE,
    "unpaid": Subscription.Status.PAST_DUE,
    "canceled": Subscription.Status.CANCELED,
    "incomplete_expired": Subscription.Status.EXPIRED,
}


def _plan_sync(*, user_id: int) -> None:
    """Pro while any subscription is paid up, else Free; leaving Pro runs the downgrade hook."""
    paid = Subscription.objects.filter(user_id=user_id, status__in=Subscription.PAID_UP).exists()
    before = Profile.objects.filter(user_id=user_id).values_list("plan__code", flat=True).first()
    plan_change(user_id=user_id, plan_code=Plan.PRO if paid else Plan.FREE)
    if paid and before != Plan.PRO:
        analytics_record(Owner(user_id=user_id), "upgraded", plan=Plan.PRO)


def _customer_id(*, user_id: int, provider: str) -> str | None:
    return (
        PaymentCustomer.objects.filter(user_id=user_id, provider=provider).values_list("customer_id", flat=True).first()
    )


def checkout_start(*, user: User, success_url: str, cancel_url: str) -> CheckoutStart:
    """Start buying Pro with the configured provider; the offline provider grants it here and now."""
    provider = payment_provider()
    if Subscription.objects.filter(user_id=user.pk, status__in=Subscription.PAID_UP).exists():
        raise Conflict("You are on Pro already.", code="already_subscribed")
    start = provider.checkout_start(
        user_id=user.pk,
        email=user.email,
        customer_id=_customer_id(user_id=user.pk, provider=provider.alias),
        success_url=success_url,
        cancel_url=cancel_url,
    )
    if start.redirect_url is None:
        offline_subscription_activate(user_id=user.pk)
    return start


def portal_url(*, user: User, return_url: str) -> str:
    provider = payment_provider()
    customer = _customer_id(user_id=user.pk, provider=provider.alias)
    if not provider.has_portal or customer is None:
        raise InvalidInput("There is no billing account to manage yet.", code="no_billing_account")
    return provider.portal_url(customer_id=customer, return_url=return_url)


def offline_subscription_activate(*, user_id: int) -> Subscription:
    """Test mode: Pro for 30 days without payment. Asking twice keeps the one subscription."""
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user_id)
        current = Subscription.objects.filter(
            user_id=user_id, provider="offline", status__in=Subscription.PAID_UP
        ).first()
        if current is None:
            current = Subscription.objects.create(
                user_id=user_id,
                provider="offline",
                external_id=f"offline_{uuid.uuid4().hex}",
                status=Subscription.Status.ACTIVE,
                current_period_end=now + OFFLINE_PERIOD,
                state_at=now,
            )
        _plan_sync(user_id=user_id)
    return current


def offline_subscription_cancel(*, user_id: int) -> int:
    """Test mode: end the subscription now; the account goes back to Free. Returns how many ended."""
    now = timezone.now()
    with transaction.atomic():
        ended = Subscription.objects.filter(
            user_id=user_id, provider="offline", status__in=Subscription.PAID_UP
        ).update(status=Subscription.Status.CANCELED, state_at=now)
        _plan_sync(user_id=user_id)
    return ended


def subscriptions_expire(*, now: datetime | None = None) -> int:
    """Offline subscriptions past their period end become expired (Stripe reports its own); returns how many."""
    now = now or timezone.now()
    user_ids = set(
        Subscription.objects.filter(
            provider="offline", status__in=Subscription.PAID_UP, current_period_end__lt=now
        ).values_list("user_id", flat=True)
    )
    for user_id in user_ids:
        with transaction.atomic():
            Subscription.objects.filter(
                user_id=user_id, provider="offline", status__in=Subscription.PAID_UP, current_period_end__lt=now
            ).update(status=Subscription.Status.EXPIRED, state_at=now)
            _plan_sync(user_id=user_id)
    return len(user_ids)


def _stamp(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), tz=UTC)


def _user_for(*, metadata: dict[str, Any] | None, customer_id: str | None) -> int | None:
    """The user a Stripe object belongs to: its metadata, else the customer we recorded at checkout."""
    raw = (metadata or {}).get("user_id")
    if raw is not None and str(raw).isdigit():
        user_id = int(raw)
        if User.objects.filter(pk=user_id).exists():
            return user_id
    if customer_id:
        return (
            PaymentCustomer.objects.filter(provider="stripe", customer_id=customer_id)
            .values_list("user_id", flat=True)
            .first()
        )
    return None


def _customer_remember(*, user_id: int, customer_id: str | None) -> None:
    if not customer_id:
        return
    if PaymentCustomer.objects.filter(provider="stripe", user_id=user_id).exists():
        return
    PaymentCustomer.objects.create(user_id=user_id, provider="stripe", customer_id=customer_id)


def _subscription_record(
    *,
    user_id: int,
    external_id: str,
    customer_id: str | None,
    status: Subscription.Status,
    at: datetime,
    period_end: datetime | None = None,
) -> None:
    """Apply a status the provider stamped at `at`, unless a newer event already set one (out-of-order delivery)."""
    row = Subscription.objects.select_for_update().filter(provider="stripe", external_id=external_id).first()
    if row is None:
        Subscription.objects.create(
            user_id=user_id,
            provider="stripe",
            external_id=external_id,
            customer_id=customer_id or "",
            status=status,
            current_period_end=period_end,
            state_at=at,
        )
        return
    newer = at > row.state_at or (at == row.state_at and STATUS_RANK[status] >= STATUS_RANK[row.status])
    if not newer:
        logger.info("stripe: ignored a %s status for %s older than the one applied", status, external_id)
        return
    row.status = status
    row.state_at = at
    row.customer_id = customer_id or row.customer_id
    if period_end is not None:
        row.current_period_end = period_end
    row.save(update_fields=["status", "state_at", "customer_id", "current_period_end", "updated_at"])


def _period_end(subscription: dict[str, Any]) -> datetime | None:
    # Newer API versions moved the period onto the subscription's items.
    raw = subscription.get("current_period_end")
    if raw is None:
        items = (subscription.get("items") or {}).get("data") or []
        raw = items[0].get("current_period_end") if items else None
    return _stamp(raw) if raw is not None else None


def _on_checkout_completed(session: dict[str, Any], at: datetime) -> int | None:
    customer_id = session.get("customer")
    raw_user = session.get("client_reference_id") or (session.get("metadata") or {}).get("user_id")
    user_id = _user_for(metadata={"user_id": raw_user}, customer_id=customer_id)
    if user_id is None:
        return None
    _customer_remember(user_id=user_id, customer_id=customer_id)
    subscription_id = session.get("subscription")
    if subscription_id and session.get("payment_status") in {"paid", "no_payment_required"}:
        _subscription_record(
            user_id=user_id,
            external_id=str(subscription_id),
            customer_id=customer_id,
            status=Subscription.Status.ACTIVE,
            at=at,
        )
    return user_id


def _on_subscription_changed(subscription: dict[str, Any], at: datetime, *, deleted: bool) -> int | None:
    customer_id = subscription.get("customer")
    user_id = _user_for(metadata=subscription.get("metadata"), customer_id=customer_id)
    if user_id is None:
        return None
    status = Subscription.Status.CANCELED if deleted else STRIPE_STATUSES.get(str(subscription.get("status")))
    if status is None:
        # `incomplete`: the first payment is still being made; checkout.session.completed will follow.
        return user_id
    _customer_remember(user_id=user_id, customer_id=customer_id)
    _subscription_record(
        user_id=user_id,
        external_id=str(subscription["id"]),
        customer_id=customer_id,
        status=status,
        at=at,
        period_end=_period_end(subscription),
    )
    return user_id


def _invoice_subscription_id(invoice: dict[str, Any]) -> str:
    legacy = invoice.get("subscription")
    if legacy:
        return str(legacy)
    details = ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    return str(details or "")


def _on_invoice(invoice: dict[str, Any], at: datetime, *, failed: bool) -> int | None:
    customer_id = invoice.get("customer")
    subscription_id = _invoice_subscription_id(invoice)
    user_id = _user_for(
        metadata=((invoice.get("parent") or {}).get("subscription_details") or {}).get("metadata")
        or invoice.get("metadata"),
        customer_id=customer_id,
    )
    Invoice.objects.update_or_create(
        provider="stripe",
        external_id=str(invoice["id"]),
        defaults={
            "user_id": user_id,
            "subscription_external_id": subscription_id,
            "status": "payment_failed" if failed else str(invoice.get("status") or "paid"),
            "currency": str(invoice.get("currency") or ""),
            "amount_due": int(invoice.get("amount_due") or 0),
            "amount_paid": int(invoice.get("amount_paid") or 0),
            "issued_at": _stamp(invoice.get("created") or at.timestamp()),
        },
    )
    if failed and user_id is not None and subscription_id:
        _subscription_record(
            user_id=user_id,
            external_id=subscription_id,
            customer_id=customer_id,
            status=Subscription.Status.PAST_DUE,
            at=at,
        )
    return user_id


def stripe_event_apply(*, event: dict[str, Any]) -> bool:
    """Apply one verified Stripe event exactly once; returns False for a redelivery (already applied)."""
    event_id = str(event["id"])
    event_type = str(event.get("type", ""))
    at = _stamp(event.get("created") or timezone.now().timestamp())
    obj = (event.get("data") or {}).get("object") or {}
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(provider="stripe", event_id=event_id, type=event_type, created_at=at)
            user_id: int | None = None
            if event_type == "checkout.session.completed":
                user_id = _on_checkout_completed(obj, at)
            elif event_type == "customer.subscription.updated":
                user_id = _on_subscription_changed(obj, at, deleted=False)
            elif event_type == "customer.subscription.deleted":
                user_id = _on_subscription_changed(obj, at, deleted=True)
            elif event_type == "invoice.payment_failed":
                user_id = _on_invoice(obj, at, failed=True)
            elif event_type == "invoice.paid":
                user_id = _on_invoice(obj, at, failed=False)
            if user_id is not None:
                _plan_sync(user_id=user_id)
    except IntegrityError:
        if WebhookEvent.objects.filter(provider="stripe", event_id=event_id).exists():
            return False
        raise
    return True


def stripe_webhook_receive(*, payload: bytes, signature: str) -> bool:
    """Verify a Stripe webhook with the signing secret and apply its event; False for a redelivery."""
    event = payment_provider("stripe").event_verify(payload=payload, signature=signature)
    return stripe_event_apply(event=event)


def payment_erasure_request(*, user_id: int) -> int:
    """In an account deletion's transaction: list what must end at the payment providers, and queue the
    job that ends it once the deletion commits. Returns how many records were listed.

    Listed: every paid-up subscription (canceled first), then every customer record the account has at
    a provider (from its payment customers and its subscriptions, ended ones too). The list is durable
    (`PaymentErasure`), so neither a provider failure nor a queue that cannot be reached undoes, blocks
    or forgets the erasure: the job is retried, and `payment_erasures_retry` takes up what is left.
    """
    now = timezone.now()
    subscriptions = Subscription.objects.filter(user_id=user_id)
    wanted = {
        (provider, PaymentErasure.Kind.SUBSCRIPTION_CANCEL, external_id)
        for provider, external_id in subscriptions.filter(status__in=Subscription.PAID_UP).values_list(
            "provider", "external_id"
        )
    }
    customers = {*PaymentCustomer.objects.filter(user_id=user_id).values_list("provider", "customer_id")}
    customers |= {*subscriptions.exclude(customer_id="").values_list("provider", "customer_id")}
    wanted |= {(provider, PaymentErasure.Kind.CUSTOMER_DELETE, customer_id) for provider, customer_id in customers}
    PaymentErasure.objects.bulk_create(
        [
            PaymentErasure(user_id=user_id, provider=provider, kind=kind, external_id=external_id, requested_at=now)
            for provider, kind, external_id in sorted(wanted)
        ],
        ignore_conflicts=True,
    )
    if wanted:
        transaction.on_commit(lambda: _erasure_enqueue(user_id=user_id))
    return len(wanted)


def _erasure_enqueue(*, user_id: int) -> None:
    try:
        job_enqueue(ERASURE_JOB, user_id)
    except Exception:  # the queue is down: the periodic retry finds the listed records
        logger.exception("could not queue the payment erasure of deleted account %s", user_id)


def _erasure_order(item: PaymentErasure) -> tuple[bool, int]:
    return item.kind != PaymentErasure.Kind.SUBSCRIPTION_CANCEL, item.id


def payment_data_erase(*, user_id: int) -> int:
    """Cancel the deleted account's listed subscriptions, then delete its customers, at each provider.

    Each record the provider confirms is marked done (with an audit record) in its own transaction, so
    running this again sends only what is left. A customer waits while a subscription at the same provider
    is not canceled yet. Failures are counted on their record, logged, and raised together as one
    `PaymentProviderError` after the rest was tried, so the job calling this is retried. Returns how many
    records were done by this call.
    """
    pending = sorted(PaymentErasure.objects.filter(user_id=user_id, done_at__isnull=True), key=_erasure_order)
    blocked: set[str] = set()
    failed: list[str] = []
    done = 0
    for item in pending:
        if item.kind == PaymentErasure.Kind.CUSTOMER_DELETE and item.provider in blocked:
            continue
        try:
            provider = payment_provider(item.provider)
            if item.kind == PaymentErasure.Kind.SUBSCRIPTION_CANCEL:
                provider.subscription_cancel(external_id=item.external_id)
            else:
                provider.customer_delete(customer_id=item.external_id)
        except Exception as exc:  # any provider failure: keep the record and try again later
            action = "cancel" if item.kind == PaymentErasure.Kind.SUBSCRIPTION_CANCEL else "delete"
            noun = "subscription" if item.kind == PaymentErasure.Kind.SUBSCRIPTION_CANCEL else "customer"
            logger.exception(
                "could not %s %s %s %s of a deleted account", action, item.provider, noun, item.external_id
            )
            PaymentErasure.objects.filter(id=item.id).update(
                attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
            )
            blocked.add(item.provider)
            failed.append(item.external_id)
            continue
        done += _erasure_done(item=item)
    if failed:
        raise PaymentProviderError(f"the payment provider did not end {', '.join(failed)}; the job tries again")
    return done


def _erasure_done(*, item: PaymentErasure) -> int:
    now = timezone.now()
    with transaction.atomic():
        if not PaymentErasure.objects.filter(id=item.id, done_at__isnull=True).update(
            done_at=now, attempts=F("attempts") + 1, last_error=""
        ):
            return 0  # another run marked it meanwhile
        if item.kind == PaymentErasure.Kind.SUBSCRIPTION_CANCEL:
            Subscription.objects.filter(
                provider=item.provider, external_id=item.external_id, status__in=Subscription.PAID_UP
            ).update(status=Subscription.Status.CANCELED, state_at=now)
        audit_record(
            kind="account.subscription_canceled"
            if item.kind == PaymentErasure.Kind.SUBSCRIPTION_CANCEL
            else "account.payment_customer_deleted",
            actor="system",
            owner_key=f"u{item.user_id}",
            target_type="payment_erasure",
            target_id=str(item.id),
            details={"provider": item.provider},
        )
    return 1


def payment_erasures_retry(*, now: datetime | None = None) -> tuple[int, int]:
    """The periodic pass: erase what earlier jobs left (say, after their retries ran out or the queue was
    down), and purge done records once the closed-account retention has passed. Returns (done, purged)."""
    now = now or timezone.now()
    done = 0
    for user_id in sorted({*PaymentErasure.objects.filter(done_at__isnull=True).values_list("user_id", flat=True)}):
        with contextlib.suppress(PaymentProviderError):  # logged per record; the next pass tries again
            done += payment_data_erase(user_id=user_id)
    kept = timedelta(days=settings.NANOBANANAS["CLOSED_ACCOUNT_RETENTION_DAYS"])
    purged, _ = PaymentErasure.objects.filter(done_at__lt=now - kept).delete()
    return done, purged
