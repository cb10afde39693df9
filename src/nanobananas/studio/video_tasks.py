"""The video queue: renders run on their own huey queue, so a slow video never delays an image edit.

The queue is a second huey instance on the same storage as the main one (the SQLite queue file, or the
Redis server), named `<HUEY name>-video`. `nanobananas worker` (and so the embedded `serve`) consumes it
with VIDEO_WORKERS threads of its own next to the image consumer's threads; image jobs never wait for a
free thread behind a render, and renders never take more than their own threads.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey import Huey
from huey.utils import load_class

from nanobananas.registry.jobs import job_register
from nanobananas.studio.jobs import VIDEO_JOB, job_run

__all__ = ["VIDEO_WORKERS", "render_video_job", "video_huey", "video_queue_consumer_start"]

VIDEO_WORKERS = 1


@functools.cache
def video_huey() -> Huey:
    """The video queue, configured like settings.HUEY (storage, immediate mode) under its own name."""
    config: dict[str, Any] = dict(settings.HUEY)
    name = f"{config.pop('name', 'nanobananas')}-video"
    backend = load_class(config.pop("huey_class", "huey.RedisHuey"))
    config.pop("consumer", None)
    config.update(config.pop("connection", {}))
    huey: Huey = backend(name, **config)
    return huey


def _run(job_id: str) -> None:
    immediate = video_huey().immediate
    if not immediate:
        close_old_connections()
    try:
        job_run(job_id=uuid.UUID(job_id))
    finally:
        if not immediate:
            close_old_connections()


@functools.cache
def _task() -> Any:
    return video_huey().task(name="render_video_job")(_run)


def render_video_job(job_id: str) -> None:
    """Enqueue a video job on the video queue (run at once when huey is immediate, as in the tests)."""
    _task()(job_id)


job_register(VIDEO_JOB, render_video_job)


def video_queue_consumer_start() -> Any:
    """Start consuming the video queue in this process (worker threads only; the caller's consumer owns
    the signals and the process). Returns the consumer."""
    _task()
    polling = {
        k: v for k, v in settings.HUEY.get("consumer", {}).items() if k in {"initial_delay", "backoff", "max_delay"}
    }
    consumer = video_huey().create_consumer(workers=VIDEO_WORKERS, worker_type="thread", periodic=False, **polling)
    # Its threads only: Consumer.start() would also take over the signal handlers of the image consumer.
    consumer.scheduler.start()
    for _, thread in consumer.worker_threads:
        thread.start()
    return consumer
