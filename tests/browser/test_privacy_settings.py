"""Me -> Privacy settings in the browser: a switch saves at once, says so, and is still set after a reload."""

from __future__ import annotations

import subprocess
import sys

from tests.live_server import Server, server_environment

CREATE_USER = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from django.contrib.auth import get_user_model
get_user_model().objects.create_user(username="vera", email="vera@example.org", password="private by default 9")
"""


def _box(p: object, name: str) -> object:
    return p.locator(f"#privacy-form input[name={name}]")  # type: ignore[attr-defined]


def _state(p: object, name: str) -> str:
    return p.locator(f"[data-state-for={name}]").inner_text()  # type: ignore[attr-defined,no-any-return]


def test_a_signed_in_user_opts_in_to_ai_training_and_sees_it_after_reload(studio_server: Server, page: object) -> None:
    subprocess.run([sys.executable, "-c", CREATE_USER], env=server_environment(studio_server.home), check=True)
    p = page
    p.goto(f"{studio_server.url}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "vera")  # type: ignore[attr-defined]
    p.fill("#id_password", "private by default 9")  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/me/")  # type: ignore[attr-defined]

    improve = _box(p, "improve_ai")
    improve.wait_for()  # type: ignore[attr-defined]
    p.locator("#privacy-form input[name=improve_ai]:enabled").wait_for()  # type: ignore[attr-defined]
    assert _state(p, "improve_ai") == "Off"
    assert _state(p, "third_party_ai") == "Off"  # "Never send ..." is off: third-party AI allowed by default
    assert _state(p, "analytics") == "Off"
    assert _box(p, "email_tips").count() == 1  # type: ignore[attr-defined]

    improve.check()  # type: ignore[attr-defined]
    status = p.locator("#privacy-status")  # type: ignore[attr-defined]
    p.locator("#privacy-status:has-text('Saved')").wait_for()  # type: ignore[attr-defined]
    assert status.inner_text() == "Saved: “Use my images to improve AI” is on."
    assert _state(p, "improve_ai") == "On"

    p.reload()  # type: ignore[attr-defined]
    p.locator("#privacy-form input[name=improve_ai]:enabled").wait_for()  # type: ignore[attr-defined]
    assert _box(p, "improve_ai").is_checked()  # type: ignore[attr-defined]
    assert _state(p, "improve_ai") == "On"
    assert not _box(p, "analytics").is_checked()  # type: ignore[attr-defined]

    consents = p.evaluate("fetch('/api/v1/me/consents').then((r) => r.json())")  # type: ignore[attr-defined]
    assert [(c["setting"], c["old"], c["new"]) for c in consents] == [("improve_ai", False, True)]
    p.click("#privacy-history summary")  # type: ignore[attr-defined]
    history = p.locator("#privacy-ledger li")  # type: ignore[attr-defined]
    history.first.wait_for()
    assert history.count() == 1
    # The version in force when the change was made (other tests on this server may publish newer ones).
    version = consents[0]["policy_version"]
    assert version
    assert f"“Use my images to improve AI” off → on (privacy policy version {version})" in history.first.inner_text()
    assert not p.locator("#privacy-ledger-empty").is_visible()  # type: ignore[attr-defined]


def test_a_guest_turns_off_third_party_ai_and_it_stays_off(studio_server: Server, page: object) -> None:
    p = page
    p.goto(f"{studio_server.url}/me/")  # type: ignore[attr-defined]
    p.locator("#privacy-form input[name=third_party_ai]:enabled").wait_for()  # type: ignore[attr-defined]
    assert _box(p, "email_tips").count() == 0  # type: ignore[attr-defined]
    never = _box(p, "third_party_ai")
    assert not never.is_checked()  # type: ignore[attr-defined]
    never.check()  # type: ignore[attr-defined]
    p.locator("#privacy-status:has-text('Saved')").wait_for()  # type: ignore[attr-defined]
    assert p.locator("#privacy-status").inner_text() == (  # type: ignore[attr-defined]
        "Saved: “Never send my content to third-party AI services” is on."
    )
    p.reload()  # type: ignore[attr-defined]
    p.locator("#privacy-form input[name=third_party_ai]:enabled").wait_for()  # type: ignore[attr-defined]
    assert _box(p, "third_party_ai").is_checked()  # type: ignore[attr-defined]
    assert _state(p, "third_party_ai") == "On"
    p.click("#privacy-history summary")  # type: ignore[attr-defined]
    assert (
        "“Never send my content to third-party AI services” off → on"
        in p.locator(  # type: ignore[attr-defined]
            "#privacy-ledger li"
        ).first.inner_text()
    )
    settings = p.evaluate("fetch('/api/v1/me/privacy').then((r) => r.json())")  # type: ignore[attr-defined]
    assert (settings["third_party_ai"], settings["is_guest"]) == (False, True)
