"""axe-core (the copy shipped in the axe-playwright-python wheel, nothing fetched) on every page, light and
dark, and on the editor with a poster in it: no serious or critical violations."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server

PAGES = [
    "/",
    "/image/",
    "/video/",
    "/tools/",
    "/me/",
    "/history/",
    "/accounts/login/",
    "/accounts/signup/",
    "/privacy/",
    "/no-such-page/",
]


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']][:5]}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(studio_server: Server, browser: Any, path: str, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    try:
        p = context.new_page()
        p.goto(f"{studio_server.url}{path}")
        p.wait_for_load_state("networkidle")
        assert _serious(p) == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_editor_with_a_poster_has_no_serious_violations(studio_server: Server, browser: Any, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    try:
        p = context.new_page()
        p.goto(f"{studio_server.url}/image/")
        p.fill("#prompt", "a poster for a bakery grand opening")
        p.click("#send")
        expect(p.locator(".version")).to_have_count(1, timeout=60_000)
        expect(p.locator(".turn.pending")).to_have_count(0, timeout=60_000)
        expect(p.locator("#suggestions")).to_be_visible()
        assert _serious(p) == []
    finally:
        context.close()


def test_the_check_finds_a_real_violation(studio_server: Server, page: Any) -> None:
    """The same check on one of our pages with an unlabelled field and a nameless button added to it."""
    p = page
    p.goto(f"{studio_server.url}/")
    p.evaluate(
        """() => {
        const main = document.querySelector("main");
        main.append(document.createElement("input"), document.createElement("button"));
    }"""
    )
    found = _serious(p)
    assert any(line.startswith("label (critical)") for line in found), found
    assert any(line.startswith("button-name (critical)") for line in found), found
