"""The first load of AI Image in Chromium: under 200 KB transferred, every static file hashed and cached a year."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Server

BUDGET_BYTES = 200 * 1024
YEAR_SECONDS = 365 * 24 * 60 * 60
HASHED_NAME = re.compile(r"^/static/.+\.[0-9a-f]{12}\.[a-z0-9]+$")


def _first_load(page: Any, url: str) -> tuple[dict[str, int], dict[str, dict[str, str]]]:
    """Bytes on the wire per request (headers and compressed body, as Chromium counts them) and response headers."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    headers: dict[str, dict[str, str]] = {}
    transferred: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))

    def received(event: dict[str, Any]) -> None:
        headers[event["response"]["url"]] = {k.lower(): v for k, v in event["response"]["headers"].items()}

    def finished(event: dict[str, Any]) -> None:
        transferred[urls[event["requestId"]]] = int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(300)
    return transferred, headers


def test_first_load_of_ai_image_is_small_and_static_files_are_hashed_and_immutable(
    studio_server: Server, page: Any
) -> None:
    transferred, headers = _first_load(page, f"{studio_server.url}/image/")
    prefix = studio_server.url
    static = [u.removeprefix(prefix) for u in transferred if u.startswith(f"{prefix}/static/")]
    assert {"/static/web/app.css", "/static/web/image.js"} <= {re.sub(r"\.[0-9a-f]{12}\.", ".", s) for s in static}
    assert not [u for u in transferred if not u.startswith(prefix)], "no third-party resource"
    total = sum(transferred.values())
    assert 0 < total < BUDGET_BYTES, f"{total} bytes transferred: {sorted(transferred.items(), key=lambda i: -i[1])}"
    for path in static:
        assert HASHED_NAME.match(path), f"{path} is not served under a hashed name"
        cache = headers[prefix + path]["cache-control"]
        max_age = int(re.search(r"max-age=(\d+)", cache).group(1))  # type: ignore[union-attr]
        assert max_age >= YEAR_SECONDS, f"{path}: {cache}"
        assert "immutable" in cache, f"{path}: {cache}"
        if path.endswith((".css", ".js")):
            assert headers[prefix + path].get("content-encoding") in {"gzip", "br"}, f"{path} sent uncompressed"
