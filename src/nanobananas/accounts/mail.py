"""Outgoing mail: the `.eml` folder backend used when no SMTP server is configured, the kinds of mail
(and which honour the email preferences), and the sender."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone

__all__ = ["MAIL_KINDS", "REQUIRED_NOTICE", "EmlFolderBackend", "MailKind", "mail_preferences_reader_set", "mail_send"]


class EmlFolderBackend(BaseEmailBackend):
    """Writes each message as one `.eml` file (mode 0600) into `EMAIL_FILE_PATH`; any mail program opens it."""

    def __init__(self, *, file_path: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.message().as_bytes())
            sent += 1
        return sent


class MailKind(StrEnum):
    """Why a mail is sent, which decides whether the person's email preferences apply."""

    SERVICE = "service"  # the person asked for it, or it is about their account's security: always sent
    REQUIRED = "required"  # the law requires it (policy changes): sent whatever the preferences, and says so
    PRODUCT_NEWS = "product_news"  # only while the person's "Product news by email" is on
    TIPS = "tips"  # only while the person's "Tips by email" is on


# Every mail template (accounts/mail/<name>.txt, in any app) has a kind; a template without one is refused.
MAIL_KINDS: dict[str, MailKind] = {
    "verify_email": MailKind.SERVICE,
    "email_change_notice": MailKind.SERVICE,
    "password_reset": MailKind.SERVICE,
    "password_reset_subject": MailKind.SERVICE,
    "export_ready": MailKind.SERVICE,
    "account_deleted": MailKind.SERVICE,
    "policy_notice": MailKind.REQUIRED,
}
REQUIRED_NOTICE = "This is a service notice: it is sent to every account, whatever its email preferences."
_PREFERENCE = {MailKind.PRODUCT_NEWS: "email_product_news", MailKind.TIPS: "email_tips"}


# Reads one email preference (user id, setting name) of a person. The preferences are privacy settings: the
# privacy app, above this one, sets the reader when it starts (`PrivacyConfig.ready`); without one, no mail
# that needs a preference is sent (they are off unless switched on).
_preference_reader: list[Callable[[int, str], bool]] = []


def mail_preferences_reader_set(reader: Callable[[int, str], bool]) -> None:
    _preference_reader[:] = [reader]


def _wanted(kind: MailKind, user_id: int | None) -> bool:
    """Whether the person's email preferences let this kind of mail through (off unless switched on)."""
    preference = _PREFERENCE.get(kind)
    if preference is None:
        return True
    return user_id is not None and any(reader(user_id, preference) for reader in _preference_reader)


def mail_send(*, to: str, template: str, context: dict[str, Any], user_id: int | None = None) -> bool:
    """Render `accounts/mail/<template>.txt` (first line is the subject) and send it as plain text.

    Product news and tips go only to the account `user_id` while its matching email preference is on
    (False: not sent). Mail the law requires is sent anyway and ends with REQUIRED_NOTICE.
    """
    kind = MAIL_KINDS.get(template)
    if kind is None:
        raise ImproperlyConfigured(f"The mail template {template!r} has no kind in accounts.mail.MAIL_KINDS.")
    if not _wanted(kind, user_id):
        return False
    subject, _, body = render_to_string(f"accounts/mail/{template}.txt", context).strip().partition("\n")
    body = body.strip()
    if kind is MailKind.REQUIRED and REQUIRED_NOTICE not in body:
        body += "\n\n" + REQUIRED_NOTICE
    send_mail(subject.strip(), body + "\n", None, [to])
    return True
