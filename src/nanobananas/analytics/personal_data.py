"""What the analytics app stores about a person: nothing that names them, and on account deletion the events
that the current month's salt could still tie to them go."""

from __future__ import annotations

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.selectors import events_of_owner
from nanobananas.analytics.services import events_erase_for_owner
from nanobananas.registry.personal_data import AccountClosing, Exporter, ExportFile, PersonalData, register

__all__ = ["analytics_close", "analytics_export"]


def analytics_close(closing: AccountClosing) -> dict[str, int]:
    return {"analytics_events": events_erase_for_owner(Owner(user_id=closing.user_id))}


def analytics_export(user_id: int) -> list[ExportFile]:
    """analytics.json: this month's usage events the current salt still ties to the person."""
    return [ExportFile("analytics.json", events_of_owner(owner=Owner(user_id=user_id)))]


register(
    PersonalData(app_label="analytics", references=(), close=analytics_close, export=Exporter(files=analytics_export))
)
