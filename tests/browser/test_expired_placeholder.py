"""Where an image expired, the chat shows a placeholder that says so: a signed-in user's image is purged
by `nanobananas cleanup` 49 hours later (Debian's faketime moves the clock), the conversation's text
stays (12 months), and the page shows "Image 1 deleted on <date> (retention)." in its place."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import sign_up
from tests.conftest import IN_CI
from tests.live_server import server_environment, start_server

PASSWORD = "lighthouse keeper 1888"
FAKETIME = shutil.which("faketime")


def _require_faketime() -> str:
    if FAKETIME:
        return FAKETIME
    if IN_CI:
        pytest.fail("faketime is missing; CI must run this test (make test installs it)")
    pytest.skip("faketime is missing (apt-get install faketime)")


def test_an_expired_image_leaves_a_retention_placeholder_in_the_chat(page: object, tmp_path: Path) -> None:
    faketime = _require_faketime()
    # Its own server: the cleanup 49 hours ahead would otherwise sweep other tests' work.
    server = start_server(tmp_path / "home")
    try:
        p = page  # playwright.sync_api.Page
        base = server.url
        sign_up(p, base, email="rhea@example.org", username="rhea", display_name="Rhea Costa", password=PASSWORD)
        p.goto(f"{base}/image/")  # type: ignore[attr-defined]
        p.fill("#prompt", "a poster of a lighthouse")  # type: ignore[attr-defined]
        p.click("#send")  # type: ignore[attr-defined]
        p.locator("img.result").first.wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]

        later = subprocess.run(
            [faketime, "-f", "+49h", sys.executable, "-m", "nanobananas.cli", "cleanup"],
            env=server_environment(server.home), capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert "asset: 1" in later.stdout, later.stdout

        p.reload()  # type: ignore[attr-defined]
        placeholder = p.locator(".deleted-image")  # type: ignore[attr-defined]
        placeholder.wait_for(state="visible", timeout=10_000)
        assert p.locator("img.result").count() == 0  # type: ignore[attr-defined]
        assert p.locator(".turn.user .bubble").inner_text() == "a poster of a lighthouse"  # type: ignore[attr-defined]
        conversations = p.request.get(f"{base}/api/v1/conversations").json()  # type: ignore[attr-defined]
        detail = p.request.get(f"{base}/api/v1/conversations/{conversations['items'][0]['id']}").json()  # type: ignore[attr-defined]
        [gone] = [g for m in detail["messages"] for g in m["deleted_images"]]
        assert (gone["number"], gone["reason"]) == (1, "retention")
        shown = p.evaluate(  # type: ignore[attr-defined]
            "iso => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })",
            gone["deleted_at"],
        )
        assert placeholder.inner_text() == f"Image 1 deleted on {shown} (retention)."
    finally:
        assert server.stop() == 0
