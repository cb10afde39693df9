"""Legal holds as the deletion paths read them: which rows an active hold keeps out of every deletion."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from nanobananas.privacy.models import LegalHold

__all__ = ["active_holds", "unheld"]


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(released_at__isnull=True)


def unheld(queryset: QuerySet[Any], *, kind: str) -> QuerySet[Any]:
    """Leave out rows under an active legal hold: on the item, its conversation or its owner."""
    holds = active_holds()
    conversation_field = "id" if kind == "conversation" else "conversation_id"
    owner_prefix = "" if kind != "message" else "conversation__"
    held = (
        Q(Exists(holds.filter(conversation_id=OuterRef(conversation_field))))
        | Q(Exists(holds.filter(owner_user_id=OuterRef(f"{owner_prefix}owner_user_id"))))
        | Q(Exists(holds.filter(owner_guest_id=OuterRef(f"{owner_prefix}owner_guest_id"))))
    )
    if kind == "asset":
        held |= Q(Exists(holds.filter(asset_id=OuterRef("id"))))
    return queryset.exclude(held)
