"""Privacy API shapes: data exports."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema

__all__ = ["ExportOut"]


class ExportOut(Schema):
    id: uuid.UUID
    status: str
    progress: int
    stage: str
    byte_size: int
    sha256: str
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    error: str
    download_url: str | None
