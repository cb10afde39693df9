"""On a real server and worker: a job whose provider call outlasts the stale timeout runs once and stores
one result, even when a second worker starts (and looks for stale jobs) in the middle of the call. Run on
the embedded default (SQLite, SQLite queue) and on the scale-out one (PostgreSQL, Redis queue)."""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from huey import RedisHuey

from tests.conftest import require_service
from tests.live_server import Server, server_environment, start_server
from tests.security.slow_provider_settings import PROVIDER_SECONDS

STALE_SECONDS = 2
REPO = Path(__file__).resolve().parents[2]


class Guest:
    """Just enough of a browser: cookies, the CSRF header, JSON."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        with self.opener.open(f"{server.url}/image/", timeout=10) as page:
            page.read()

    def call(self, method: str, path: str, body: object | None = None) -> Any:
        token = next(c.value for c in self.jar if c.name == "csrftoken") or ""
        request = urllib.request.Request(
            f"{self.server.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token, "Referer": self.server.url},
        )
        with self.opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def download(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(f"{self.server.url}{path}", timeout=10) as response:
            return response.status, response.read()


def _wait_for(what: str, check: Any, *, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)
    return found


class Topology:
    """Where the server keeps its rows and its queue, and how the test reads the rows afterwards."""

    def __init__(self, home: Path, database_url: str | None = None, redis_url: str | None = None) -> None:
        self.home, self.database_url, self.redis_url = home, database_url, redis_url

    def env(self) -> dict[str, str]:
        extra = {"NANOBANANAS_DATABASE_URL": self.database_url, "NANOBANANAS_REDIS_URL": self.redis_url}
        return {name: value for name, value in extra.items() if value}

    def plans_allow_fake(self) -> None:
        """Every plan of the running server lists the fake provider these servers are set up with (the seeded
        Guest and Free plans list only the built-in engine, and routing leaves out what a plan does not list)."""
        sql = 'UPDATE accounts_plan SET allowed_providers = \'["builtin", "gemini", "openai", "fake"]\''
        if self.database_url is None:
            with sqlite3.connect(self.home / "nanobananas.sqlite3") as database:
                database.execute(sql)
            return
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as database:
            database.execute(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database_url is None:
            with sqlite3.connect(f"file:{self.home / 'nanobananas.sqlite3'}?mode=ro", uri=True) as database:
                return database.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(self.database_url) as database:
            return [tuple(row) for row in database.execute(sql).fetchall()]


def _postgres_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(statement)


@pytest.fixture(params=["embedded", "postgresql-redis"])
def topology(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Topology]:
    home = tmp_path / f"home-{uuid.uuid4().hex[:12]}"
    if request.param == "embedded":
        yield Topology(home)
        return
    require_service("PostgreSQL", settings.POSTGRES_URL)
    require_service("Redis", settings.REDIS_URL)
    database = f"nb_hostile_jobs_{uuid.uuid4().hex[:12]}"
    _postgres_admin(settings.POSTGRES_URL, f'CREATE DATABASE "{database}"')
    try:
        yield Topology(
            home,
            database_url=urlparse(settings.POSTGRES_URL)._replace(path=f"/{database}").geturl(),
            redis_url=settings.REDIS_URL,
        )
    finally:
        RedisHuey(name=f"nanobananas-{home.name}", url=settings.REDIS_URL).storage.flush_all()
        _postgres_admin(settings.POSTGRES_URL, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_a_provider_call_longer_than_the_stale_timeout_runs_once_and_stores_one_result(topology: Topology) -> None:
    home = topology.home
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.security.slow_provider_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        "NANOBANANAS_WORKER_STALE_SECONDS": str(STALE_SECONDS),
        **topology.env(),
    }
    server = start_server(home, extra_env=env)
    topology.plans_allow_fake()
    second_worker: subprocess.Popen[bytes] | None = None
    second_log = home / "second-worker.log"
    try:
        guest = Guest(server)
        conversation = guest.call("POST", "/api/v1/conversations", {})
        sent = guest.call("POST", f"/api/v1/conversations/{conversation['id']}/messages", {"text": "a poster"})
        job_id = sent["job"]["id"]
        _wait_for("the job to start", lambda: guest.call("GET", f"/api/v1/jobs/{job_id}")["status"] == "running",
                  seconds=30)  # fmt: skip
        # Longer than the stale timeout into the provider call, a second worker starts: it requeues
        # whatever it finds stale, then works the queue.
        time.sleep(STALE_SECONDS * 1.5)
        with second_log.open("wb") as out:
            second_worker = subprocess.Popen(
                [sys.executable, "-m", "nanobananas.cli", "worker"],
                env={**server_environment(home), **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_for("the second worker to start", lambda: b"Huey consumer started" in second_log.read_bytes(),
                  seconds=30)  # fmt: skip
        running = guest.call("GET", f"/api/v1/jobs/{job_id}")
        assert running["status"] == "running", (
            f"the provider call ({PROVIDER_SECONDS} s) ended before the second worker looked; make it longer"
        )

        done = _wait_for(
            "the job to finish",
            lambda: (job := guest.call("GET", f"/api/v1/jobs/{job_id}"))["status"] in {"done", "failed"} and job,
            seconds=PROVIDER_SECONDS + 30,
        )
        assert (done["status"], done["error_code"], done["progress"]) == ("done", "", 100)
        detail = guest.call("GET", f"/api/v1/conversations/{conversation['id']}")
        replies = [m["text"] for m in detail["messages"] if m["role"] == "assistant"]
        assert replies == ["Here is your design. (version 1)"]
        [version] = detail["versions"]
        status, data = guest.download(version["content_url"])
        assert status == 200
        assert hashlib.sha256(data).hexdigest() == version["sha256"]
    finally:
        if second_worker is not None:
            second_worker.send_signal(signal.SIGINT)
            second_worker.wait(timeout=30)
        assert server.stop() == 0

    # Claimed once: the second worker found nothing stale, and the guest was charged one image.
    assert topology.rows(f"SELECT status, attempts FROM studio_job WHERE id = '{uuid.UUID(job_id).hex}'") == [
        ("done", 1)
    ]
    assert topology.rows("SELECT COUNT(*) FROM studio_asset WHERE kind = 'result'") == [(1,)]
    assert sorted(topology.rows("SELECT \"window\", used FROM accounts_quotausage WHERE kind = 'image'")) == [
        ("day", 1),
        ("month", 1),
    ]
    assert b"requeued" not in second_log.read_bytes()
