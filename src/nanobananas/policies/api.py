"""Policy endpoints: the versions in force, and the signed-in user's acceptances."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import AuthenticationError

from nanobananas.accounts.identity import request_account
from nanobananas.policies.banner import banner_dismiss, banner_mark_accepted
from nanobananas.policies.models import PolicyAcceptance, PolicyDocument
from nanobananas.policies.schemas import AcceptanceIn, AcceptanceOut, PolicyOut
from nanobananas.policies.selectors import acceptance_list, current_versions
from nanobananas.policies.services import policy_accept

router = Router(tags=["policies"])


def _user(request: HttpRequest) -> User:
    if not request.user.is_authenticated:
        raise AuthenticationError()
    return request_account(request)


def _policy_out(document: PolicyDocument) -> PolicyOut:
    assert document.published_at is not None  # only published versions are current
    return PolicyOut(
        kind=document.kind,
        version=document.version,
        title=document.title,
        published_at=document.published_at,
        summary=document.summary,
        url=reverse("policies:version", kwargs={"kind": document.kind, "version": document.version}),
    )


def _acceptance_out(acceptance: PolicyAcceptance, current: dict[str, PolicyDocument]) -> AcceptanceOut:
    document = acceptance.document
    in_force = current.get(document.kind)
    return AcceptanceOut(
        kind=document.kind,
        version=document.version,
        at=acceptance.at,
        how=acceptance.how,
        is_current=in_force is not None and in_force.pk == document.pk,
    )


@router.get("/policies/current", response=list[PolicyOut], auth=None)
def policies_current(request: HttpRequest) -> list[PolicyOut]:
    """The privacy policy and terms in force now (anyone may read them)."""
    return [_policy_out(document) for document in current_versions().values()]


@router.get("/me/policy-acceptances", response=list[AcceptanceOut])
def acceptances_list(request: HttpRequest) -> list[AcceptanceOut]:
    current = current_versions()
    return [_acceptance_out(a, current) for a in acceptance_list(user_id=_user(request).pk)]


@router.post("/me/policy-acceptances", response={201: AcceptanceOut})
def acceptance_create(request: HttpRequest, payload: AcceptanceIn) -> Status[AcceptanceOut]:
    """Accept a published version; an unknown version or kind is 404 and records nothing."""
    acceptance = policy_accept(user=_user(request), kind=payload.kind, version=payload.version)
    banner_mark_accepted(request, acceptance.document)
    return Status(201, _acceptance_out(acceptance, current_versions()))


@router.post("/me/policy-notices/close", response={204: None})
def notice_close(request: HttpRequest, payload: AcceptanceIn) -> Status[None]:
    """Hide the banner of a version for this session without accepting it."""
    _user(request)
    banner_dismiss(request, kind=payload.kind, version=payload.version)
    return Status(204, None)
