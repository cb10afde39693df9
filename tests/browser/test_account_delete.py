"""Me -> Delete account in the browser: sign up, make an image, delete the account, the image link is gone."""

from __future__ import annotations

from tests.browser.conftest import sign_up
from tests.live_server import Server

PASSWORD = "closing time at noon"


def test_delete_the_account_on_the_me_page(studio_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    base = studio_server.url
    sign_up(p, base, email="gale@example.org", username="gale", display_name="Gale Moreno", password=PASSWORD)

    p.goto(f"{base}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a closing-down sale")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    image = p.locator("img.result").first  # type: ignore[attr-defined]
    image.wait_for(state="visible", timeout=60_000)
    image_url = image.evaluate("img => img.src")
    assert p.request.get(image_url).status == 200  # type: ignore[attr-defined]

    p.goto(f"{base}/me/")  # type: ignore[attr-defined]
    panel = p.locator("#delete-account-panel")  # type: ignore[attr-defined]
    assert "only your billing records and your record of consents are kept, for 3 years" in panel.inner_text()
    # A wrong phrase is refused in the page and nothing happens.
    p.fill("#delete-account-password", PASSWORD)  # type: ignore[attr-defined]
    p.fill("#delete-account-phrase", "delete it")  # type: ignore[attr-defined]
    p.click("#delete-account-form button")  # type: ignore[attr-defined]
    assert p.inner_text("#delete-account-error") == "Type “delete my account” to confirm."  # type: ignore[attr-defined]
    # A wrong password is refused by the server, with its message.
    p.fill("#delete-account-password", "not my password")  # type: ignore[attr-defined]
    p.fill("#delete-account-phrase", "Delete my account")  # type: ignore[attr-defined]
    p.click("#delete-account-form button")  # type: ignore[attr-defined]
    p.locator("#delete-account-error:has-text('password')").wait_for()  # type: ignore[attr-defined]
    assert p.inner_text("#delete-account-error") == "The password is not right. Nothing was deleted."  # type: ignore[attr-defined]
    assert p.request.get(image_url).status == 200  # type: ignore[attr-defined]

    p.fill("#delete-account-password", PASSWORD)  # type: ignore[attr-defined]
    p.click("#delete-account-form button")  # type: ignore[attr-defined]
    p.wait_for_url(f"{base}/")  # type: ignore[attr-defined]
    assert "Your account has been deleted." in p.inner_text(".flash")  # type: ignore[attr-defined]
    assert p.locator(".account-links").inner_text().strip() == "Sign in / Sign up"  # type: ignore[attr-defined]
    p.goto(f"{base}/me/")  # type: ignore[attr-defined]
    assert "You are using Nanobananas as a guest" in p.inner_text("main")  # type: ignore[attr-defined]
    assert p.request.get(image_url).status == 404  # type: ignore[attr-defined]
    # The old password opens nothing any more.
    p.goto(f"{base}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "gale@example.org")  # type: ignore[attr-defined]
    p.fill("#id_password", PASSWORD)  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.wait_for_load_state()  # type: ignore[attr-defined]
    assert p.locator(".account-links").inner_text().strip() == "Sign in / Sign up"  # type: ignore[attr-defined]
