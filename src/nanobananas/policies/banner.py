"""The site notice of a new policy version: who sees the banner, and continued use recorded as acceptance.

`PolicyNoticeMiddleware` runs after authentication on every request of a signed-in user. It reads the
versions in force (one query) and what the session already knows about them; only for a version the
session has not settled yet does it look at the user's acceptances and notice (and, if the notice email
reached the user, record continued use). The banner shows until the user presses Accept or closes it for
this session. Guests never see it: they have no account to record an acceptance against and no email to
be told by, and their work is deleted within 24 hours; the footer links the policy with its version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from nanobananas.core.exceptions import NotFound
from nanobananas.policies.models import PolicyAcceptance, PolicyDocument
from nanobananas.policies.selectors import current_versions, version_get
from nanobananas.policies.services import policy_continued_use_record

__all__ = ["SESSION_KEY", "PolicyNoticeMiddleware", "banner_dismiss", "banner_documents", "banner_mark_accepted"]

SESSION_KEY = "nanobananas_policies"
# What the session remembers per document id: the user pressed Accept, closed the banner, or the
# acceptance by continued use is recorded (the banner still shows until Accept or close).
CLICKED, CLOSED, CONTINUED = "clicked", "closed", "continued"


def _remembered(request: HttpRequest) -> dict[str, str]:
    value = request.session.get(SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _remember(request: HttpRequest, document: PolicyDocument, state: str) -> None:
    known = _remembered(request)
    # Only the versions in force matter; older entries are dropped so the session stays small.
    if known.get(str(document.pk)) != state:
        known[str(document.pk)] = state
        request.session[SESSION_KEY] = known


def _settle(request: HttpRequest, user: Any, document: PolicyDocument) -> str | None:
    """What is recorded for `document` (clicked, continued) after recording continued use if it is due."""
    hows = set(PolicyAcceptance.objects.filter(user_id=user.pk, document=document).values_list("how", flat=True))
    if PolicyAcceptance.How.CLICKED in hows:
        return CLICKED
    if hows or policy_continued_use_record(user_id=user.pk, document=document):
        return CONTINUED
    return None


def banner_documents(request: HttpRequest) -> list[PolicyDocument]:
    """The versions in force the signed-in user should be told about (empty for guests)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    current = current_versions()
    known = _remembered(request)
    stale = set(known) - {str(document.pk) for document in current.values()}
    if stale:
        request.session[SESSION_KEY] = {key: value for key, value in known.items() if key not in stale}
        known = _remembered(request)
    shown = []
    for document in current.values():
        if document.published_at is None or document.published_at <= user.date_joined:
            continue  # in force when the account was made: accepted at sign-up
        state = known.get(str(document.pk))
        if state is None:
            state = _settle(request, user, document)
            if state is not None:
                _remember(request, document, state)
        if state in (CLICKED, CLOSED):
            continue
        shown.append(document)
    return shown


def banner_mark_accepted(request: HttpRequest, document: PolicyDocument) -> None:
    _remember(request, document, CLICKED)


def banner_dismiss(request: HttpRequest, *, kind: str, version: str) -> None:
    """Close the banner of a version for this session (acceptance is not recorded by closing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise NotFound("There is no policy notice to close.")
    document = version_get(kind=kind, version=version)
    if _remembered(request).get(str(document.pk)) != CLICKED:
        _remember(request, document, CLOSED)


class PolicyNoticeMiddleware:
    """Puts the banner's documents on `request.policy_banner` (and records continued use) for signed-in users."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.policy_banner = banner_documents(request)  # type: ignore[attr-defined]
        return self.get_response(request)
