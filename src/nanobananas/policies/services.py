"""Writes for policies: publishing a version, mailing its notice once per user, recording acceptances."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import Conflict, InvalidInput, NotFound
from nanobananas.policies.models import VERSION_LABEL, PolicyAcceptance, PolicyDocument, PolicyKind, PolicyNotice
from nanobananas.policies.selectors import version_get
from nanobananas.registry.jobs import job_enqueue_on_commit

__all__ = [
    "NOTICE_BATCH",
    "NoticeRun",
    "policy_accept",
    "policy_continued_use_record",
    "policy_notices_send",
    "policy_publish",
]

logger = logging.getLogger(__name__)

# The job (policies/tasks.py) that mails a published version's notice, enqueued by this name.
NOTICES_JOB = "policies.send_policy_notices"

NOTICE_BATCH = 200


def policy_publish(*, document: PolicyDocument, by: User | None, link_base: str = "") -> PolicyDocument:
    """Make a draft the version in force now, audit it, and (on commit) queue the email to every active user.

    `link_base` is the site's address (e.g. "https://studio.example.org/") for the link in the email.
    """
    with transaction.atomic():
        locked = PolicyDocument.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            raise NotFound("No policy document with this id.")
        if locked.published_at is not None:
            raise Conflict(f"{locked} is already published; publish a new version instead.", code="already_published")
        try:
            VERSION_LABEL(locked.version)
        except ValidationError:
            raise InvalidInput(
                f"Version {locked.version!r} cannot be published: use letters, digits, '.', '-' and '_' only.",
                code="bad_version_label",
            ) from None
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        audit_record(
            kind="policy.publish",
            actor=f"user:{by.pk}" if by is not None else "system",
            target_type="policy",
            target_id=str(locked.pk),
            details={"kind": locked.kind, "version": locked.version},
        )
        document_id = locked.pk
        job_enqueue_on_commit(NOTICES_JOB, document_id, link_base)
    document.published_at = locked.published_at
    return document


@dataclass(frozen=True)
class NoticeRun:
    sent: int
    failed: int


def _policy_link(document: PolicyDocument, link_base: str) -> str:
    path = reverse("policies:version", kwargs={"kind": document.kind, "version": document.version})
    return link_base.rstrip("/") + path if link_base else path


def policy_notices_send(*, document_id: int, link_base: str = "", batch_size: int = NOTICE_BATCH) -> NoticeRun:
    """Email every active user who joined before `document` was published, once, in batches.

    Each batch first claims its rows (one per user and version; the unique constraint makes a second run or
    a second worker skip them), then mails the users it claimed. A failed email gives its claim back, so a
    later run tries that user again; a worker that dies between sending and marking never mails twice.
    """
    from nanobananas.accounts.mail import mail_send

    document = PolicyDocument.objects.filter(pk=document_id, published_at__isnull=False).first()
    if document is None:
        return NoticeRun(sent=0, failed=0)
    link = _policy_link(document, link_base)
    sent = failed = 0
    after = 0
    while True:
        batch = list(
            User.objects.filter(is_active=True, date_joined__lt=document.published_at, pk__gt=after)
            .exclude(email="")
            .exclude(pk__in=PolicyNotice.objects.filter(document_id=document_id).values("user_id"))
            .order_by("pk")
            .values_list("pk", "email")[:batch_size]
        )
        if not batch:
            return NoticeRun(sent=sent, failed=failed)
        after = batch[-1][0]
        claim = uuid.uuid4()
        now = timezone.now()
        PolicyNotice.objects.bulk_create(
            [PolicyNotice(user_id=pk, document_id=document_id, claim=claim, claimed_at=now) for pk, _ in batch],
            ignore_conflicts=True,
        )
        mine = set(PolicyNotice.objects.filter(document_id=document_id, claim=claim).values_list("user_id", flat=True))
        for pk, email in batch:
            if pk not in mine:
                continue  # another run claimed this user first
            try:
                mail_send(
                    to=email,
                    template="policy_notice",
                    context={"document": document, "kind_label": document.get_kind_display(), "link": link},
                )
            except Exception:
                logger.exception("policy notice %s to user %s could not be sent", document_id, pk)
                PolicyNotice.objects.filter(document_id=document_id, user_id=pk, claim=claim).delete()
                failed += 1
                continue
            PolicyNotice.objects.filter(document_id=document_id, user_id=pk, claim=claim).update(sent_at=timezone.now())
            sent += 1


def _acceptance_record(*, user_id: int, document: PolicyDocument, how: str) -> PolicyAcceptance:
    acceptance, _ = PolicyAcceptance.objects.get_or_create(
        user_id=user_id, document=document, how=how, defaults={"at": timezone.now()}
    )
    return acceptance


def policy_accept(*, user: User, kind: str, version: str) -> PolicyAcceptance:
    """Record that `user` pressed Accept on a published version (once; a repeat returns the first record).

    Accepting an earlier version is recorded as exactly that: it does not count for the version in force.
    """
    if kind not in PolicyKind.values:
        raise NotFound(f"No policy of kind {kind!r}.")
    document = version_get(kind=kind, version=version)
    with transaction.atomic():
        return _acceptance_record(user_id=user.pk, document=document, how=PolicyAcceptance.How.CLICKED)


def policy_continued_use_record(*, user_id: int, document: PolicyDocument) -> bool:
    """Record continued use as acceptance if the notice of `document` reached the user and nothing is recorded
    yet. True when the user has accepted `document` in any way (now or before)."""
    if PolicyAcceptance.objects.filter(user_id=user_id, document=document).exists():
        return True
    if not PolicyNotice.objects.filter(user_id=user_id, document=document, sent_at__isnull=False).exists():
        return False
    with transaction.atomic():
        _acceptance_record(user_id=user_id, document=document, how=PolicyAcceptance.How.CONTINUED_USE)
    return True
