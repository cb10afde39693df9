"""A worker killed in the middle of a job: another worker finishes it within 30 s, once, with the default
stale timeout. Real `serve --no-worker` and `worker` processes, on the embedded default (SQLite, SQLite
queue) and on the scale-out one (PostgreSQL, Redis queue)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.live_server import server_environment, start_server
from tests.security import test_hostile_jobs
from tests.security.test_hostile_jobs import Guest, Topology

# The same two topologies (and their throwaway PostgreSQL database and Redis queue) as the hostile-jobs test.
topology = test_hostile_jobs.topology

REPO = Path(__file__).resolve().parents[2]
PICKUP_SECONDS = 30


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "nanobananas.cli", "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 30
    while b"Huey consumer started" not in log.read_bytes():
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"the worker did not start:\n{log.read_text()}"
        time.sleep(0.1)
    return worker


def test_a_job_of_a_killed_worker_is_finished_by_another_within_30_seconds(topology: Topology) -> None:
    home = topology.home
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.studio.slow_worker_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        **topology.env(),
    }
    server = start_server(home, extra_args=["--no-worker"], extra_env=env)
    topology.plans_allow_fake()
    worker_env = {**server_environment(home), **env}
    workers: list[subprocess.Popen[bytes]] = []
    try:
        lost = _start_worker(worker_env, home / "lost-worker.log")
        workers.append(lost)
        guest = Guest(server)
        conversation = guest.call("POST", "/api/v1/conversations", {})
        sent = guest.call("POST", f"/api/v1/conversations/{conversation['id']}/messages", {"text": "a poster"})
        job_id = sent["job"]["id"]
        deadline = time.monotonic() + 30
        while guest.call("GET", f"/api/v1/jobs/{job_id}")["status"] != "running":
            assert time.monotonic() < deadline, "the job did not start"
            time.sleep(0.1)
        # The only worker has the job; a second one joins, then the first dies without a word.
        survivor = _start_worker(worker_env, home / "survivor.log")
        workers.append(survivor)
        lost.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        assert lost.wait(timeout=10) == -signal.SIGKILL

        while (job := guest.call("GET", f"/api/v1/jobs/{job_id}"))["status"] not in {"done", "failed"}:
            assert time.monotonic() - killed_at < PICKUP_SECONDS, f"not finished {PICKUP_SECONDS} s after the kill"
            time.sleep(0.2)
        assert (job["status"], job["error_code"], job["progress"]) == ("done", "", 100)
        detail = guest.call("GET", f"/api/v1/conversations/{conversation['id']}")
        assert [m["text"] for m in detail["messages"] if m["role"] == "assistant"] == [
            "Here is your design. (version 1)"
        ]
        assert len(detail["versions"]) == 1
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGINT)
                worker.wait(timeout=30)
        assert server.stop() == 0

    # Two claims (the killed run and the finishing one), one result, one charge.
    assert topology.rows(f"SELECT status, attempts FROM studio_job WHERE id = '{uuid.UUID(job_id).hex}'") == [
        ("done", 2)
    ]
    assert topology.rows("SELECT COUNT(*) FROM studio_asset WHERE kind = 'result'") == [(1,)]
    assert sorted(topology.rows("SELECT \"window\", used FROM accounts_quotausage WHERE kind = 'image'")) == [
        ("day", 1),
        ("month", 1),
    ]
    assert b"requeued 1 stale job(s)" in (home / "survivor.log").read_bytes()
