"""The History page's per-image controls: the commercial-use mark sticks, Delete removes the image."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Server


def test_mark_an_image_commercial_then_delete_it_from_history(studio_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a pottery class")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result").wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]

    p.goto(f"{studio_server.url}/history/")  # type: ignore[attr-defined]
    row = p.locator("#history-list li").first  # type: ignore[attr-defined]
    row.wait_for(state="visible", timeout=10_000)
    box = row.locator("input.commercial-toggle")
    assert not box.is_checked()
    box.check()
    expect(box).to_be_enabled()  # the switch is disabled while its request is in flight
    asset_id = row.get_attribute("data-asset-id")
    marks = p.evaluate("fetch('/api/v1/history').then((r) => r.json())")  # type: ignore[attr-defined]
    assert [(i["asset_id"], i["commercial"]) for i in marks["items"]] == [(asset_id, True)]

    p.reload()  # type: ignore[attr-defined]
    row = p.locator("#history-list li").first  # type: ignore[attr-defined]
    row.wait_for(state="visible", timeout=10_000)
    assert row.locator("input.commercial-toggle").is_checked()

    p.once("dialog", lambda dialog: dialog.accept())  # type: ignore[attr-defined]
    row.locator("button.delete-image").click()
    p.locator("#history-empty").wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    left = p.evaluate("fetch('/api/v1/history').then((r) => r.json())")  # type: ignore[attr-defined]
    assert left["items"] == []
