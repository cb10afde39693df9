"""Health of the parts a deployment depends on: database, queue and blob storage."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Literal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from ninja import Schema

__all__ = ["CheckOut", "HealthOut", "health_report"]


class CheckOut(Schema):
    ok: bool
    detail: str
    milliseconds: float


class HealthOut(Schema):
    status: Literal["ok", "degraded"]
    checks: dict[str, CheckOut]


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _queue() -> str:
    from huey.contrib.djhuey import HUEY

    pending = HUEY.pending_count()
    return f"{type(HUEY.storage).__name__}, {pending} pending"


def _storage() -> str:
    # Blob names carry an owner (the vault binds bytes to it); the health probe uses the zero guest.
    name = default_storage.save(f"health/g{uuid.UUID(int=0)}/{uuid.uuid4().hex}", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned different bytes than were written")
    finally:
        default_storage.delete(name)
    return type(default_storage._wrapped).__name__  # type: ignore[attr-defined]  # LazyObject target


def _retention() -> str:
    from nanobananas.privacy.selectors import retention_report

    report = retention_report()
    if report.late:
        raise RuntimeError(f"overdue: {', '.join(report.late)}")
    last = report.last_runs.get("purge")
    queued = sum(states.get("queued", 0) for states in report.states.values())
    return f"{queued} queued, last purge {last.isoformat() if last else 'never'}"


def _run(check: Callable[[], str]) -> CheckOut:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as exc:  # a health check reports every failure instead of raising it
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return CheckOut(ok=ok, detail=detail, milliseconds=round((time.perf_counter() - started) * 1000, 2))


def health_report() -> HealthOut:
    checks = {
        "database": _run(_database),
        "queue": _run(_queue),
        "storage": _run(_storage),
        "retention": _run(_retention),
    }
    status: Literal["ok", "degraded"] = "ok" if all(c.ok for c in checks.values()) else "degraded"
    return HealthOut(status=status, checks=checks)
