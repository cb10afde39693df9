"""What content review stores about a person (attempts, review items, evidence, staff records), for the registry."""

from __future__ import annotations

from nanobananas.accounts.identity import Owner
from nanobananas.moderation.selectors import reports_of
from nanobananas.moderation.services import review_items_erase
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

__all__ = ["moderation_close", "moderation_export"]


def moderation_close(closing: AccountClosing) -> dict[str, int]:
    """Reports and review items keep only what a decided review needs (unless held)."""
    return review_items_erase(owner=Owner(user_id=closing.user_id))


def moderation_export(user_id: int) -> list[ExportFile]:
    """reports.json: the reports the person made, with their words."""
    return [ExportFile("reports.json", reports_of(owner=Owner(user_id=user_id)))]


_GUEST_ROW = "goes with the guest row"

register(
    PersonalData(
        app_label="moderation",
        close=moderation_close,
        export=Exporter(files=moderation_export),
        references=(
            reference("moderation.BlockedTerm.added_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who listed a term",
                      left_out="added_by: the staff member who listed a term, not that person's data"),
            reference("moderation.KnownImage.added_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who listed an image",
                      left_out="added_by: the staff member who listed an image, not that person's data"),
            reference("moderation.BlockedAttempt.owner_user", Link.USER, Deletion.KEPT,
                      "abuse-prevention records (rule ids, no content)",
                      left_out="content-review records (category, time, rule ids) for abuse prevention"),
            reference("moderation.BlockedAttempt.owner_guest", Link.GUEST, Deletion.ERASED, _GUEST_ROW,
                      carry_over=CarryOver.STAYS),
            reference("moderation.BlockedAddress.address_key", Link.ADDRESS, Deletion.EXPIRES,
                      "a keyed pseudonym of the network address, counted for the throttle and purged with it"),
            reference("moderation.ReviewItem.owner_user", Link.USER, Deletion.REDACTED,
                      "open items go; decided items are redacted to the decision and rule ids",
                      exported="reports.json (the reports the person made, with their words)"),
            reference("moderation.ReviewItem.owner_guest", Link.GUEST, Deletion.ERASED, _GUEST_ROW,
                      carry_over=CarryOver.STAYS),
            reference("moderation.ReviewItem.reported_by", Link.OWNER_KEY, Deletion.REDACTED,
                      "open reports go; a decided one keeps the reporter's key and only the SHA-256 of their words"),
            reference("moderation.ReviewItem.decided_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who decided",
                      left_out="decided_by: the staff member who decided, not that person's data"),
            reference("moderation.Evidence.owner_key", Link.OWNER_KEY, Deletion.HELD,
                      "evidence of prohibited content: a legal hold with restricted access"),
            reference("moderation.Evidence.escalated_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who escalated",
                      left_out="escalated_by/released_by: staff records; evidence access is restricted by the policy"),
            reference("moderation.Evidence.released_by", Link.USER, Deletion.ANONYMISED,
                      "the staff member who released",
                      left_out="escalated_by/released_by: staff records; evidence access is restricted by the policy"),
            reference("moderation.EvidenceAccess.viewer", Link.USER, Deletion.ANONYMISED,
                      "the staff member whose access was audited",
                      left_out="viewer: a staff member's audited access, the operator's own records"),
        ),
    )
)  # fmt: skip
