"""Billing endpoints: upgrade (checkout), billing portal, test-mode cancel, and the Stripe webhook."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from nanobananas.accounts.identity import request_account
from nanobananas.billing import services
from nanobananas.billing.handler import payment_provider
from nanobananas.core.exceptions import DomainError

__all__ = ["portal", "stripe_webhook", "test_mode_cancel", "upgrade"]


@login_required
@require_POST
def upgrade(request: HttpRequest) -> HttpResponseBase:
    me = request.build_absolute_uri(reverse("me"))
    try:
        start = services.checkout_start(user=request_account(request), success_url=f"{me}?upgraded=1", cancel_url=me)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("me")
    if start.redirect_url:
        return redirect(start.redirect_url)
    messages.success(request, "Pro is active. Test mode: no payment was taken.")
    return redirect("me")


@login_required
@require_POST
def portal(request: HttpRequest) -> HttpResponseBase:
    try:
        url = services.portal_url(user=request_account(request), return_url=request.build_absolute_uri(reverse("me")))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("me")
    return redirect(url)


@login_required
@require_POST
def test_mode_cancel(request: HttpRequest) -> HttpResponseBase:
    if payment_provider().alias != "offline":
        raise Http404("Cancel through the billing portal.")
    services.offline_subscription_cancel(user_id=request_account(request).pk)
    messages.success(request, "Pro is canceled; you are on Free again. Images kept 7 days now expire after 48 hours.")
    return redirect("me")


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Stripe signs every delivery; 400 for a bad signature, 200 for a new or already-applied event."""
    if "stripe" not in settings.PAYMENT_PROVIDERS:
        raise Http404("Stripe is not configured.")
    try:
        applied = services.stripe_webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except DomainError as exc:
        return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.status_code)
    return JsonResponse({"received": True, "duplicate": not applied})
