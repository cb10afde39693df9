"""Outgoing mail: the `.eml` folder backend used when no SMTP server is configured, and the senders."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import timezone

__all__ = ["EmlFolderBackend", "mail_send"]


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


def mail_send(*, to: str, template: str, context: dict[str, Any]) -> None:
    """Render `accounts/mail/<template>.txt` (first line is the subject) and send it as plain text."""
    subject, _, body = render_to_string(f"accounts/mail/{template}.txt", context).strip().partition("\n")
    send_mail(subject.strip(), body.strip() + "\n", None, [to])
