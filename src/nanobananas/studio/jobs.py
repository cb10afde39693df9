"""The lifecycle of a studio job, shared by chat turns, AI tools and videos: queued after commit, claimed under a
lease, progress, the end of a run that made nothing, its inputs within the job's pixel budget, retry and rescue;
the run hands a claimed job to the work registered for its kind."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.selectors import plan_for
from nanobananas.accounts.services import quota_release
from nanobananas.analytics.services import analytics_record
from nanobananas.audit.services import audit_record
from nanobananas.core.events import job_changed
from nanobananas.core.exceptions import Conflict
from nanobananas.registry.jobs import job_enqueue_on_commit
from nanobananas.studio.models import Asset, Job
from nanobananas.studio.owners import owner_of
from nanobananas.studio.selectors import job_get
from nanobananas.vault.fields import sealed_token

__all__ = [
    "RUN_JOB",
    "UNFINISHED",
    "VIDEO_JOB",
    "image_load",
    "images_load",
    "job_finish",
    "job_holds",
    "job_progress",
    "job_queue_on_commit",
    "job_retry",
    "job_run",
    "job_work_register",
    "jobs_rescue_stale",
    "next_job_queue",
]

logger = logging.getLogger(__name__)

UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)

# The jobs that run an image job (studio/tasks.py) and a video job (studio/video_tasks.py, its own queue).
RUN_JOB = "studio.run_job"
VIDEO_JOB = "studio.render_video_job"


def job_queue_on_commit(job_id: uuid.UUID) -> None:
    # Videos go to their own queue (studio/video_tasks.py): a render never holds up an image edit.
    video = Job.objects.filter(id=job_id, options__has_key="video").exists()
    # robust: with the queue unreachable (Redis restarting) the job is still accepted and stored, and the
    # workers' rescue check queues it once it has waited NANOBANANAS_WORKER_STALE_SECONDS; the error is logged.
    job_enqueue_on_commit(VIDEO_JOB if video else RUN_JOB, str(job_id), robust=True)


def job_progress(*, job_id: uuid.UUID, percent: int, stage: str, attempt: int | None = None) -> None:
    """Record progress of a running job; with `attempt`, only while that run still holds the job, so a
    run that lost its lease cannot overwrite what the run that replaced it reports."""
    holder = {} if attempt is None else {"attempts": attempt}
    if Job.objects.filter(id=job_id, status=Job.Status.RUNNING, **holder).update(
        progress=max(0, min(100, percent)), stage=stage[:200], heartbeat_at=timezone.now()
    ):
        job_changed(job_id)


def _lease_renew(job_id: uuid.UUID, attempt: int) -> bool:
    """Renew the lease of run `attempt` (its heartbeat); False once the job is no longer that run's."""
    return bool(
        Job.objects.filter(id=job_id, status=Job.Status.RUNNING, attempts=attempt).update(heartbeat_at=timezone.now())
    )


def job_holds(job_id: uuid.UUID, attempt: int) -> bool:
    return Job.objects.filter(id=job_id, status=Job.Status.RUNNING, attempts=attempt).exists()


class _Lease:
    """Keeps a running job's lease alive from a background thread for as long as the run lasts.

    Progress steps alone leave long gaps: one planner or provider call can outlast the stale timeout,
    and the rescue would then hand a live job to a second worker. The thread renews the heartbeat
    every fifth of the timeout, so only a job whose worker is really gone goes stale.
    """

    def __init__(self, job_id: uuid.UUID, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        # A floor, so a timeout set to 0 (everything stale at once) cannot make the thread spin on the database.
        self.every = max(settings.NANOBANANAS["WORKER_STALE_SECONDS"] / 5, 0.2)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-lease-{job_id}", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    if not _lease_renew(self.job_id, self.attempt):
                        return
                except DatabaseError:
                    # A missed beat is not fatal (the lease outlasts several); the next one tries again.
                    logger.warning("job %s: could not renew the lease", self.job_id, exc_info=True)
        finally:
            connections.close_all()


def job_retry(*, owner: Owner, job_id: uuid.UUID) -> Job:
    """Queue a failed job again; anything else is a conflict."""
    with transaction.atomic():
        job = job_get(owner=owner, job_id=job_id)
        reset = Job.objects.filter(id=job.id, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED,
            progress=0,
            stage="Waiting in line (retrying)",
            error_code="",
            sealed_error_message="",
            queued_at=timezone.now(),
            started_at=None,
            finished_at=None,
        )
        if not reset:
            raise Conflict(f"Only a failed job can be retried; this one is {job.status}.", code="not_retryable")
        job_queue_on_commit(job.id)
    job.refresh_from_db()
    return job


def _claim(job_id: uuid.UUID) -> int | None:
    """Move a queued job to running and return this run's attempt number, or None if it was not won.

    Exactly one caller wins, and only once every earlier job of the same conversation has finished, so
    turns are answered in the order they were sent. The attempt number is the run's token: every write
    the run makes later checks that the job still carries it, so a run that was given up on (its lease
    expired and another worker claimed the job) changes nothing.
    """
    earlier_unfinished = Job.objects.filter(
        conversation=OuterRef("conversation"), number__lt=OuterRef("number"), status__in=UNFINISHED
    )
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Job.objects.filter(id=job_id, status=Job.Status.QUEUED)
            .exclude(Exists(earlier_unfinished))
            .update(
                status=Job.Status.RUNNING,
                attempts=F("attempts") + 1,
                started_at=now,
                heartbeat_at=now,
                progress=5,
                stage="Starting",
            )
        )
        if claimed != 1:
            return None
        # Read inside the claiming transaction: the row stays locked by the update until commit.
        return int(Job.objects.values_list("attempts", flat=True).get(id=job_id))


def job_finish(
    job_id: uuid.UUID,
    *,
    attempt: int,
    status: str,
    code: str = "",
    message: str = "",
    reason: str = "",
    review: dict[str, Any] | None = None,
) -> None:
    """End run `attempt` of a job that made nothing; `reason` is the provider's refusal code and `review`
    the content review's verdict (categories and rules, no content), for the audit log. A run that no
    longer holds the job records nothing."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(id=job_id)
        if job.status != Job.Status.RUNNING or job.attempts != attempt:
            return
        owner = owner_of(job.conversation)
        details: dict[str, Any] = {"provider": job.provider, "error_code": code, "attempt": job.attempts}
        if reason:
            details["refusal"] = reason
        if review:
            details["review"] = review
        audit_record(
            kind=f"generation.{status}",
            actor="system",
            owner_key=owner.key,
            target_type="job",
            target_id=str(job_id),
            details=details,
        )
        if status == Job.Status.FAILED:
            analytics_record(owner, "error", kind=code)
        finished = Job.objects.filter(id=job_id, status=Job.Status.RUNNING, attempts=attempt).update(
            status=status,
            error_code=code,
            sealed_error_message=sealed_token(job, "error_message", message),
            stage={"failed": "Failed", "refused": "Could not do this"}.get(status, "Done"),
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
        )
        if finished and status == Job.Status.REFUSED and reason == "needs_provider":
            # Nothing was made: this server cannot do it. The image the request counted is given back.
            quota_release(owner=owner, counted_at=job.queued_at)
        if finished:
            next_job_queue(Job.objects.values_list("conversation_id", flat=True).get(id=job_id))


def next_job_queue(conversation_id: uuid.UUID) -> None:
    """Hand the conversation's next waiting turn to the queue once this one is committed."""
    following = (
        Job.objects.filter(conversation_id=conversation_id, status=Job.Status.QUEUED)
        .order_by("number")
        .values_list("id", flat=True)
        .first()
    )
    if following is not None:
        job_queue_on_commit(following)


# What is left of the running job's pixel budget (NANOBANANAS_JOB_MEGAPIXELS), set for the length of a job.
_JOB_PIXELS_LEFT: ContextVar[list[int] | None] = ContextVar("job_pixels_left", default=None)


# However spent the budget, a picture is still loaded this big: a job's inputs are few (at most the files of
# one message and two earlier turns), so memory stays bounded and the result stays usable.
_MIN_INPUT_PIXELS = 1_000_000


@contextmanager
def _job_pixel_budget() -> Iterator[None]:
    token = _JOB_PIXELS_LEFT.set([int(settings.NANOBANANAS["JOB_MEGAPIXELS"]) * 1_000_000])
    try:
        yield
    finally:
        _JOB_PIXELS_LEFT.reset(token)


def images_load(asset_ids: Sequence[uuid.UUID]) -> list[Image.Image]:
    """Inputs of a job, shrunk while libvips decodes them: each no bigger than the owner's plan lets a
    result be (a guest's edit of a 49 MP upload works on 4 MP), and together within what is left of the
    job's pixel budget (a Pro combine of four 49 MP pictures loads each at 12.5 MP, not 196 MP in all).
    Pictures loaded together share the budget in proportion to their size."""
    from nanobananas.engine.safety import probe_image
    from nanobananas.engine.streaming import image_load_within

    found = Asset.objects.in_bulk(list(asset_ids))
    blobs: list[bytes] = []
    sides: list[float] = []  # the longest side each picture is loaded at
    shapes: list[float] = []  # pixels per square of the longest side: 1 square, 0.5 for 2:1
    for asset_id in asset_ids:
        asset = found[asset_id]
        user, guest = asset.owner_user_id, asset.owner_guest_id
        owner = Owner(user_id=user) if user is not None else Owner(guest_id=guest)
        with default_storage.open(asset.blob_name, "rb") as handle:
            blobs.append(handle.read())
        info = probe_image(blobs[-1])
        longest = max(info.width, info.height)
        sides.append(min(longest, plan_for(owner=owner).max_resolution))
        shapes.append(info.width * info.height / longest**2)
    left = _JOB_PIXELS_LEFT.get()
    if left is not None:
        wanted = sum(side * side * shape for side, shape in zip(sides, shapes, strict=True))
        allowed = max(left[0], _MIN_INPUT_PIXELS * len(sides))
        if wanted > allowed:
            scale = (allowed / wanted) ** 0.5
            sides = [
                max(side * scale, (_MIN_INPUT_PIXELS / shape) ** 0.5) for side, shape in zip(sides, shapes, strict=True)
            ]
        left[0] = max(0, left[0] - round(sum(side * side * shape for side, shape in zip(sides, shapes, strict=True))))
    return [image_load_within(data, longest=max(1, int(side))) for data, side in zip(blobs, sides, strict=True)]


def image_load(asset_id: uuid.UUID) -> Image.Image:
    """One input of a job (see images_load)."""
    [image] = images_load([asset_id])
    return image


# What a claimed job does, by its kind: "image" (a chat turn or an AI tool, studio/composition.py) and "video"
# (studio/videos.py). Each registers its work when imported (the studio app's ready() imports both), so this
# module, below them, runs every job without importing the modules that do the work.
_JOB_WORK: dict[str, Callable[[uuid.UUID, int], None]] = {}


def job_work_register(kind: str, work: Callable[[uuid.UUID, int], None]) -> None:
    """Name the function that carries out a claimed job of `kind` (called with the job's id and attempt)."""
    existing = _JOB_WORK.get(kind)
    if existing is not None and existing is not work:
        raise ImproperlyConfigured(f"the job kind {kind!r} is registered twice")
    _JOB_WORK[kind] = work


def _job_work_for(kind: str) -> Callable[[uuid.UUID, int], None]:
    work = _JOB_WORK.get(kind)
    if work is None:
        raise ImproperlyConfigured(f"no work is registered for {kind!r} jobs: the studio app's ready() imports it")
    return work


def job_run(*, job_id: uuid.UUID) -> None:
    """Run a job to the end. Safe to call twice: only a queued job is claimed, the claiming run keeps its
    lease alive for as long as it works (planner and provider calls included), and only the run that
    holds the job stores a result, once."""
    attempt = _claim(job_id)
    if attempt is None:
        return
    job_changed(job_id)
    try:
        with _Lease(job_id, attempt), _job_pixel_budget():
            kind = "video" if Job.objects.filter(id=job_id, options__has_key="video").exists() else "image"
            _job_work_for(kind)(job_id, attempt)
    finally:
        # Done, failed, refused or given up: the streams read the end state now, not at their next re-read.
        job_changed(job_id)


def jobs_rescue_stale(*, stale_after: timedelta | None = None) -> list[uuid.UUID]:
    """Requeue jobs whose worker is gone: running with an expired lease, or queued and never picked up.

    A running job's lease is its heartbeat, renewed by the worker's lease thread every fifth of the
    stale timeout for as long as the run lasts, so a job is only taken from a worker that stopped
    renewing it (killed, or hung for the whole timeout). If such a worker wakes up after all, its writes
    are refused: the next claim raised the attempt number it carries. Every worker runs this every few
    seconds (studio/rescue.py), so several may find the same lost job at once: each change is a
    conditional update that only one of them wins, and only the winner enqueues the job. Returns the ids
    this call requeued; each is enqueued again once the change is committed.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.NANOBANANAS["WORKER_STALE_SECONDS"])
    cutoff = timezone.now() - stale_after
    # Looked up first, outside a transaction: almost every pass finds nothing and then takes no write lock.
    stale_running = list(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).values_list("id", flat=True)
    )
    forgotten = list(Job.objects.filter(status=Job.Status.QUEUED, queued_at__lt=cutoff).values_list("id", flat=True))
    rescued: list[uuid.UUID] = []
    if not stale_running and not forgotten:
        return rescued
    with transaction.atomic():
        now = timezone.now()
        for job_id in stale_running:
            if Job.objects.filter(id=job_id, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
                status=Job.Status.QUEUED, stage="Waiting in line (retrying)", queued_at=now
            ):
                rescued.append(job_id)
        for job_id in forgotten:
            # Restarting its clock is the claim on it, and keeps a merely busy queue from being flooded
            # with duplicates at every pass.
            if Job.objects.filter(id=job_id, status=Job.Status.QUEUED, queued_at__lt=cutoff).update(queued_at=now):
                rescued.append(job_id)
        for job_id in rescued:
            job_queue_on_commit(job_id)
    if rescued:
        logger.info("requeued %d stale job(s)", len(rescued))
    return rescued
