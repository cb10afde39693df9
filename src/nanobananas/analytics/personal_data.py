"""What the analytics app stores about a person: no event names them (on account deletion the events the
current month's salt could still tie to them go); feedback, bug reports and learned preferences are theirs,
exported and erased."""

from __future__ import annotations

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.models import BugReport, Feedback, LearnedPreferences
from nanobananas.analytics.personalization import preferences_export
from nanobananas.analytics.selectors import events_of_owner, feedback_export
from nanobananas.analytics.services import events_erase_for_owner
from nanobananas.registry.personal_data import (
    AccountClosing,
    CarryOver,
    Deletion,
    Exporter,
    ExportFile,
    Link,
    PersonalData,
    reference,
    register,
)

__all__ = ["analytics_close", "analytics_export"]


def analytics_close(closing: AccountClosing) -> dict[str, int]:
    feedback, _ = Feedback.objects.filter(owner_user_id=closing.user_id).delete()
    bug_reports, _ = BugReport.objects.filter(owner_user_id=closing.user_id).delete()
    learned, _ = LearnedPreferences.objects.filter(owner_user_id=closing.user_id).delete()
    return {
        "analytics_events": events_erase_for_owner(Owner(user_id=closing.user_id)),
        "feedback": feedback,
        "bug_reports": bug_reports,
        "learned_preferences": learned,
    }


def analytics_export(user_id: int) -> list[ExportFile]:
    """analytics.json: this month's usage events the current salt still ties to the person; feedback.json:
    their ratings and bug reports; preferences.json: what the studio learned about their design habits."""
    owner = Owner(user_id=user_id)
    return [
        ExportFile("analytics.json", events_of_owner(owner=owner)),
        ExportFile("feedback.json", feedback_export(owner=owner)),
        ExportFile("preferences.json", preferences_export(user_id)),
    ]


_GUEST_ROW = "goes with the guest row (or after NANOBANANAS_ANALYTICS_RAW_DAYS, whichever is first)"

register(
    PersonalData(
        app_label="analytics",
        close=analytics_close,
        export=Exporter(files=analytics_export),
        references=(
            reference("analytics.Feedback.owner_user", Link.USER, Deletion.ERASED,
                      "ratings of results: deleted with the account, or after NANOBANANAS_ANALYTICS_RAW_DAYS",
                      exported="feedback.json: feedback"),
            reference("analytics.Feedback.owner_guest", Link.GUEST, Deletion.ERASED, _GUEST_ROW,
                      carry_over=CarryOver.STAYS),
            reference("analytics.BugReport.owner_user", Link.USER, Deletion.ERASED,
                      "bug reports and the consent to share a conversation: deleted with the account, or after "
                      "NANOBANANAS_ANALYTICS_RAW_DAYS", exported="feedback.json: bug_reports", sealed=True),
            reference("analytics.BugReport.owner_guest", Link.GUEST, Deletion.ERASED, _GUEST_ROW,
                      carry_over=CarryOver.STAYS),
            reference("analytics.LearnedPreferences.owner_user", Link.USER, Deletion.ERASED,
                      "design habits learned from the person's kept results (personalization): deleted with the "
                      "account, by the reset button, or when personalization is switched off",
                      exported="preferences.json"),
        ),
    )
)  # fmt: skip
