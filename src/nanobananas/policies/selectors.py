"""Reads for policies: the current published version of each kind, earlier versions, a user's acceptances."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from nanobananas.core.exceptions import NotFound
from nanobananas.policies.models import PolicyAcceptance, PolicyDocument, PolicyKind

__all__ = ["acceptance_list", "current_version", "current_versions", "version_get", "version_list"]


def version_list(*, kind: str) -> QuerySet[PolicyDocument]:
    """Published versions of `kind`, newest first (drafts never appear)."""
    return PolicyDocument.objects.filter(
        kind=kind, published_at__isnull=False, published_at__lte=timezone.now()
    ).order_by("-published_at", "-id")


def current_version(kind: str = "privacy") -> PolicyDocument | None:
    """The version of `kind` ("privacy" or "terms") in force now: the latest published one."""
    return version_list(kind=kind).first()


def current_versions() -> dict[str, PolicyDocument]:
    """The version in force of every kind that has one, in one query."""
    found: dict[str, PolicyDocument] = {}
    published = PolicyDocument.objects.filter(published_at__isnull=False, published_at__lte=timezone.now())
    # Few rows (a handful of versions a year); the newest of each kind comes first.
    for document in published.order_by("kind", "-published_at", "-id").defer("body"):
        found.setdefault(document.kind, document)
    return {kind: found[kind] for kind in PolicyKind.values if kind in found}


def version_get(*, kind: str, version: str) -> PolicyDocument:
    """A published version by its label; drafts and unknown labels are not found."""
    document = version_list(kind=kind).filter(version=version).first()
    if document is None:
        raise NotFound(f"No published {kind} version {version!r}.")
    return document


def acceptance_list(*, user_id: int) -> QuerySet[PolicyAcceptance]:
    return PolicyAcceptance.objects.filter(user_id=user_id).select_related("document").order_by("at", "id")
