"""Audit tables: events chained by SHA-256, the chain's head, and checkpoints left by retention purges.

Rows are append-only: the ORM refuses updates and deletes, and database triggers (see the
migration) refuse them too, except deletes of events a checkpoint has sealed.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AppendOnly(Exception):
    """Audit records are never changed or deleted one by one."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit records cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit records are removed only by the retention purge")


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=64, db_index=True)
    actor = models.CharField(max_length=80)
    owner_key = models.CharField(max_length=64, blank=True, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.id} {self.kind} by {self.actor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnly("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit records are removed only by the retention purge")


class AuditChainHead(models.Model):
    """One row: the id and hash of the newest event. Locking it serializes writers of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at #{self.last_id}"


class AuditCheckpoint(models.Model):
    """Events up to `through_id` were purged by retention; `through_hash` lets verification resume."""

    id = models.BigAutoField(primary_key=True)
    through_id = models.BigIntegerField()
    through_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"checkpoint through #{self.through_id}"
