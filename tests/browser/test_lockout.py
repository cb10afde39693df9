"""Under the real ASGI server, five failed sign-ins show the paused page with the time it opens again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import Server, start_server


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own: the lock it provokes would otherwise block other tests signing in from 127.0.0.1."""
    server = start_server(tmp_path / "home")
    yield server
    server.stop()


def test_five_failed_sign_ins_pause_sign_in_with_the_unlock_time(own_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    p.goto(f"{own_server.url}/accounts/login/")  # type: ignore[attr-defined]
    for attempt in range(5):
        p.fill("#id_username", "someone@example.org")  # type: ignore[attr-defined]
        p.fill("#id_password", f"wrong guess {attempt}")  # type: ignore[attr-defined]
        with p.expect_navigation() as navigation:  # type: ignore[attr-defined]
            p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
        status = navigation.value.status
    assert status == 429
    notice = p.inner_text("[role=alert]")  # type: ignore[attr-defined]
    assert "Sign-in is paused." in notice
    assert re.search(r"You can try again at \d\d:\d\d UTC \(in 1[45]\xa0minutes\)", notice), notice
