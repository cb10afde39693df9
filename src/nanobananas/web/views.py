"""Page views: thin, they only pick a template and what it shows."""

from __future__ import annotations

import sys

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import ensure_csrf_cookie

from nanobananas.accounts.forms import RetentionForm, retention_label
from nanobananas.accounts.identity import Owner, request_account, request_owner
from nanobananas.accounts.models import Plan
from nanobananas.accounts.selectors import plan_for, plan_get, quota_status, retention_hours_for, session_list
from nanobananas.accounts.services import profile_ensure
from nanobananas.accounts.sessions import session_key_digest
from nanobananas.analytics.services import analytics_record
from nanobananas.billing.selectors import billing_offer, invoice_list, subscription_current
from nanobananas.config.api import api_not_found
from nanobananas.core.unavailable import DATABASE_ERRORS, database_unavailable
from nanobananas.privacy.selectors import owner_retention
from nanobananas.studio.selectors import conversation_list

RECENT_ON_HOME = 6
INVOICES_ON_ME = 12


def home(request: HttpRequest) -> HttpResponse:
    owner = request_owner(request)
    recent = conversation_list(owner=owner)[:RECENT_ON_HOME]
    stored = owner_retention(owner=owner)
    return render(request, "web/home.html", {"section": "home", "recent": recent, "stored": stored})


@ensure_csrf_cookie
def ai_image(request: HttpRequest) -> HttpResponse:
    analytics_record(
        request_owner(request), "section_viewed", section="image", user_agent=request.headers.get("User-Agent", "")
    )
    return render(request, "web/image.html", {"section": "image"})


@ensure_csrf_cookie
def ai_video(request: HttpRequest) -> HttpResponse:
    owner = request_owner(request)
    plan = plan_for(owner=owner) if owner is not None else plan_get(code=Plan.GUEST)
    return render(request, "web/video.html", {"section": "video", "plan": plan})


@ensure_csrf_cookie
def ai_tools(request: HttpRequest) -> HttpResponse:
    """A card per tool; the page's script runs them through /api/v1/tools and follows each job's events."""
    from nanobananas.providers.routing import providers_for
    from nanobananas.studio.tools import tool_catalog

    owner = request_owner(request)
    context = {
        "section": "tools",
        "tools": tool_catalog(),
        "generative": providers_for(owner).generative is not None,
    }
    return render(request, "web/tools.html", context)


@ensure_csrf_cookie
def history(request: HttpRequest) -> HttpResponse:
    """Every image and upload still kept, searchable by prompt; the page's script reads /api/v1/history."""
    return render(request, "web/history.html", {"section": "me"})


def me(request: HttpRequest) -> HttpResponse:
    """The profile center: account data, plan and usage, retention choice, sessions, billing."""
    owner = request_owner(request)
    context: dict[str, object] = {
        "section": "me",
        "quota": quota_status(owner=owner),
        "stored": owner_retention(owner=owner),
    }
    if request.user.is_authenticated:
        account = request_account(request)
        user_owner = Owner(user_id=account.pk)
        plan = plan_for(owner=user_owner)
        hours = retention_hours_for(owner=user_owner)
        if request.GET.get("upgraded") and not plan.is_paid:
            # Back from the payment page before the provider's webhook arrived.
            thanks = _("Thanks! Pro switches on as soon as the payment is confirmed; reload in a moment.")
            messages.info(request, thanks)
        context.update(
            profile=profile_ensure(user=account),
            plan=plan,
            retention_hours=hours,
            retention_label=retention_label(hours),
            retention_form=RetentionForm(initial={"hours": hours}, options=list(plan.retention_hours_options)),
            sessions=session_list(user_id=account.pk),
            current_session=session_key_digest(request.session.session_key or ""),
            subscription=subscription_current(user_id=account.pk),
            offer=billing_offer(),
            pro_plan=plan_get(code=Plan.PRO),
            invoices=invoice_list(user_id=account.pk)[:INVOICES_ON_ME],
        )
        context.update(_learned_preferences(account.pk))
    else:
        context.update(plan=plan_get(code=Plan.GUEST))
    return render(request, "web/me.html", context)


def _learned_preferences(user_id: int) -> dict[str, object]:
    """Me -> Privacy, "What we learned about your preferences": the switch's state and what was learned."""
    from nanobananas.analytics.personalization import preferences_described, preferences_learned
    from nanobananas.privacy.selectors import personalization_allowed

    learned = preferences_learned(user_id=user_id)
    return {
        "personalization_on": personalization_allowed(Owner(user_id=user_id)),
        "learned_preferences": preferences_described(learned) if learned is not None else [],
    }


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 page (templates/404.html) with the navigation; the API keeps its JSON error."""
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 page (templates/500.html, rendered without the database: it may be what failed);
    the API keeps its JSON error shape. A database out of reach is a 503 that says so."""
    failure = sys.exc_info()[1]
    if isinstance(failure, DATABASE_ERRORS):
        return database_unavailable(failure, api=_is_api(request))
    if _is_api(request):
        body = {"error": {"code": "internal_error", "message": _("Something went wrong on the server. Try again.")}}
        return JsonResponse(body, status=500, content_type="application/json; charset=utf-8")
    return defaults.server_error(request)
