"""Every reference to a user or a guest is handled by account deletion (and the guest's expiry), on purpose.

DELETION is the one place that says what happens to each such reference when an account is deleted
(`accounts.services.account_delete`, then the retention purge and `closed_accounts_purge`), or when a
guest expires. A new model that points at a user or a guest fails this test until it is added here,
and the handling declared must agree with how the foreign key is built.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from nanobananas.accounts.models import Guest
from nanobananas.accounts.services import account_delete
from nanobananas.privacy.services import retention_purge
from tests.accounts.conftest import PASSWORD, signup


class How(StrEnum):
    QUEUED = "queued for deletion at once (hidden, 404), physically deleted by the next purge"
    DELETED = "deleted at once, in the deletion's transaction"
    KEPT = "kept with the tombstone (account data: life + 3 years), then purged with the user row"
    ANONYMISED = "kept, with the link to the person cleared when the user row goes (SET_NULL)"
    HELD = "a legal hold: while active it keeps the owner, the content and the tombstone"
    STAFF = "a staff-only record: staff accounts are not deleted from the Me page; goes with the user row"


DELETION: dict[str, tuple[How, str]] = {
    # accounts
    "accounts.Profile.user": (How.KEPT, "fields cleared at deletion (name, email key, verification, choices)"),
    "accounts.QuotaUsage.owner_user": (How.DELETED, "usage counters"),
    "accounts.QuotaUsage.owner_guest": (How.DELETED, "go with the guest row when the purge removes the guest"),
    "accounts.UserSession.user": (How.DELETED, "every session ends at once"),
    "accounts.ClosedAccount.user": (How.KEPT, "the tombstone itself"),
    "auth.User_groups.user": (How.DELETED, "group memberships cleared"),
    "auth.User_user_permissions.user": (How.DELETED, "permissions cleared"),
    "admin.LogEntry.user": (How.STAFF, "what a staff member did in the admin"),
    "otp_totp.TOTPDevice.user": (How.STAFF, "a staff member's authenticator"),
    # studio
    "studio.Conversation.owner_user": (How.QUEUED, "with its messages and jobs; legal holds apply"),
    "studio.Conversation.owner_guest": (How.QUEUED, "the sweep queues a guest's text after 24 h"),
    "studio.Asset.owner_user": (How.QUEUED, "images and uploads, blobs through the pending-blob queue"),
    "studio.Asset.owner_guest": (How.QUEUED, "the sweep queues a guest's images after 24 h"),
    # tokens
    "tokens.ApiToken.user": (How.DELETED, "every API token stops working at once"),
    # billing
    "billing.Subscription.user": (How.KEPT, "billing record; a paid one is canceled at the provider first"),
    "billing.PaymentCustomer.user": (How.KEPT, "billing record"),
    "billing.Invoice.user": (How.KEPT, "billing record; deleted explicitly by the tombstone purge"),
    # privacy
    "privacy.DataExport.user": (How.DELETED, "rows at once, archive bytes through the pending-blob queue"),
    "privacy.LegalHold.owner_user": (How.HELD, "released holds on the owner are deleted with the tombstone"),
    "privacy.LegalHold.owner_guest": (How.HELD, "a held guest is never purged"),
    "privacy.LegalHold.placed_by": (How.ANONYMISED, "the staff member who placed a hold"),
    "privacy.LegalHold.released_by": (How.ANONYMISED, "the staff member who released a hold"),
    "privacy.PrivacySettings.owner_user": (How.KEPT, "the settings the consent log leads to"),
    "privacy.PrivacySettings.owner_guest": (How.DELETED, "goes with the guest row"),
    "privacy.ConsentEvent.owner_user": (How.KEPT, "the consent log"),
    "privacy.ConsentEvent.owner_guest": (How.DELETED, "goes with the guest row"),
    "privacy.AnalyticsEvent.owner_user": (How.DELETED, "analytics are kept only anonymised"),
    "privacy.AnalyticsEvent.owner_guest": (How.DELETED, "goes with the guest row"),
    # policies
    "policies.PolicyDocument.created_by": (How.ANONYMISED, "the staff member who wrote a policy version"),
    "policies.PolicyNotice.user": (How.KEPT, "the record that a policy change was sent to the person"),
    "policies.PolicyAcceptance.user": (How.KEPT, "policy acceptances belong to the consent log"),
    # moderation
    "moderation.BlockedTerm.added_by": (How.ANONYMISED, "the staff member who listed a term"),
    "moderation.KnownImage.added_by": (How.ANONYMISED, "the staff member who listed an image"),
    "moderation.BlockedAttempt.owner_user": (How.KEPT, "abuse-prevention records (rule ids, no content)"),
    "moderation.BlockedAttempt.owner_guest": (How.DELETED, "goes with the guest row"),
    "moderation.ReviewItem.owner_user": (How.KEPT, "decided items redacted to the decision and rule ids"),
    "moderation.ReviewItem.owner_guest": (How.DELETED, "goes with the guest row"),
    "moderation.ReviewItem.decided_by": (How.ANONYMISED, "the staff member who decided"),
    "moderation.Evidence.escalated_by": (How.ANONYMISED, "the staff member who escalated"),
    "moderation.Evidence.released_by": (How.ANONYMISED, "the staff member who released"),
    "moderation.EvidenceAccess.viewer": (How.ANONYMISED, "the staff member whose access was audited"),
}


def _references() -> dict[str, models.Field]:  # type: ignore[type-arg]
    targets = (get_user_model(), Guest)
    return {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model in targets
    }


def test_every_reference_to_a_user_or_guest_is_handled_by_deletion() -> None:
    references = _references()
    uncovered = sorted(references.keys() - DELETION.keys())
    assert not uncovered, (
        f"{uncovered} point at a user or a guest but account deletion does not say what happens to them: "
        "handle them in accounts.services.account_delete (or the tombstone purge) and add them to DELETION "
        "in tests/privacy/test_deletion_coverage.py"
    )
    stale = sorted(DELETION.keys() - references.keys())
    assert not stale, f"{stale} in DELETION no longer point at a user or a guest: remove them"


def test_the_declared_handling_agrees_with_the_foreign_keys() -> None:
    for label, field in _references().items():
        if label not in DELETION:
            continue  # reported by the coverage test above
        how, _ = DELETION[label]
        on_delete = getattr(field.remote_field, "on_delete", None)
        if how == How.ANONYMISED:
            assert on_delete is models.SET_NULL, f"{label} is declared anonymised but is not SET_NULL"
        if how != How.HELD:
            # The 3-year purge deletes the user row (and the guest purge the guest row): nothing may block it.
            assert on_delete not in (models.PROTECT, models.RESTRICT), f"{label} would block the purge"
        if how == How.QUEUED:
            names = {f.name for f in field.model._meta.get_fields()}
            assert {"state", "queued_at", "deletion_reason"} <= names, f"{label} has no cleanup-queue state"


@pytest.mark.django_db
@pytest.mark.database
def test_after_deletion_and_purge_each_reference_is_handled_as_declared(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tests.accounts.test_account_delete import _seed

    user = signup()
    _seed(user)
    user_model = get_user_model()
    user_fields = {label: f for label, f in _references().items() if f.related_model is user_model}

    def count(field: Any) -> int:
        return int(field.model._base_manager.filter(**{field.name: user.pk}).count())

    seeded = {label: count(field) for label, field in user_fields.items()}
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD, phrase="delete my account")
    retention_purge()

    left = {label: count(field) for label, field in user_fields.items()}
    for label in user_fields:
        how, _ = DELETION[label]
        if how in (How.QUEUED, How.DELETED):
            assert left[label] == 0, f"{label}: {left[label]} row(s) left, declared {how.name}"
        if how == How.KEPT:
            assert left[label] >= seeded[label], f"{label}: declared KEPT, {seeded[label]} -> {left[label]}"
    assert {label for label, n in seeded.items() if n and DELETION[label][0] != How.KEPT} >= {
        "studio.Conversation.owner_user",
        "studio.Asset.owner_user",
        "tokens.ApiToken.user",
        "privacy.DataExport.user",
        "accounts.QuotaUsage.owner_user",
        "privacy.AnalyticsEvent.owner_user",
    }
