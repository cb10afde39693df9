"""Shared tables: the claims that let one worker of many run each periodic task once per interval."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """One row per periodic task and scheduled time: the worker whose insert succeeds runs it."""

    task = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "due_at"], name="core_periodicrun_once")]

    def __str__(self) -> str:
        return f"{self.task} at {self.due_at:%Y-%m-%d %H:%M}"
