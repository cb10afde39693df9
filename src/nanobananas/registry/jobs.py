"""Background jobs by name, so an app's services can enqueue its own jobs without importing its tasks module.

Layers point one way: `tasks.py` imports `services.py` (a task is just another caller of a service), never the
reverse. A service that must start a job after its transaction commits asks for it by name here
(`job_enqueue_on_commit("privacy.build_export", export_id)`); the tasks module hands over each such job
with `job_register` when it is imported, which the app's `AppConfig.ready()` does, so every process (web
and worker alike) knows them. An unknown name is an error, never a silently dropped job.

This module imports no app of the product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

__all__ = ["job_enqueue", "job_enqueue_on_commit", "job_register", "registered_jobs"]

_JOBS: dict[str, Callable[..., Any]] = {}


def job_register(name: str, enqueue: Callable[..., Any]) -> None:
    """Name the callable that enqueues a job (a huey task); a name given to two different jobs is an error."""
    existing = _JOBS.get(name)
    if existing is not None and existing is not enqueue:
        raise ImproperlyConfigured(f"the job name {name!r} is registered twice")
    _JOBS[name] = enqueue


def registered_jobs() -> list[str]:
    return sorted(_JOBS)


def job_enqueue(name: str, *args: Any) -> None:
    """Enqueue the job `name` now, with plain arguments (ids as strings)."""
    enqueue = _JOBS.get(name)
    if enqueue is None:
        raise ImproperlyConfigured(
            f"no job named {name!r} is registered: its app's ready() must import its tasks module"
        )
    enqueue(*args)


def job_enqueue_on_commit(name: str, *args: Any, robust: bool = False) -> None:
    """Enqueue the job `name` once the current transaction commits (at once outside one); a name that is
    not registered fails here, inside the transaction, so the writes that wanted the job roll back.
    `robust`: an enqueue that fails after commit (the queue is unreachable) is logged, not raised, for a
    caller whose rescue check enqueues it again later."""
    if name not in _JOBS:
        job_enqueue(name, *args)  # raises
    transaction.on_commit(lambda: job_enqueue(name, *args), robust=robust)
