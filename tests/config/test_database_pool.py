"""A web process holds at most NANOBANANAS_DATABASE_POOL_SIZE PostgreSQL connections, however many event
streams are open: a stream hands its connection back between reads. A real `serve --no-worker` on PostgreSQL
and Redis, a pool of 3, twelve streams waiting on one queued job."""

from __future__ import annotations

import subprocess
import threading
import time
from urllib.parse import urlparse

import pytest

from tests.live_server import server_environment, start_server
from tests.security import test_hostile_jobs
from tests.security.test_hostile_jobs import Guest, Topology
from tests.studio.test_worker_loss import _start_worker

topology = test_hostile_jobs.topology

POOL = 3
STREAMS = 12


def _last_event(guest: Guest, server_url: str, job_id: str) -> str:
    event = ""
    with guest.opener.open(f"{server_url}/api/v1/jobs/{job_id}/events", timeout=120) as stream:
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
    return event


@pytest.mark.parametrize("topology", ["postgresql-redis"], indirect=True)
def test_twelve_open_event_streams_hold_no_more_connections_than_the_pool(topology: Topology) -> None:
    assert topology.database_url is not None
    database = urlparse(topology.database_url).path.lstrip("/")
    env = {"NANOBANANAS_DATABASE_POOL_SIZE": str(POOL), "NANOBANANAS_EVENTS_RECHECK_SECONDS": "1", **topology.env()}
    server = start_server(topology.home, extra_args=["--no-worker"], extra_env=env)
    worker: subprocess.Popen[bytes] | None = None
    try:
        guest = Guest(server)
        conversation = guest.call("POST", "/api/v1/conversations", {})
        sent = guest.call("POST", f"/api/v1/conversations/{conversation['id']}/messages", {"text": "a poster"})
        job_id = sent["job"]["id"]
        endings: list[str] = []
        readers = [
            threading.Thread(target=lambda: endings.append(_last_event(guest, server.url, job_id)))
            for _ in range(STREAMS)
        ]
        for reader in readers:
            reader.start()
        time.sleep(4)  # every stream has read its job (queued) and re-read it a few times

        sql = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        web = topology.rows(sql)[0][0]
        assert 1 <= web <= POOL
        # The process still answers other requests at once (a drained pool would make them wait, then 503).
        started = time.monotonic()
        assert guest.call("GET", f"/api/v1/conversations/{conversation['id']}")["id"] == conversation["id"]
        assert time.monotonic() - started < 5

        worker = _start_worker({**server_environment(topology.home), **env}, topology.home / "worker.log")
        for reader in readers:
            reader.join(timeout=120)
        assert sorted(endings) == ["done"] * STREAMS
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        server.stop()
