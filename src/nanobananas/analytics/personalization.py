"""Personalization: an account's design habits learned from the results they kept, read, reset and exported.

A kept result is a result that is still live (not deleted by the person, not expired) and that they did
not rate down; one they rated up or edited further counts twice. The newest `KEPT_RESULTS` of them are
counted by the engine's `learn_design_preferences`; the outcome is stored in one `LearnedPreferences`
row per account, refreshed whenever it is read (when a design is planned, on Me -> Privacy, in the
export), so that what results taught survives their expiry. Guests are never learned from.

While the person's personalization switch is off nothing is learned or used, and the row is deleted
the next time it would be read.
"""

from __future__ import annotations

from datetime import datetime
from math import gcd
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.models import Feedback, LearnedPreferences
from nanobananas.audit.services import audit_record
from nanobananas.engine.planner.preferences import DesignPreferences, learn_design_preferences

__all__ = [
    "KEPT_RESULTS",
    "design_preferences_for",
    "preferences_described",
    "preferences_export",
    "preferences_learned",
    "preferences_refresh",
    "preferences_reset",
]

KEPT_RESULTS = 50


def _kept_results(*, user_id: int, since: datetime | None) -> list[tuple[str, dict[str, Any] | None]]:
    """(provider, plan) of the newest kept results, a result rated up or edited further listed twice."""
    from nanobananas.studio.models import Asset, Lifecycle

    results = Asset.objects.filter(owner_user_id=user_id, kind=Asset.Kind.RESULT, state=Lifecycle.ACTIVE)
    if since is not None:
        results = results.filter(created_at__gte=since)
    rated_down = Feedback.objects.filter(asset_id=OuterRef("pk"), rating=Feedback.Rating.DOWN)
    rated_up = Feedback.objects.filter(asset_id=OuterRef("pk"), rating=Feedback.Rating.UP)
    edited = Asset.objects.filter(parent_id=OuterRef("pk"), state=Lifecycle.ACTIVE)
    newest = (
        results.annotate(down=Exists(rated_down), up=Exists(rated_up), edited=Exists(edited))
        .filter(down=False)
        .order_by("-created_at")[:KEPT_RESULTS]
    )
    kept: list[tuple[str, dict[str, Any] | None]] = []
    for asset in newest:
        entry = (asset.provider, asset.plan if asset.operation == Asset.Operation.GENERATE else None)
        kept.extend([entry, entry] if asset.up or asset.edited else [entry])
    return kept


def preferences_refresh(*, user_id: int) -> LearnedPreferences | None:
    """Learn again from the account's kept results and store what changed; None while personalization is
    off (the row is then deleted) or while nothing has been learned yet."""
    from nanobananas.privacy.selectors import personalization_allowed

    with transaction.atomic():
        row = LearnedPreferences.objects.select_for_update().filter(owner_user_id=user_id).first()
        if not personalization_allowed(Owner(user_id=user_id)):
            if row is not None:
                row.delete()
            return None
        kept = _kept_results(user_id=user_id, since=row.learned_since if row is not None else None)
        if not kept:
            # Nothing live to learn from (all expired): what earlier results taught stays.
            return row if row is not None and row.learned else None
        learned = learn_design_preferences(kept).as_dict()
        if row is None:
            row = LearnedPreferences(owner_user_id=user_id)
        elif row.learned == learned and row.results_counted == len(kept):
            return row
        row.learned, row.results_counted, row.updated_at = learned, len(kept), timezone.now()
        row.save()
    return row


def preferences_learned(*, user_id: int) -> DesignPreferences | None:
    """What was learned about the account (refreshed first), or None: switched off or nothing yet."""
    row = preferences_refresh(user_id=user_id)
    if row is None:
        return None
    preferences = DesignPreferences.from_dict(row.learned)
    return None if preferences.empty else preferences


def design_preferences_for(*, owner: Owner | None) -> DesignPreferences | None:
    """The learned defaults to plan this owner's design requests with (None for guests and when off)."""
    if owner is None or owner.user_id is None:
        return None
    return preferences_learned(user_id=owner.user_id)


def _ratio(width: int, height: int) -> str:
    if width == height:
        return "square"
    divisor = gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


def preferences_described(preferences: DesignPreferences) -> list[str]:
    """What was learned, one line each, as Me -> Privacy shows it."""
    lines = [
        f"{kind.replace('-', ' ').capitalize()}: {width} x {height} ({_ratio(width, height)})"
        for kind, (width, height) in sorted(preferences.sizes.items())
    ]
    if preferences.palette is not None:
        lines.append(f"Colours: {preferences.palette.removeprefix('colours:').replace('-', ', ')}")
    if preferences.fonts is not None:
        lines.append(f"Fonts: {preferences.fonts.replace('-', ' ').title()}")
    if preferences.provider is not None:
        lines.append(f"Usually made by: {preferences.provider}")
    return lines


def preferences_reset(*, user_id: int) -> None:
    """The reset button: forget everything learned and learn only from results made from now on."""
    now = timezone.now()
    with transaction.atomic():
        LearnedPreferences.objects.update_or_create(
            owner_user_id=user_id,
            defaults={"learned": {}, "results_counted": 0, "learned_since": now, "updated_at": now},
        )
        audit_record(
            kind="analytics.preferences_reset", actor=f"user:{user_id}", owner_key=f"u{user_id}",
            target_type="learned_preferences", target_id=str(user_id),
        )  # fmt: skip


def preferences_export(user_id: int) -> dict[str, Any] | None:
    """The stored row as the data export shows it, brought up to date first (None without one; while
    personalization is off the row is deleted first, so the export shows none)."""
    preferences_refresh(user_id=user_id)
    row = LearnedPreferences.objects.filter(owner_user_id=user_id).first()
    if row is None:
        return None
    return {
        "learned": row.learned,
        "results_counted": row.results_counted,
        "learned_since": row.learned_since.isoformat() if row.learned_since else None,
        "updated_at": row.updated_at.isoformat(),
    }
