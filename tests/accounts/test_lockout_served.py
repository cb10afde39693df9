"""Sign-in locks under the real server: the address counted is the connecting one unless a proxy is trusted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.live_server import Server, start_server

PASSWORD = "correct horse battery staple"
OWNER_ADDRESS = "198.51.100.7"
ATTACKER_ADDRESS = "203.0.113.9"


def _client(server: Server) -> requests.Session:
    session = requests.Session()
    session.get(f"{server.url}/image/", timeout=30).raise_for_status()  # sets the CSRF cookie
    return session


def _post(session: requests.Session, server: Server, path: str, body: dict[str, Any], **headers: str) -> Any:
    headers = {"X-CSRFToken": session.cookies["csrftoken"], **headers}
    return session.post(f"{server.url}/api/v1{path}", json=body, headers=headers, timeout=30)


def _sign_in(server: Server, login: str, password: str, *, forwarded_for: str) -> Any:
    with _client(server) as session:
        return _post(
            session, server, "/auth/login", {"login": login, "password": password}, **{"X-Forwarded-For": forwarded_for}
        )


def _sign_up_owner(server: Server) -> None:
    with _client(server) as session:
        body = {
            "email": "ana@example.org",
            "username": "ana",
            "display_name": "Ana",
            "password": PASSWORD,
            "birth_month": 5,
            "birth_year": 1990,
        }
        assert _post(session, server, "/auth/signup", body, **{"X-Forwarded-For": OWNER_ADDRESS}).status_code == 201


@pytest.fixture
def untrusting_server(tmp_path: Path) -> Iterator[Server]:
    server = start_server(tmp_path / "home")
    yield server
    assert server.stop() == 0


@pytest.fixture
def proxied_server(tmp_path: Path) -> Iterator[Server]:
    server = start_server(tmp_path / "home", extra_env={"NANOBANANAS_TRUSTED_PROXIES": "127.0.0.1"})
    yield server
    assert server.stop() == 0


def test_a_client_cannot_choose_its_address_with_x_forwarded_for(untrusting_server: Server) -> None:
    """No proxy is trusted by default: twenty guesses on twenty names from twenty claimed addresses all count
    against the one connecting address, and the twentieth locks it."""
    statuses = [
        _sign_in(untrusting_server, f"nobody{n}", "wrong guess", forwarded_for=f"192.0.2.{n + 1}").status_code
        for n in range(20)
    ]
    assert statuses == [400] * 19 + [429]
    locked = _sign_in(untrusting_server, "nobody0", "wrong guess", forwarded_for="192.0.2.200")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "login_locked"


def test_the_owner_signs_in_from_another_address_while_the_attackers_is_locked(proxied_server: Server) -> None:
    """Behind a trusted proxy (NANOBANANAS_TRUSTED_PROXIES), the forwarded address is the one counted."""
    _sign_up_owner(proxied_server)
    attempts = [
        _sign_in(proxied_server, "ana", f"wrong guess {n}", forwarded_for=ATTACKER_ADDRESS).status_code
        for n in range(5)
    ]
    assert attempts == [400, 400, 400, 400, 429]
    refused = _sign_in(proxied_server, "ana", PASSWORD, forwarded_for=ATTACKER_ADDRESS)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "login_locked"
    owner = _sign_in(proxied_server, "ana@example.org", PASSWORD, forwarded_for=OWNER_ADDRESS)
    assert owner.status_code == 200
    assert owner.json()["kind"] == "user"
    assert owner.json()["user"]["username"] == "ana"
