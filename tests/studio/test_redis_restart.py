"""Redis restarted in the middle of a run, empty: no accepted job is lost (issue 20).

The queue in Redis is only the workers' to-do list; the jobs themselves are rows in the database.
A job whose queue entry was lost (Redis restarted without persistence, as CI's Redis and the compose
file's run it) or could not be written (Redis down when the message was accepted) is queued again by
the workers' rescue check once it has waited NANOBANANAS_WORKER_STALE_SECONDS, and finishes once.
Real processes: a private redis-server that the test kills and restarts, PostgreSQL, one
`serve --no-worker` and one worker whose provider takes 3 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests import settings
from tests.conftest import require_service
from tests.live_server import server_environment, start_server
from tests.security.test_hostile_jobs import Guest, Topology, _postgres_admin
from tests.studio.test_worker_loss import REPO, _start_worker

STALE_SECONDS = 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """A redis-server of the test's own, keeping nothing on disk, that can be killed and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    require_service("Redis", settings.REDIS_URL)  # the machine's own: proves redis-server is installed
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()


@pytest.fixture
def database_url() -> Iterator[str]:
    require_service("PostgreSQL", settings.POSTGRES_URL)
    database = f"nb_redis_restart_{uuid.uuid4().hex[:12]}"
    _postgres_admin(settings.POSTGRES_URL, f'CREATE DATABASE "{database}"')
    try:
        yield urlparse(settings.POSTGRES_URL)._replace(path=f"/{database}").geturl()
    finally:
        _postgres_admin(settings.POSTGRES_URL, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_a_redis_restart_mid_run_loses_no_accepted_job(
    redis_server: PrivateRedis, database_url: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.studio.slow_worker_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        "NANOBANANAS_DATABASE_URL": database_url,
        "NANOBANANAS_REDIS_URL": redis_server.url,
        "NANOBANANAS_WORKER_STALE_SECONDS": str(STALE_SECONDS),
        "NANOBANANAS_RATE_LIMITS": "false",
    }
    server = start_server(home, extra_args=["--no-worker"], extra_env=env)
    Topology(home, database_url=database_url).plans_allow_fake()
    worker = _start_worker({**server_environment(home), **env}, home / "worker.log")
    try:
        guest = Guest(server)

        def send() -> tuple[str, str]:
            conversation = guest.call("POST", "/api/v1/conversations", {})["id"]
            sent = guest.call("POST", f"/api/v1/conversations/{conversation}/messages", {"text": "a poster"})
            return conversation, sent["job"]["id"]

        # Three jobs in the queue: the worker runs one at a time for 3 s each, so two wait in Redis.
        accepted = [send() for _ in range(3)]
        deadline = time.monotonic() + 30
        while guest.call("GET", f"/api/v1/jobs/{accepted[0][1]}")["status"] == "queued":
            assert time.monotonic() < deadline, "the first job did not start"
            time.sleep(0.1)
        redis_server.kill()
        # Accepted while Redis is down: stored, answered 202, queued later by the rescue check.
        accepted.append(send())
        redis_server.start()  # empty: the queue entries of the waiting jobs are gone
        accepted.append(send())

        deadline = time.monotonic() + 90
        for conversation, job_id in accepted:
            while (job := guest.call("GET", f"/api/v1/jobs/{job_id}"))["status"] not in {"done", "failed", "refused"}:
                assert time.monotonic() < deadline, f"job {job_id} still {job['status']} 90 s after the restart"
                time.sleep(0.5)
            assert (job["status"], job["error_code"]) == ("done", "")
            detail = guest.call("GET", f"/api/v1/conversations/{conversation}")
            assert len(detail["versions"]) == 1  # once each
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        server.stop()
