"""Security promises: headers on every response, a clean deploy check over HTTPS, TLS serving,
escaped user text, and no route that lets one owner reach another's things."""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import csrf_headers
from tests.live_server import server_environment

pytestmark = pytest.mark.django_db

PAGES = ["/", "/image/", "/video/", "/tools/", "/me/", "/api/v1/health", "/api/v1/docs", "/static/web/app.css"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(path: str) -> None:
    response = Client().get(path)
    assert response.status_code in {200, 302}, path
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if not path.startswith("/static/"):  # static files are served before the frame-options middleware
        assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_scripts() -> None:
    for path in ["/", "/image/", "/video/", "/tools/", "/me/"]:
        html = Client().get(path, follow=True).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"inline script on {path}: {tag}"


def _deploy_check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = server_environment(tmp_path / "home")
    env.update({"NANOBANANAS_DEBUG": "false", **extra})
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='nanobananas.config.settings'; django.setup();"
        "from django.core.management import call_command; call_command('check', deploy=True, fail_level='WARNING')"
    )
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)


def test_the_deploy_check_is_clean_when_served_over_https(tmp_path: Path) -> None:
    result = _deploy_check(
        tmp_path, NANOBANANAS_HTTPS="true", NANOBANANAS_PROXY_SSL_HEADER="X-Forwarded-Proto",
        NANOBANANAS_ALLOWED_HOSTS="studio.example.org", NANOBANANAS_CSRF_TRUSTED_ORIGINS="https://studio.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_the_deploy_check_flags_plain_http(tmp_path: Path) -> None:
    result = _deploy_check(tmp_path)
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W004" in result.stderr  # HSTS


def test_serve_tls_answers_https_with_a_self_signed_certificate(tmp_path: Path) -> None:
    from tests.live_server import start_server

    home = tmp_path / "home"
    server = start_server(home, extra_args=["--tls"], scheme="https")
    try:
        context = ssl.create_default_context(cafile=str(home / "tls" / "cert.pem"))
        context.check_hostname = False
        with urllib.request.urlopen(f"{server.url}/api/v1/health", context=context, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert oct((home / "tls" / "key.pem").stat().st_mode & 0o777) == "0o600"
    finally:
        assert server.stop() == 0


def test_user_text_is_escaped_in_pages() -> None:
    client = Client(enforce_csrf_checks=True)
    headers = csrf_headers(client)
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    client.post("/api/v1/conversations", data={"title": payload}, content_type="application/json", headers=headers)
    html = client.get("/").content.decode()
    assert payload not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def _seed_owner_a() -> dict[str, str]:
    """User A with a conversation, a job, an image and an API token; returns their ids by path parameter."""
    from nanobananas.accounts.identity import Owner
    from nanobananas.studio.conversations import conversation_create
    from nanobananas.studio.jobs import job_run
    from nanobananas.studio.models import Asset
    from nanobananas.studio.services import message_send
    from nanobananas.tokens.services import token_create

    user = get_user_model().objects.create_user(username="alice", email="alice@example.org", password="x" * 14)
    owner = Owner(user_id=user.pk)
    conversation = conversation_create(owner=owner, title="alice's secret poster")
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    assert job is not None
    job_run(job_id=job.id)
    asset = Asset.objects.get(job=job)
    token, _ = token_create(user_id=user.pk, name="alice's token", scopes=["images:write"])
    return {
        "conversation_id": str(conversation.id),
        "job_id": str(job.id),
        "asset_id": str(asset.id),
        "token_id": str(token.id),
    }


def test_no_route_lets_another_user_or_a_guest_reach_someone_elses_things() -> None:
    ids = _seed_owner_a()
    schema = Client().get("/api/v1/openapi.json").json()
    bob = get_user_model().objects.create_user(username="bob", email="bob@example.org", password="x" * 14)
    visitors: dict[str, Client] = {"guest": Client(enforce_csrf_checks=False)}
    visitors["other user"] = Client(enforce_csrf_checks=False)
    visitors["other user"].force_login(bob)
    walked = 0
    for template, operations in schema["paths"].items():
        names = re.findall(r"{(\w+)}", template)
        if not names:
            continue
        path = template
        for name in names:
            path = path.replace("{" + name + "}", ids.get(name, "00000000-0000-0000-0000-000000000000"))
        for method in operations:
            for who, client in visitors.items():
                response = getattr(client, method)(path, content_type="application/json")
                walked += 1
                assert response.status_code >= 400, f"{who} got {response.status_code} for {method.upper()} {path}"
                body = response.content
                assert b"alice" not in body, f"{who} saw alice's data via {method.upper()} {path}"
    assert walked >= 20
    # Lists answer, but with nothing of alice's.
    for who, client in visitors.items():
        for listing in ["/api/v1/conversations", "/api/v1/tokens"]:
            assert b"alice" not in client.get(listing).content, (who, listing)
