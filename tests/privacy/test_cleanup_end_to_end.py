"""On a real data dir: what a guest made through the API is physically gone after `nanobananas cleanup`
runs 25 hours later (Debian's faketime moves the clock), including from the SQLite files' bytes."""

from __future__ import annotations

import http.cookiejar
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.live_server import Server, server_environment, start_server

FAKETIME = shutil.which("faketime")


def _require_faketime() -> str:
    if FAKETIME:
        return FAKETIME
    if IN_CI:
        pytest.fail("faketime is missing; CI must run this test (make test installs it)")
    pytest.skip("faketime is missing (apt-get install faketime)")


class Browser:
    """Just enough of a browser: cookies, the CSRF header, JSON."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{server.url}/image/", timeout=10).read()

    def call(self, method: str, path: str, body: object | None = None) -> dict[str, object]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        request = urllib.request.Request(
            f"{self.server.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token, "Referer": self.server.url},
        )
        with self.opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")  # type: ignore[no-any-return]


def _files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "blobs").rglob("*") if p.is_file() and "health" not in p.parts)


def test_cleanup_a_day_later_deletes_a_guests_work_down_to_the_database_bytes(tmp_path: Path) -> None:
    faketime = _require_faketime()
    home = tmp_path / "home"
    marker = f"MARKER-{uuid.uuid4().hex[:12]}"
    server = start_server(home)
    try:
        browser = Browser(server)
        conversation = browser.call("POST", "/api/v1/conversations", {})
        sent = browser.call(
            "POST", f"/api/v1/conversations/{conversation['id']}/messages", {"text": f"a poster for {marker}"}
        )
        job_id = sent["job"]["id"]  # type: ignore[index]
        deadline = time.monotonic() + 60
        while browser.call("GET", f"/api/v1/jobs/{job_id}")["status"] != "done":
            assert time.monotonic() < deadline, "the job did not finish"
            time.sleep(0.2)
    finally:
        assert server.stop() == 0
    stored = _files(home)
    assert len(stored) == 1, stored
    database = home / "nanobananas.sqlite3"
    # The words are sealed at rest (not even in the WAL); their ciphertext is what must go.
    assert marker.encode() not in database.read_bytes() + _wal(database)
    with closing(sqlite3.connect(database)) as db:
        sealed = [row[0].encode() for row in db.execute("SELECT sealed_text FROM studio_message")]
    assert len(sealed) == 2
    assert all(token in database.read_bytes() + _wal(database) for token in sealed)

    env = server_environment(home)
    now = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", "cleanup"], env=env, capture_output=True, text=True, check=True
    )
    assert "purged: nothing" in now.stdout, "nothing is due yet"
    assert len(_files(home)) == 1

    later = subprocess.run(
        [faketime, "-f", "+25h", sys.executable, "-m", "nanobananas.cli", "cleanup"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "purged: asset: 1, message: 2, conversation: 1, guest: 1" in later.stdout, later.stdout
    assert _files(home) == []
    assert not any(token in database.read_bytes() + _wal(database) for token in sealed)

    report = subprocess.run(
        [faketime, "-f", "+25h", sys.executable, "-m", "nanobananas.cli", "retention", "report", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["late"] == []


def _wal(database: Path) -> bytes:
    wal = database.with_name(database.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""
