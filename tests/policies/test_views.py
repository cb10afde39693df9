"""The policy pages render the version in force from the database, with its date, and link earlier versions."""

from __future__ import annotations

import pytest
from django.test import Client

from nanobananas.policies.models import PolicyDocument
from tests.policies.conftest import published

pytestmark = pytest.mark.django_db


def test_the_pages_render_the_shipped_first_versions() -> None:
    privacy = Client().get("/privacy/")
    assert privacy.status_code == 200
    html = privacy.content.decode()
    assert "<h1>Privacy policy</h1>" in html
    assert "Version 1, in force since Nov. 30, 2026" in html
    assert "<h2>How long we keep it</h2>" in html
    assert "All versions" not in html  # only one version so far
    terms = Client().get("/terms/").content.decode()
    assert "<h1>Terms of use</h1>" in terms
    assert "<h2>What is not allowed</h2>" in terms


def test_a_new_version_replaces_the_page_and_the_old_one_stays_readable() -> None:
    published(version="2")
    html = Client().get("/privacy/").content.decode()
    assert "Version 2, in force since" in html
    assert "<strong>What changed:</strong> Analytics are now off by default." in html
    assert "<p>Version 2 text.</p>" in html
    assert '<a href="/privacy/versions/1/">Version 1</a>, Nov. 30, 2026' in html
    old = Client().get("/privacy/versions/1/").content.decode()
    assert "Version 1, in force since Nov. 30, 2026 — an earlier version" in old
    assert '<a href="/privacy/">read the current version 2</a>' in old
    assert "<h2>How long we keep it</h2>" in old


def test_drafts_and_unknown_versions_are_404() -> None:
    PolicyDocument.objects.create(kind="privacy", version="draft-3", title="Privacy policy", body="secret draft")
    assert Client().get("/privacy/versions/draft-3/").status_code == 404
    assert Client().get("/privacy/versions/9/").status_code == 404
    assert Client().get("/cookies/versions/1/").status_code == 404
    assert "secret draft" not in Client().get("/privacy/").content.decode()


def test_html_stored_in_a_version_is_shown_as_text() -> None:
    document = PolicyDocument.objects.create(
        kind="terms", version="2", title="Terms <b>bold</b>", body="<script>alert(1)</script>"
    )
    from nanobananas.policies.services import policy_publish

    policy_publish(document=document, by=None)
    html = Client().get("/terms/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Terms &lt;b&gt;bold&lt;/b&gt;" in html


def test_every_page_links_the_policies_in_the_footer() -> None:
    html = Client().get("/").content.decode()
    assert '<a href="/privacy/">Privacy policy</a>' in html
    assert '<a href="/terms/">Terms of use</a>' in html
