"""A real `nanobananas serve --tls` started with umask 0022: every path in its data dir is owner-only, and its
sessions table (database and WAL, read from the files) holds no session key that a reader could use as a cookie."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.live_server import Server, start_server

PASSWORD = "correct horse battery staple"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def server(home: Path) -> Iterator[Server]:
    # The usual shell umask: without the fix SQLite, mail and the queue would create files readable by all.
    previous = os.umask(0o022)
    try:
        served = start_server(home, extra_args=["--tls"], scheme="https")
    finally:
        os.umask(previous)
    yield served
    served.stop()


def _modes(home: Path) -> dict[str, str]:
    """Every path under the data dir (and the dir itself) with its permission bits."""
    paths = [home, *sorted(home.rglob("*"))]
    return {str(p.relative_to(home)): oct(stat.S_IMODE(p.lstat().st_mode)) for p in paths}


def _not_owner_only(home: Path) -> dict[str, str]:
    wanted = {True: "0o700", False: "0o600"}
    return {name: mode for name, mode in _modes(home).items() if mode != wanted[(home / name).is_dir()]}


def _client(server: Server) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE and proxies from the environment would override these
    session.verify = str(server.home / "tls" / "cert.pem")
    session.get(f"{server.url}/image/", timeout=30).raise_for_status()  # the CSRF cookie
    return session


def _post(session: requests.Session, server: Server, path: str, body: dict[str, Any]) -> Any:
    headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{server.url}/image/"}
    return session.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=30)


def _make_an_image(session: requests.Session, server: Server) -> None:
    """A generated image: blobs written by the worker, the queue used, the job's rows in the database."""
    conversation = _post(session, server, "/conversations", {"title": "Bakery"}).json()["id"]
    sent = _post(session, server, f"/conversations/{conversation}/messages", {"text": "a poster for a bakery"})
    assert sent.status_code == 202, sent.text
    job = sent.json()["job"]["id"]
    deadline = time.monotonic() + 90
    status = ""
    while time.monotonic() < deadline:
        status = session.get(f"{server.url}/api/v1/jobs/{job}", timeout=30).json()["status"]
        if status in {"done", "failed", "refused"}:
            break
        time.sleep(0.3)
    assert status == "done"


def _stored_session_keys(home: Path) -> list[str]:
    database = sqlite3.connect(f"file:{home / 'nanobananas.sqlite3'}?mode=ro", uri=True)
    try:
        return [row[0] for row in database.execute("SELECT session_key FROM accounts_usersession")]
    finally:
        database.close()


def test_every_path_in_the_data_dir_is_owner_only_and_no_session_key_is_stored(server: Server, home: Path) -> None:
    with _client(server) as session:
        body = {
            "email": "ana@example.org",
            "username": "ana",
            "display_name": "Ana",
            "password": PASSWORD,
            "birth_month": 5,
            "birth_year": 1990,
        }
        assert _post(session, server, "/auth/signup", body).status_code == 201
        _make_an_image(session, server)
        cookie = session.cookies["sessionid"]
        assert session.get(f"{server.url}/api/v1/me", timeout=30).json()["kind"] == "user"

    # Every kind of file is there while the server runs: database, WAL, queue, blobs, mail, TLS, keys.
    names = set(_modes(home))
    for expected in ("nanobananas.sqlite3", "nanobananas.sqlite3-wal", "queue.sqlite3", "secret_key", "master.key"):
        assert expected in names
    assert {"blobs", "mail", "tls", "tls/key.pem"} <= names
    assert any(name.startswith("blobs/") and not (home / name).is_dir() for name in names)
    assert any(name.endswith(".eml") for name in names)
    assert _not_owner_only(home) == {}

    # The database files hold the session under a keyed hash only: the cookie's key is nowhere in them.
    raw = cookie.encode()
    for name in ("nanobananas.sqlite3", "nanobananas.sqlite3-wal"):
        assert raw not in (home / name).read_bytes()
    stored = _stored_session_keys(home)
    assert cookie not in stored
    assert all(len(key) == 64 for key in stored)
    # A reader of the file who sends a stored value as the cookie is a stranger.
    for key in stored:
        with requests.Session() as thief:
            thief.trust_env = False
            thief.verify = str(home / "tls" / "cert.pem")
            thief.cookies.set("sessionid", key)
            assert thief.get(f"{server.url}/api/v1/me", timeout=30).json()["kind"] == "guest"

    assert server.stop() == 0
    assert _not_owner_only(home) == {}


def test_an_open_data_dir_from_an_older_version_is_tightened_at_start(tmp_path: Path) -> None:
    from nanobananas.config.datadir import data_dir_prepare

    home = tmp_path / "old"
    previous = os.umask(0o022)
    try:
        (home / "blobs" / "u1").mkdir(parents=True)
        for name in ("nanobananas.sqlite3", "blobs/u1/a.bin", "serve.log"):
            (home / name).write_bytes(b"x")
        assert _modes(home)["blobs/u1/a.bin"] == "0o644"
        data_dir_prepare(home)
        # And what the process creates from now on is owner-only, whatever umask it was started with.
        (home / "later.txt").write_bytes(b"x")
        (home / "later").mkdir()
    finally:
        os.umask(previous)
    assert _modes(home) == {
        ".": "0o700",
        "blobs": "0o700",
        "blobs/u1": "0o700",
        "blobs/u1/a.bin": "0o600",
        "later": "0o700",
        "later.txt": "0o600",
        "nanobananas.sqlite3": "0o600",
        "serve.log": "0o600",
    }
