"""Thumbs on a result in the AI Image chat and "Report a problem" in the footer, in the browser."""

from __future__ import annotations

import json
import subprocess
import sys

from playwright.sync_api import expect

from tests.live_server import Server, server_environment

ROWS = """
import os, json, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from nanobananas.analytics.models import BugReport, Feedback
print(json.dumps({
    "feedback": [[f.rating, f.reason, f.provider] for f in Feedback.objects.order_by("id")],
    "bug_reports": [[r.text, r.page] for r in BugReport.objects.order_by("created_at")],
}))
"""


def _rows(server: Server) -> dict[str, list[list[str]]]:
    out = subprocess.run([sys.executable, "-c", ROWS], env=server_environment(server.home), check=True,
                         capture_output=True, text=True).stdout  # fmt: skip
    return json.loads(out)  # type: ignore[no-any-return]


def test_a_result_is_rated_with_thumbs_and_a_reason(studio_server: Server, page: object) -> None:
    p = page
    before = _rows(studio_server)
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a flower shop")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result").first.wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]
    bar = p.locator("figcaption .result-feedback").first  # type: ignore[attr-defined]
    bar.get_by_role("button", name="Bad result").click()
    expect(bar.locator("[role=status]")).to_have_text("Thanks, noted.")
    expect(bar.get_by_role("button", name="Bad result")).to_have_attribute("aria-pressed", "true")
    bar.get_by_label("What was wrong").select_option("wrong_text")
    expect(bar.locator("[role=status]")).to_have_text("Thanks, noted.")
    p.wait_for_timeout(300)  # type: ignore[attr-defined]
    after = _rows(studio_server)
    assert after["feedback"][len(before["feedback"]) :] == [["down", "wrong_text", after["feedback"][-1][2]]]
    bar.get_by_role("button", name="Good result").click()
    expect(bar.get_by_role("button", name="Good result")).to_have_attribute("aria-pressed", "true")
    expect(bar.get_by_label("What was wrong")).to_be_hidden()
    p.wait_for_timeout(300)  # type: ignore[attr-defined]
    assert _rows(studio_server)["feedback"][len(before["feedback"]) :][0][:2] == ["up", ""]


def test_a_problem_is_reported_from_the_footer_of_any_page(studio_server: Server, page: object) -> None:
    p = page
    before = _rows(studio_server)
    p.goto(f"{studio_server.url}/")  # type: ignore[attr-defined]
    p.get_by_text("Report a problem").click()  # type: ignore[attr-defined]
    p.get_by_label("What went wrong").fill("the home page shows no recent work")  # type: ignore[attr-defined]
    p.locator(".bug-report button[type=submit]").click()  # type: ignore[attr-defined]
    expect(p.locator(".bug-report [role=status]")).to_have_text("Sent. Thank you.")  # type: ignore[attr-defined]
    assert _rows(studio_server)["bug_reports"][len(before["bug_reports"]) :] == [
        ["the home page shows no recent work", "/"]
    ]
