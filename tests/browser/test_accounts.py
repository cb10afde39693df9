"""A guest makes an image, signs up (work carried over), confirms the email from the mail folder, upgrades in
offline test mode, picks 7-day retention on the Me page, and signs back in by email."""

from __future__ import annotations

import email
import re
from email import policy

from tests.browser.conftest import Server


def _latest_link(server: Server, path_part: str) -> str:
    messages = sorted((server.home / "mail").glob("*.eml"))
    assert messages, "no mail was written to the data dir"
    body = email.message_from_bytes(messages[-1].read_bytes(), policy=policy.default).get_body()
    assert body is not None
    match = re.search(r"https?://\S*" + re.escape(path_part) + r"\S*", body.get_content())
    assert match, body.get_content()
    return match.group(0)


def test_sign_up_confirm_upgrade_and_the_me_page(studio_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    base = studio_server.url
    p.goto(f"{base}/image/")  # type: ignore[attr-defined]
    assert p.locator(".account-links").inner_text().strip() == "Sign in / Sign up"  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a plant shop opening")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result, .problem").first.wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]

    p.goto(f"{base}/me/")  # type: ignore[attr-defined]
    assert "You are using Nanobananas as a guest" in p.inner_text("main")  # type: ignore[attr-defined]
    p.click("main >> text=Sign up")  # type: ignore[attr-defined]
    p.fill("#id_email", "fern@example.org")  # type: ignore[attr-defined]
    p.fill("#id_username", "fern")  # type: ignore[attr-defined]
    p.fill("#id_display_name", "Fern Okafor")  # type: ignore[attr-defined]
    p.fill("#id_password", "plants are the best")  # type: ignore[attr-defined]
    p.select_option("#id_birth_month", label="April")  # type: ignore[attr-defined]
    p.select_option("#id_birth_year", label="1991")  # type: ignore[attr-defined]
    p.click("button:has-text('Create account')")  # type: ignore[attr-defined]

    p.wait_for_url(f"{base}/me/")  # type: ignore[attr-defined]
    assert p.locator(".account-links").inner_text().strip() == "Fern Okafor"  # type: ignore[attr-defined]
    assert p.inner_text("[data-testid=plan-name]") == "Free"  # type: ignore[attr-defined]
    assert re.fullmatch(r"\d+ of 50 images left today", p.inner_text("[data-testid=quota]"))  # type: ignore[attr-defined]
    assert "48 hours" in p.inner_text("[data-testid=retention]")  # type: ignore[attr-defined]
    assert "not confirmed yet" in p.inner_text("main")  # type: ignore[attr-defined]
    assert p.locator(".coming .badge").all_inner_texts() == []  # type: ignore[attr-defined]

    # The guest's poster came along.
    p.goto(f"{base}/")  # type: ignore[attr-defined]
    assert "a poster for a plant shop opening" in p.inner_text(".recent")  # type: ignore[attr-defined]

    p.goto(_latest_link(studio_server, "/accounts/verify/"))  # type: ignore[attr-defined]
    p.wait_for_url(f"{base}/me/")  # type: ignore[attr-defined]
    assert "Thanks, your email address is confirmed." in p.inner_text(".flash")  # type: ignore[attr-defined]

    upgrade = p.locator("button:has-text('Upgrade to Pro (test mode, no payment)')")  # type: ignore[attr-defined]
    assert "Test mode: no payment is taken" in p.inner_text(".upgrade")  # type: ignore[attr-defined]
    upgrade.click()
    p.wait_for_url(f"{base}/me/")  # type: ignore[attr-defined]
    assert p.inner_text("[data-testid=plan-name]") == "Pro"  # type: ignore[attr-defined]
    assert re.fullmatch(r"\d+ of 500 images left today", p.inner_text("[data-testid=quota]"))  # type: ignore[attr-defined]

    p.check("input[name=hours][value='168']")  # type: ignore[attr-defined]
    p.click("form[action='/accounts/retention/'] button")  # type: ignore[attr-defined]
    p.wait_for_url(f"{base}/me/")  # type: ignore[attr-defined]
    assert "168 hours" in p.inner_text("[data-testid=retention]")  # type: ignore[attr-defined]
    assert "if Pro ends, it goes back to 48 hours" in p.inner_text("main")  # type: ignore[attr-defined]

    p.click("button:text-is('Sign out')")  # type: ignore[attr-defined]
    p.wait_for_url(f"{base}/")  # type: ignore[attr-defined]
    assert p.locator(".account-links").inner_text().strip() == "Sign in / Sign up"  # type: ignore[attr-defined]
    p.goto(f"{base}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "FERN@example.org")  # type: ignore[attr-defined]
    p.fill("#id_password", "plants are the best")  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.wait_for_url(f"{base}/me/")  # type: ignore[attr-defined]
    assert p.inner_text("[data-testid=plan-name]") == "Pro"  # type: ignore[attr-defined]
    assert p.inner_text("[data-testid=email]") == "fern@example.org"  # type: ignore[attr-defined]
