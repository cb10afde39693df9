"""Me -> API tokens in the browser: create one (shown once), it works with the OpenAI SDK, revoke it."""

from __future__ import annotations

import subprocess
import sys

from playwright.sync_api import expect

from tests.live_server import Server, server_environment

CREATE_USER = """
import os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "nanobananas.config.settings"
django.setup()
from django.contrib.auth import get_user_model
get_user_model().objects.create_user(username="tess", email="tess@example.org", password="tokens are secrets 7")
"""


def test_create_use_and_revoke_a_token_on_the_me_page(studio_server: Server, page: object) -> None:
    import openai

    subprocess.run([sys.executable, "-c", CREATE_USER], env=server_environment(studio_server.home), check=True)
    p = page
    p.goto(f"{studio_server.url}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "tess")  # type: ignore[attr-defined]
    p.fill("#id_password", "tokens are secrets 7")  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/me/")  # type: ignore[attr-defined]
    assert p.locator("[data-testid=stored]").inner_text() == "No images stored right now."  # type: ignore[attr-defined]

    p.fill("#token-name", "my script")  # type: ignore[attr-defined]
    p.click("#token-form button")  # type: ignore[attr-defined]
    secret_box = p.locator("#token-secret")  # type: ignore[attr-defined]
    secret_box.wait_for(state="visible")
    secret = p.inner_text("#token-value")  # type: ignore[attr-defined]
    assert secret.startswith("nb_")
    p.context.grant_permissions(["clipboard-read", "clipboard-write"])  # type: ignore[attr-defined]
    p.click("#token-copy")  # type: ignore[attr-defined]
    expect(p.locator("#token-copy")).to_have_text("Copied")  # type: ignore[attr-defined]
    assert p.evaluate("navigator.clipboard.readText()") == secret  # type: ignore[attr-defined]
    p.locator("#token-list li").first.wait_for()  # type: ignore[attr-defined]
    assert "my script" in p.locator("#token-list li").first.inner_text()  # type: ignore[attr-defined]

    with openai.OpenAI(base_url=f"{studio_server.url}/v1", api_key=secret, max_retries=0, timeout=120) as client:
        made = client.images.generate(prompt="a poster for a tea shop", size="256x256")
        assert made.data[0].b64_json
        p.click("#token-list li button:has-text('Revoke')")  # type: ignore[attr-defined]
        p.locator("#token-list li:has-text('revoked')").wait_for()  # type: ignore[attr-defined]
        try:
            client.images.generate(prompt="a poster for a tea shop")
        except openai.AuthenticationError:
            pass
        else:
            raise AssertionError("a revoked token still works")
    p.reload()  # type: ignore[attr-defined]
    assert "1 image stored" in p.locator("[data-testid=stored]").inner_text()  # type: ignore[attr-defined]


def test_export_my_data_from_the_me_page(studio_server: Server, page: object) -> None:
    import json
    import zipfile

    script = CREATE_USER.replace('"tess"', '"uma"').replace("tess@example.org", "uma@example.org")
    subprocess.run([sys.executable, "-c", script], env=server_environment(studio_server.home), check=True)
    p = page
    p.goto(f"{studio_server.url}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "uma")  # type: ignore[attr-defined]
    p.fill("#id_password", "tokens are secrets 7")  # type: ignore[attr-defined]
    p.click("button:has-text('Sign in')")  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a book club")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result").wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]

    p.goto(f"{studio_server.url}/me/")  # type: ignore[attr-defined]
    p.click("#export-start")  # type: ignore[attr-defined]
    link = p.locator("#export-download")  # type: ignore[attr-defined]
    link.wait_for(state="visible", timeout=60_000)
    with p.expect_download() as download_info:  # type: ignore[attr-defined]
        link.click()
    bundle = zipfile.ZipFile(download_info.value.path())
    manifest = json.loads(bundle.read("manifest.json"))
    files = {entry["path"] for entry in manifest["files"]}
    assert any(name.startswith("images/") and name.endswith(".png") for name in files), files
    assert any(name.startswith("conversations/") for name in files), files
    assert "book club" in "".join(bundle.read(n).decode() for n in files if n.startswith("conversations/"))
