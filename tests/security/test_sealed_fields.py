"""Every text or JSON column of every model is either sealed (a vault SealedField) or on a short, reviewed
allow-list of columns that never hold what a person wrote or uploaded; and the sealed ones really are."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.db import connection, models
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.moderation.models import ReviewItem
from nanobananas.moderation.services import report_create
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Job
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.vault.fields import SealedField
from nanobananas.vault.sealing import PREFIX, UNREADABLE
from nanobananas.vault.services import owner_keys_shred

MARKER = "SEALMARK-5521"

# One reason per column. A column belongs here only if the product never writes into it what a person
# typed or uploaded (their words, file names, profile): ids, hashes, codes, numbers, operator or staff
# text, or an account's login identifiers, which must stay queryable.
ALLOWED: dict[str, str] = {
    # Account login identifiers: looked up on every sign-in and at sign-up for uniqueness.
    "auth.User.username": "login name, looked up at sign-in (account data, kept for the account's life)",
    "auth.User.email": "login address, looked up at sign-in and for password resets",
    "auth.User.password": "an argon2 hash",
    "auth.User.first_name": "never written by the product (the display name lives sealed in the profile)",
    "auth.User.last_name": "never written by the product (the display name lives sealed in the profile)",
    "accounts.Profile.email_key": "the lower-cased login address: its unique index keeps two accounts apart",
    "accounts.Profile.pending_email": "an address being verified: the verification mail is sent to it",
    "accounts.Plan.code": "operator configuration",
    "accounts.Plan.name": "operator configuration",
    "accounts.Plan.price_label": "operator configuration",
    "accounts.Plan.allowed_providers": "operator configuration (provider names)",
    "accounts.Plan.retention_hours_options": "operator configuration (numbers)",
    "accounts.QuotaUsage.kind": "a quota kind code",
    "accounts.RateWindow.key": "a pseudonymous throttle key (hashes of addresses and ids)",
    "accounts.UserSession.session_key": "a random session id",
    "accounts.UserSession.session_data": "signed session state: ids and flags, never content",
    "accounts.UserSession.device": "a browser and platform label parsed from the User-Agent header",
    "axes.AccessAttempt.username": "the login name typed at a failed sign-in (login data, cleared on success)",
    "axes.AccessAttempt.get_data": "the sign-in request's query (django-axes masks the password)",
    "axes.AccessAttempt.post_data": "the sign-in form's fields (django-axes masks the password)",
    "axes.AccessAttempt.http_accept": "a request header",
    "axes.AccessAttempt.path_info": "the sign-in path",
    "axes.AccessAttempt.user_agent": "a request header",
    "axes.AccessFailureLog.username": "the login name typed at a failed sign-in (login data)",
    "axes.AccessFailureLog.http_accept": "a request header",
    "axes.AccessFailureLog.path_info": "the sign-in path",
    "axes.AccessFailureLog.user_agent": "a request header",
    "axes.AccessLog.username": "a login name (login data)",
    "axes.AccessLog.http_accept": "a request header",
    "axes.AccessLog.path_info": "the sign-in path",
    "axes.AccessLog.session_hash": "a hash",
    "axes.AccessLog.user_agent": "a request header",
    "otp_totp.TOTPDevice.key": "a staff member's one-time-password secret",
    "otp_totp.TOTPDevice.name": "a staff device label",
    "admin.LogEntry.object_id": "a primary key",
    "admin.LogEntry.object_repr": "staff pages of user content are read-only: no change is ever logged for them",
    "admin.LogEntry.change_message": "Django's own change summary of field names",
    "auth.Group.name": "staff group names",
    "auth.Permission.name": "Django permission labels",
    "auth.Permission.codename": "Django permission codes",
    "contenttypes.ContentType.app_label": "model labels",
    "contenttypes.ContentType.model": "model labels",
    "sessions.Session.session_key": "a random session id",
    "sessions.Session.session_data": "signed session state: ids and flags, never content",
    "core.PeriodicRun.task": "a periodic task's name",
    "studio.Conversation.deletion_reason": "a deletion reason code",
    "studio.Message.deletion_reason": "a deletion reason code",
    "studio.Asset.deletion_reason": "a deletion reason code",
    "studio.Job.options": "an output size in pixels and the id of a mask image",
    "studio.Job.stage": "a fixed progress label from the worker (planning, rendering, ...)",
    "studio.Job.error_code": "a machine-readable error code",
    "studio.Job.provider": "a provider name",
    "studio.Asset.inputs": "ids of the images a result was made from",
    "studio.Asset.blob_name": "a random storage name (owner key and uuid)",
    "studio.Asset.content_type": "a media type the server chose",
    "studio.Asset.sha256": "a hash",
    "studio.Asset.provider": "a provider name",
    "studio.Asset.model": "a model name",
    "studio.Asset.sent": "ids, a provider and model name, the prompt's SHA-256 and a count (never the text)",
    "vault.DataKey.owner_key": "an owner key (u<id> or g<id>)",
    "vault.DataKey.master_key_id": "a key id",
    "billing.Subscription.provider": "a payment provider name",
    "billing.Subscription.external_id": "the processor's id",
    "billing.Subscription.customer_id": "the processor's id",
    "billing.Subscription.plan_code": "a plan code",
    "billing.PaymentCustomer.provider": "a payment provider name",
    "billing.PaymentCustomer.customer_id": "the processor's id",
    "billing.Invoice.provider": "a payment provider name",
    "billing.Invoice.external_id": "the processor's id",
    "billing.Invoice.subscription_external_id": "the processor's id",
    "billing.Invoice.status": "the processor's status code",
    "billing.Invoice.currency": "a currency code",
    "billing.PaymentErasure.provider": "a payment provider name",
    "billing.PaymentErasure.external_id": "the processor's id",
    "billing.PaymentErasure.last_error": "the processor's error for an id (no content of ours)",
    "billing.WebhookEvent.provider": "a payment provider name",
    "billing.WebhookEvent.event_id": "the processor's id",
    "billing.WebhookEvent.type": "the processor's event type",
    "privacy.DeletionReceipt.item_id": "an id",
    "privacy.DeletionReceipt.owner_key": "an owner key",
    "privacy.DeletionReceipt.content_sha256": "a hash",
    "privacy.PendingBlobDeletion.blob_name": "a random storage name",
    "privacy.PendingBlobDeletion.last_error": "a storage error about a random storage name",
    "privacy.LegalHold.reason": "staff's words for the hold (or 'moderation evidence <id> (<category>)')",
    "privacy.CleanupRun.counts": "numbers",
    "privacy.DataExport.stage": "a fixed progress label",
    "privacy.DataExport.link_base": "the site's address",
    "privacy.DataExport.blob_name": "a random storage name",
    "privacy.DataExport.sha256": "a hash",
    "privacy.DataExport.error": "a failure summary naming the step and the error class (no content)",
    "privacy.ConsentEvent.setting": "a setting name",
    "privacy.ConsentEvent.subject": "an owner key or hash",
    "privacy.ConsentEvent.policy_version": "a policy version label",
    "analytics.MonthlySalt.month": "a calendar month",
    "analytics.Event.name": "an event name from a fixed list",
    "analytics.Event.pseudonym": "a keyed hash under a monthly salt that is destroyed when the month ends",
    "analytics.Event.label": "a code from a fixed schema (section, tool, provider, plan or error class)",
    "analytics.Event.operation": "an operation code",
    "analytics.Event.browser": "a browser family",
    "analytics.Event.device": "a device class",
    "analytics.DailyAggregate.metric": "an event name",
    "analytics.Feedback.plan_sha256": "a hash",
    "analytics.Feedback.operation": "an operation code",
    "analytics.Feedback.provider": "a provider name",
    "analytics.ErrorReport.exception_class": "an exception's class name",
    "analytics.ErrorReport.operation": "an operation code",
    "analytics.ErrorReport.provider": "a provider name",
    "analytics.ErrorReport.plan_sha256": "a hash",
    "analytics.ErrorReport.frames": "file, line and function names of the code (no values, no source, no message)",
    "analytics.BugReport.page": "a path of this site the report was sent from",
    "analytics.DailyAggregate.dimension": "a code from a fixed schema",
    "analytics.LearnedPreferences.learned": "kinds, pixel sizes, palette (fixed colour words), font and provider names",
    "tokens.ApiToken.prefix": "the public part of a random token",
    "tokens.ApiToken.digest": "a hash",
    "tokens.ApiToken.scopes": "scope codes",
    "audit.AuditEvent.kind": "an event kind",
    "audit.AuditEvent.actor": "an actor key",
    "audit.AuditEvent.owner_key": "an owner key",
    "audit.AuditEvent.target_type": "a model name",
    "audit.AuditEvent.target_id": "an id",
    "audit.AuditEvent.details": "ids, hashes and codes, never content (policy of the audit log)",
    "audit.AuditEvent.prev_hash": "a hash",
    "audit.AuditEvent.hash": "a hash",
    "audit.AuditChainHead.last_hash": "a hash",
    "audit.AuditCheckpoint.through_hash": "a hash",
    "policies.PolicyDocument.version": "operator-written policy text",
    "policies.PolicyDocument.title": "operator-written policy text",
    "policies.PolicyDocument.body": "operator-written policy text",
    "policies.PolicyDocument.summary": "operator-written policy text",
    "moderation.BlockedTerm.term": "a pattern staff added to the blocklist",
    "moderation.BlockedTerm.category": "a category code",
    "moderation.BlockedTerm.note": "staff's note",
    "moderation.KnownImage.sha256": "a hash",
    "moderation.KnownImage.phash": "a perceptual hash",
    "moderation.KnownImage.dhash": "a perceptual hash",
    "moderation.KnownImage.category": "a category code",
    "moderation.KnownImage.note": "staff's note",
    "moderation.BlockedAttempt.category": "a category code",
    "moderation.BlockedAttempt.verdict": "each check's action, category, score and rule id (no matched text)",
    "moderation.ReviewItem.stage": "prompt, upload or result",
    "moderation.ReviewItem.category": "a category code",
    "moderation.ReviewItem.categories": "category codes",
    "moderation.ReviewItem.verdict": "each check's action, category, score and rule id (no matched text)",
    "moderation.ReviewItem.reported_by": "an owner key",
    "moderation.ReviewItem.reason_sha256": "a hash of the report's reason",
    "moderation.BlockedAddress.address_key": "a keyed hash of a network address",
    "moderation.Evidence.owner_key": "an owner key",
    "moderation.Evidence.category": "a category code",
    "moderation.Evidence.context": "ids, hashes and times of the item (the prompt is sealed separately)",
    "moderation.Evidence.holds": "ids of legal holds",
    "moderation.EvidenceAccess.why": "staff's reason for viewing evidence",
}

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _text_columns() -> dict[str, models.Field]:  # type: ignore[type-arg]
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS) and not isinstance(field, SealedField):
                found[f"{model._meta.label}.{field.name}"] = field
    return found


def test_every_text_and_json_column_is_sealed_or_allow_listed_with_a_reason() -> None:
    columns = _text_columns()
    # Columns with choices hold only the declared codes.
    unsealed = {name for name, field in columns.items() if not field.choices}
    assert sorted(unsealed - ALLOWED.keys()) == []
    # The list stays reviewed: no entry for a column that is gone or has since been sealed.
    assert sorted(ALLOWED.keys() - unsealed) == []
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_columns_that_hold_a_persons_words_are_sealed() -> None:
    sealed = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SealedField)
    }
    assert {
        "accounts.Profile.sealed_display_name",
        "moderation.Evidence.sealed_prompt",
        "moderation.ReviewItem.sealed_reason",
        "studio.Asset.sealed_original_name",
        "studio.Asset.sealed_plan",
        "studio.Asset.sealed_steps",
        "studio.Conversation.sealed_title",
        "studio.Job.sealed_error_message",
        "studio.Message.sealed_text",
        "tokens.ApiToken.sealed_name",
    } <= sealed


def _column(table: str, column: str, pk: object) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # names come from the models
        return str(cursor.fetchone()[0])


def _result_of(owner: Owner, text: str) -> Asset:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    assert job is not None
    job_run(job_id=job.id)
    return Asset.objects.get(job=job)


@pytest.mark.django_db
@pytest.mark.database
def test_a_reports_reason_is_sealed_with_the_reporters_key_and_unreadable_once_it_is_shredded() -> None:
    owner = Owner(guest_id=guest_create().id)
    asset = _result_of(owner, "a poster of a lighthouse")
    item = report_create(owner=owner, asset_id=asset.id, reason=f"this is not mine {MARKER}")
    pk = item.id.hex if connection.vendor == "sqlite" else item.id
    stored = _column(ReviewItem._meta.db_table, "sealed_reason", pk)
    assert stored.startswith(PREFIX)
    assert MARKER not in stored
    assert ReviewItem.objects.get(id=item.id).reason == f"this is not mine {MARKER}"
    assert owner_keys_shred(owner_key=owner.key)
    assert ReviewItem.objects.get(id=item.id).reason == UNREADABLE


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (40, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _raw_table(model: type[models.Model]) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # the table name comes from the model
        rows = cursor.fetchall()
    return repr(rows)


@pytest.mark.django_db
@pytest.mark.database
def test_a_text_steps_words_and_an_uploads_name_are_sealed_and_unreadable_once_shredded() -> None:
    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner)
    _, job = message_send(
        owner=owner, conversation_id=conversation.id, text=f'add the text "{MARKER}" at the top',
        files=[IncomingFile(name=f"{MARKER}-holiday.png", data=_photo())],
    )  # fmt: skip
    assert job is not None
    job_run(job_id=job.id)
    result = Asset.objects.get(job=job)
    upload = Asset.objects.get(conversation=conversation, kind=Asset.Kind.UPLOAD)
    # The words really are in the plan and the op records, and the name is kept: only sealed.
    assert MARKER in json.dumps(result.plan)
    assert MARKER in json.dumps(result.steps)
    assert upload.original_name == f"{MARKER}-holiday.png"
    raw = _raw_table(Asset)
    assert MARKER not in raw
    assert result.sealed_plan.startswith(PREFIX)
    assert result.sealed_steps.startswith(PREFIX)
    assert upload.sealed_original_name.startswith(PREFIX)

    assert owner_keys_shred(owner_key=owner.key)
    result, upload = Asset.objects.get(id=result.id), Asset.objects.get(id=upload.id)
    assert (result.plan, result.steps, upload.original_name) == (None, [], UNREADABLE)


@pytest.mark.django_db
@pytest.mark.database
def test_a_failed_jobs_message_and_a_display_name_and_a_token_name_are_sealed() -> None:
    from django.contrib.auth import get_user_model

    from nanobananas.accounts.models import Profile
    from nanobananas.accounts.services import profile_ensure, profile_update
    from nanobananas.tokens.models import ApiToken
    from nanobananas.tokens.services import token_create

    user = get_user_model().objects.create_user(username="sealer", email="sealer@example.org", password="x" * 12)
    profile_ensure(user=user)
    profile_update(user=user, display_name=f"Dana {MARKER}", username="sealer")
    token, _ = token_create(user_id=user.pk, name=f"laptop {MARKER}", scopes=["images:read"])
    owner = Owner(user_id=user.pk)
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="make a poster for a bakery")
    assert job is not None
    job.error_message = f"not a colour: '{MARKER}'"
    job.save(update_fields=["sealed_error_message"])

    assert MARKER not in _raw_table(Profile) + _raw_table(ApiToken) + _raw_table(Job)
    assert Profile.objects.get(user=user).display_name == f"Dana {MARKER}"
    assert ApiToken.objects.get(id=token.id).name == f"laptop {MARKER}"
    assert Job.objects.select_related("conversation").get(id=job.id).error_message == f"not a colour: '{MARKER}'"
    assert owner_keys_shred(owner_key=owner.key)
    assert Profile.objects.get(user=user).display_name == UNREADABLE
    assert ApiToken.objects.get(id=token.id).name == UNREADABLE
