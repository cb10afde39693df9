"""Every worker's watch for lost jobs: a thread that requeues, every few seconds, what a dead worker left."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connections

from nanobananas.studio.jobs import jobs_rescue_stale

__all__ = ["RescueWatch", "rescue_every"]

logger = logging.getLogger(__name__)

# The lease is renewed every fifth of the stale timeout; looking twice as often keeps the pickup of a lost
# job within the timeout plus a tenth of it.
CHECKS_PER_TIMEOUT = 10


def rescue_every() -> float:
    """Seconds between two looks for lost jobs (a floor keeps a zero timeout from spinning on the database)."""
    return max(settings.NANOBANANAS["WORKER_STALE_SECONDS"] / CHECKS_PER_TIMEOUT, 0.5)


class RescueWatch:
    """Runs `jobs_rescue_stale` at start and then every `every` seconds, until stopped.

    A periodic queue task could not do this: the scheduler looks once a minute, which made a lost job
    wait up to a minute and a half. The rescue is a conditional update, so every worker running its own
    watch requeues each lost job once.
    """

    def __init__(self, *, every: float | None = None) -> None:
        self.every = rescue_every() if every is None else every
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="job-rescue", daemon=True)

    def start(self) -> RescueWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()

    def _watch(self) -> None:
        try:
            while True:
                try:
                    jobs_rescue_stale()
                except DatabaseError:
                    # The database is away for a moment: a fresh connection at the next look.
                    logger.warning("could not look for lost jobs", exc_info=True)
                    connections.close_all()
                if self._stopped.wait(self.every):
                    return
        finally:
            connections.close_all()
