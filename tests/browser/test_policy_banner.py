"""A new privacy policy in the browser: the notice email goes out, the banner shows, Accept records it and the
banner is gone; the History page finds an image by its prompt and opens its chat."""

from __future__ import annotations

import email
import json
import subprocess
import sys
import time

from tests.live_server import Server, server_environment

SETUP = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
"""
CREATE_USER = (
    SETUP
    + """
from django.contrib.auth import get_user_model
get_user_model().objects.create_user(username="pia", email="pia@example.org", password="policies change 4")
"""
)
PUBLISH = (
    SETUP
    + """
from nanobananas.policies.models import PolicyDocument
from nanobananas.policies.services import policy_publish
document = PolicyDocument.objects.create(
    kind="privacy", version="2", title="Privacy policy", body="# What changed\\n\\nAnalytics start switched off.",
    summary="Analytics are now off by default.",
)
policy_publish(document=document, by=None, link_base=os.environ["LINK_BASE"])
"""
)
ACCEPTANCES = (
    SETUP
    + """
import json
from nanobananas.policies.models import PolicyAcceptance
rows = PolicyAcceptance.objects.filter(user__username="pia").values_list("document__version", "how")
print(json.dumps(sorted([version, how] for version, how in rows)))
"""
)
NOTICE_SENT = (
    SETUP
    + """
from nanobananas.policies.models import PolicyNotice
print(PolicyNotice.objects.filter(user__username="pia", sent_at__isnull=False).count())
"""
)


def _run(server: Server, script: str) -> str:
    env = {**server_environment(server.home), "LINK_BASE": server.url + "/"}
    return subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout


def _notice_mail(server: Server, timeout: float = 60) -> email.message.Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((server.home / "mail").glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes())
            if message["To"] == "pia@example.org" and "privacy policy" in message["Subject"]:
                return message
        time.sleep(0.2)
    raise AssertionError("the policy notice email was not written")


def test_banner_after_a_publish_until_accepted(studio_server: Server, page: object) -> None:
    p = page
    _run(studio_server, CREATE_USER)
    p.goto(f"{studio_server.url}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "pia")  # type: ignore[attr-defined]
    p.fill("#id_password", "policies change 4")  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/")  # type: ignore[attr-defined]
    assert p.locator("form.policy-banner").count() == 0  # type: ignore[attr-defined]

    _run(studio_server, PUBLISH)
    notice = _notice_mail(studio_server)
    assert notice["Subject"] == "We updated our privacy policy (version 2)"
    assert f"{studio_server.url}/privacy/versions/2/" in notice.get_payload()  # type: ignore[operator]
    deadline = time.monotonic() + 30
    while _run(studio_server, NOTICE_SENT).strip() != "1":  # the worker marks it sent right after writing it
        assert time.monotonic() < deadline, "the notice was never marked as sent"
        time.sleep(0.2)

    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    banner = p.locator("form.policy-banner")  # type: ignore[attr-defined]
    banner.wait_for(state="visible")
    assert "We updated our privacy policy (version 2): Analytics are now off by default." in banner.inner_text()
    # The notice had reached the user, so this visit already counts as continued use.
    assert json.loads(_run(studio_server, ACCEPTANCES)) == [["2", "continued_use"]]

    banner.locator("button:has-text('Accept')").click()
    banner.wait_for(state="detached")
    assert json.loads(_run(studio_server, ACCEPTANCES)) == [["2", "clicked"], ["2", "continued_use"]]
    p.reload()  # type: ignore[attr-defined]
    assert p.locator("form.policy-banner").count() == 0  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/privacy/")  # type: ignore[attr-defined]
    assert "Version 2, in force since" in p.locator("[data-testid=policy-version]").inner_text()  # type: ignore[attr-defined]

    # History: the image made from a prompt is found by a word of it, and its row opens the chat.
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for the Lighthouse Café")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result").wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/history/")  # type: ignore[attr-defined]
    p.locator("#history-list li").first.wait_for()  # type: ignore[attr-defined]
    p.fill("#history-q", "lighthouse cafe")  # type: ignore[attr-defined]
    p.click("#history-form button[type=submit]")  # type: ignore[attr-defined]
    row = p.locator("#history-list li")  # type: ignore[attr-defined]
    row.first.wait_for()
    assert row.count() == 1
    assert "a poster for the Lighthouse Café" in row.first.inner_text()
    assert "made on this server" in row.first.inner_text()
    assert not p.locator("#history-more").is_visible()  # type: ignore[attr-defined]
    p.fill("#history-q", "submarine")  # type: ignore[attr-defined]
    p.click("#history-form button[type=submit]")  # type: ignore[attr-defined]
    p.locator("#history-empty").wait_for(state="visible")  # type: ignore[attr-defined]
    p.fill("#history-q", "lighthouse")  # type: ignore[attr-defined]
    p.click("#history-form button[type=submit]")  # type: ignore[attr-defined]
    p.locator("#history-list a.history-chat").first.click()  # type: ignore[attr-defined]
    p.locator("img.result").wait_for(state="visible", timeout=30_000)  # type: ignore[attr-defined]
    assert "/image/#" in p.url  # type: ignore[attr-defined]
