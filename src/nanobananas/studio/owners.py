"""Who a studio row belongs to: the owner of a conversation, the owner columns of a new row, the actor an audit
record names."""

from __future__ import annotations

from nanobananas.accounts.identity import Owner
from nanobananas.studio.models import Conversation

__all__ = [
    "actor_of",
    "owner_fields",
    "owner_of",
]


def actor_of(owner: Owner) -> str:
    return f"user:{owner.user_id}" if owner.user_id is not None else f"guest:{owner.guest_id}"


def owner_fields(owner: Owner) -> dict[str, object]:
    return {"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id}


def owner_of(conversation: Conversation) -> Owner:
    if conversation.owner_user_id is not None:
        return Owner(user_id=conversation.owner_user_id)
    return Owner(guest_id=conversation.owner_guest_id)
