"""Job events through any web process: a job posted to one `serve --no-worker` streams through another,
woken by the worker's notices through Redis pub/sub (core/events.py), not by reading the database in a
loop. Real processes on the scale-out topology (PostgreSQL, Redis, two web processes, one worker)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import pytest

from tests.live_server import server_environment, start_server
from tests.security import test_hostile_jobs
from tests.security.test_hostile_jobs import Guest, Topology
from tests.studio.test_worker_loss import REPO, _start_worker

topology = test_hostile_jobs.topology


def _events(guest: Guest, server_url: str, job_id: str) -> list[tuple[float, str, dict[str, object]]]:
    """The job's events as a browser on `server_url` receives them, with the time each arrived."""
    received: list[tuple[float, str, dict[str, object]]] = []
    with guest.opener.open(f"{server_url}/api/v1/jobs/{job_id}/events", timeout=60) as stream:
        event = ""
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                received.append((time.monotonic(), event, json.loads(line.removeprefix("data: "))))
    return received


@pytest.mark.parametrize("topology", ["postgresql-redis"], indirect=True)
def test_a_job_posted_to_one_web_process_streams_through_another_by_notices(topology: Topology) -> None:
    home = topology.home
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.studio.slow_worker_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        # A stream would re-read its job only after ten minutes: events that come sooner came by notice.
        "NANOBANANAS_EVENTS_RECHECK_SECONDS": "600",
        **topology.env(),
    }
    first = start_server(home, extra_args=["--no-worker"], extra_env=env)
    second = start_server(home / "second", extra_args=["--no-worker"], extra_env={**env, "NANOBANANAS_HOME": str(home)})
    topology.plans_allow_fake()
    worker: subprocess.Popen[bytes] | None = None
    try:
        guest = Guest(first)
        conversation = guest.call("POST", "/api/v1/conversations", {})
        sent = guest.call("POST", f"/api/v1/conversations/{conversation['id']}/messages", {"text": "a poster"})
        job_id = sent["job"]["id"]
        # The stream opens on the second process while the job waits for a worker, so every change it
        # shows happened after its first read.
        worker_env = {**server_environment(home), **env}
        box: dict[str, object] = {}
        reader = threading.Thread(target=lambda: box.update(events=_events(guest, second.url, job_id)))
        reader.start()
        time.sleep(1)
        worker = _start_worker(worker_env, home / "worker.log")
        reader.join(timeout=90)
        assert not reader.is_alive(), "the stream did not end"
        events = box["events"]
        assert isinstance(events, list)
        names = [name for _, name, _ in events]
        assert names[0] == "queued"
        assert "running" in names
        assert names[-1] == "done"
        assert events[-1][2]["result"]["text"] == "Here is your design. (version 1)"
        # Running stages came one by one as the worker reported them, with rising progress: "Starting", then
        # "Saving the image" after the provider's 3 s. A stream that only re-read its job on its 15 s
        # keep-alive could not show both, 3 s apart, nor the end a moment after the last.
        running = [(at, int(str(payload["progress"]))) for at, name, payload in events if name == "running"]
        assert len(running) >= 2, names
        assert [p for _, p in running] == sorted(p for _, p in running)
        assert running[-1][0] - running[0][0] < 10
        assert events[-1][0] - running[-1][0] < 5
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        second.stop()
        first.stop()
