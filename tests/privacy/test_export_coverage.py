"""Every table that points at a user is in the data export, or is left out of it for a stated reason."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model

IN_ARCHIVE = {
    "accounts.Profile": "account.json: profile, settings",
    "accounts.QuotaUsage": "account.json: quota_usage",
    "accounts.UserSession": "account.json: sessions (device and times, never the key or the data)",
    "studio.Conversation": "conversations/<id>.json, with its live messages and jobs",
    "studio.Asset": "images/<conversation id>/ and the images of conversations/<id>.json",
    "billing.Subscription": "billing.json: subscriptions",
    "billing.PaymentCustomer": "billing.json: payment_customers",
    "billing.Invoice": "billing.json: invoices",
    "tokens.ApiToken": "account.json: api_tokens (never the digest)",
    "policies.PolicyAcceptance": "account.json: policy_acceptances (kind, version, time, how)",
    "privacy.PrivacySettings": "account.json: privacy_settings",
    "privacy.ConsentEvent": "account.json: consents (the whole ledger, oldest first)",
    "privacy.AnalyticsEvent": "analytics.json",
    "moderation.ReviewItem": "reports.json: the reports the person made, with their words",
}
LEFT_OUT = {
    "auth.User_groups": "staff permission groups: how the service is run, not the person's data",
    "auth.User_user_permissions": "staff permissions: how the service is run, not the person's data",
    "admin.LogEntry": "what a staff member did in the admin: the operator's own records",
    "privacy.LegalHold": "evidence holds: restricted access by the policy, and placed by staff",
    "privacy.DataExport": "the archive itself",
    "accounts.ClosedAccount": "the tombstone of a deleted account, which can no longer sign in to export",
    "policies.PolicyDocument": "created_by: the staff member who drafted a policy version, not that person's data",
    "policies.PolicyNotice": "when a service email went out; what the user did about it is in policy_acceptances",
    "moderation.BlockedTerm": "added_by: the staff member who listed a term, not that person's data",
    "moderation.KnownImage": "added_by: the staff member who listed an image, not that person's data",
    "moderation.BlockedAttempt": "content-review records (category, time, rule ids) for abuse prevention",
    "moderation.Evidence": "escalated_by/released_by: staff records; evidence access is restricted by the policy",
    "moderation.EvidenceAccess": "viewer: a staff member's audited access, the operator's own records",
    "otp_totp.TOTPDevice": "a staff member's admin authenticator: a credential (its secret), never exported",
}


def test_every_model_that_references_a_user_is_exported_or_left_out_on_purpose() -> None:
    user_model = get_user_model()
    referencing = {
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model is user_model
    }
    unaccounted = referencing - IN_ARCHIVE.keys() - LEFT_OUT.keys()
    assert not unaccounted, (
        f"{sorted(unaccounted)} point at a user: add them to the data export (privacy/export.py) and to "
        "IN_ARCHIVE, or to LEFT_OUT with the reason"
    )
    assert not (IN_ARCHIVE.keys() | LEFT_OUT.keys()) - referencing, "stale entries: these no longer point at a user"
    assert not IN_ARCHIVE.keys() & LEFT_OUT.keys()
