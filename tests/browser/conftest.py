"""Chromium for the browser tests, and one real `nanobananas serve` shared by them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.live_server import Server, start_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("serve-home"))
    yield server
    server.stop()


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    if IN_CI:
        pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests (make test installs it)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context (its own cookies) per test; a screenshot is kept for people to look at."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def sign_up(page: object, base: str, *, email: str, username: str, display_name: str, password: str) -> None:
    """Create an account through the sign-up page (an adult's birth date) and land on Me."""
    p = page  # playwright.sync_api.Page
    p.goto(f"{base}/accounts/signup/")  # type: ignore[attr-defined]
    p.fill("#id_email", email)  # type: ignore[attr-defined]
    p.fill("#id_username", username)  # type: ignore[attr-defined]
    p.fill("#id_display_name", display_name)  # type: ignore[attr-defined]
    p.fill("#id_password", password)  # type: ignore[attr-defined]
    p.select_option("#id_birth_month", label="June")  # type: ignore[attr-defined]
    p.select_option("#id_birth_year", label="1988")  # type: ignore[attr-defined]
    p.click("button:has-text('Create account')")  # type: ignore[attr-defined]
    p.wait_for_url(f"{base}/me/")  # type: ignore[attr-defined]


__all__ = ["CHROMIUM", "Server", "sign_up", "start_server"]
