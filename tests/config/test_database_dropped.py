"""PostgreSQL out of reach: requests fail with a clean 503 and recover by themselves (issue 20).

A real `serve --no-worker` reaches PostgreSQL through a TCP proxy that the test controls: cutting it drops
every open connection and refuses new ones, as a database restart or a network failure would. Pages and
API calls then answer 503 (the API in its JSON error shape, with Retry-After), health says so, and once the
proxy lets connections through again the same process serves normally, with no restart.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests import settings
from tests.conftest import require_service
from tests.live_server import Server, start_server
from tests.security.test_hostile_jobs import _postgres_admin


class CuttableProxy:
    """Forwards a local port to PostgreSQL; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = int(probe.getsockname()[1])
        probe.close()
        self.listener: socket.socket | None = None
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        assert self.listener is not None
        # shutdown first: a close alone leaves the accept() blocked in the other thread still accepting.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        self.listener = None
        with self.lock:
            dropped, self.open = self.open, []
        for end in dropped:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


@pytest.fixture
def proxied_database() -> Iterator[tuple[CuttableProxy, str]]:
    require_service("PostgreSQL", settings.POSTGRES_URL)
    database = f"nb_dropped_{uuid.uuid4().hex[:12]}"
    _postgres_admin(settings.POSTGRES_URL, f'CREATE DATABASE "{database}"')
    address = urlparse(settings.POSTGRES_URL)
    proxy = CuttableProxy((address.hostname or "127.0.0.1", address.port or 5432))
    proxy.start()
    try:
        yield proxy, address._replace(netloc=f"{address.username}@127.0.0.1:{proxy.port}", path=f"/{database}").geturl()
    finally:
        if proxy.listener is not None:
            proxy.cut()
        _postgres_admin(settings.POSTGRES_URL, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _get(server: Server, path: str, opener: urllib.request.OpenerDirector) -> tuple[int, dict[str, str], bytes]:
    try:
        with opener.open(f"{server.url}{path}", timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as answered:
        with answered:
            return answered.code, dict(answered.headers), answered.read()


def test_requests_answer_503_while_postgresql_is_out_of_reach_and_recover_by_themselves(
    proxied_database: tuple[CuttableProxy, str], tmp_path: Path
) -> None:
    proxy, database_url = proxied_database
    server = start_server(
        tmp_path / "home", extra_args=["--no-worker"], extra_env={"NANOBANANAS_DATABASE_URL": database_url}
    )
    try:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        assert _get(server, "/image/", browser)[0] == 200
        assert _get(server, "/api/v1/plans", browser)[0] == 200

        proxy.cut()
        status, headers, body = _get(server, "/api/v1/plans", browser)
        assert status == 503, body[:300]
        assert headers["Content-Type"].startswith("application/json")
        assert json.loads(body)["error"]["code"] == "database_unavailable"
        assert headers["Retry-After"] == "5"
        status, headers, body = _get(server, "/image/", browser)
        assert status == 503, body[:300]
        assert headers["Content-Type"].startswith("text/html")
        assert b"try again" in body.lower()
        assert _get(server, "/api/v1/health", browser)[0] == 503

        proxy.start()
        deadline = time.monotonic() + 20
        while _get(server, "/api/v1/plans", browser)[0] != 200:
            assert time.monotonic() < deadline, "the server did not recover once the database was back"
            time.sleep(0.5)
        assert _get(server, "/image/", browser)[0] == 200
        assert _get(server, "/api/v1/health", browser)[0] == 200
    finally:
        server.stop()
