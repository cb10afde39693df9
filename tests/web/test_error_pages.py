"""Error pages in the site's frame, with the navigation and a way back; the API keeps its JSON errors."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from nanobananas.web.views import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_404_with_the_navigation_and_a_way_home() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 id="error-title">Page not found</h1>' in html
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r'href="([^"]+)"', nav) == ["/", "/image/", "/video/", "/tools/", "/me/"]
    assert '<a class="button primary" href="/">Back to Home</a>' in html


def test_the_500_page_renders_without_the_database_and_offers_the_way_home() -> None:
    with CaptureQueriesContext(connection) as queries:
        response = server_error(RequestFactory().get("/image/"))
    assert response.status_code == 500
    assert len(queries) == 0
    html = response.content.decode()
    assert '<h1 id="error-title">Something went wrong</h1>' in html
    assert '<a class="button primary" href="/">Back to Home</a>' in html
    assert '<nav aria-label="Main">' in html


def test_an_api_server_error_stays_json() -> None:
    response = server_error(RequestFactory().get("/api/v1/conversations"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == (
        b'{"error": {"code": "internal_error", "message": "Something went wrong on the server. Try again."}}'
    )


def test_a_404_under_another_api_version_is_json_too() -> None:
    response = Client().get("/api/v2/anything")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
