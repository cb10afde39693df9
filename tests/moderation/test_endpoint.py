"""The optional moderation endpoint: an OpenAI-compatible POST /v1/moderations, here a tiny local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from nanobananas.moderation.checks import ModerationEndpointCheck
from nanobananas.moderation.review import review_text

CATEGORY_NAMES = [
    "sexual", "sexual/minors", "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "violence", "violence/graphic",
]  # fmt: skip


def _result(flags: dict[str, float]) -> dict[str, Any]:
    return {
        "flagged": bool(flags),
        "categories": {name: name in flags for name in CATEGORY_NAMES},
        "category_scores": {name: flags.get(name, 0.001) for name in CATEGORY_NAMES},
        "category_applied_input_types": {name: ["text"] for name in CATEGORY_NAMES},
    }


class _Moderations(BaseHTTPRequestHandler):
    answers: dict[str, dict[str, float]] = {
        "graphic": {"violence": 0.7, "violence/graphic": 0.93},
        "mild": {"harassment": 0.61},
    }
    seen: list[dict[str, Any]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path != "/v1/moderations":
            self.send_response(404)
            self.end_headers()
            return
        if "explode" in body["input"]:
            self.send_response(400)
            payload = {"error": {"message": "bad", "type": "invalid_request_error", "code": None, "param": None}}
        else:
            flags = next((v for k, v in self.answers.items() if k in body["input"]), {})
            self.send_response(200)
            payload = {"id": "modr-1", "model": body.get("model", ""), "results": [_result(flags)]}
        data = json.dumps(payload).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def moderation_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Moderations)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Moderations.seen.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_endpoint_verdicts_map_into_our_categories(moderation_url: str) -> None:
    check = ModerationEndpointCheck(base_url=moderation_url, api_key="sk-local", model="omni-moderation-latest")
    results = {r.category: r for r in check.review_text("a graphic scene", owner=None)}
    assert set(results) == {"graphic_violence", "violence"}
    assert (results["graphic_violence"].action.label, results["graphic_violence"].score) == ("block", 0.93)
    assert results["graphic_violence"].rule == "endpoint:violence/graphic"
    assert results["violence"].action.label == "flag"
    mild = check.review_text("a mild insult", owner=None)
    assert [(r.category, r.action.label) for r in mild] == [("harassment", "flag")]
    assert check.review_text("a lighthouse", owner=None) == []
    assert _Moderations.seen[0] == {
        "path": "/v1/moderations",
        "auth": "Bearer sk-local",
        "body": {"input": "a graphic scene", "model": "omni-moderation-latest"},
    }


def test_an_endpoint_error_leaves_the_built_in_checks_to_decide(moderation_url: str) -> None:
    check = ModerationEndpointCheck(base_url=moderation_url, api_key="sk-local", timeout=5)
    assert check.review_text("explode please", owner=None) == []


@pytest.mark.django_db
def test_the_endpoint_runs_in_the_pipeline_when_configured(moderation_url: str, settings: Any) -> None:
    settings.MODERATION_CHECKS = [
        *settings.MODERATION_CHECKS,
        {"NAME": "nanobananas.moderation.checks.ModerationEndpointCheck",
         "OPTIONS": {"base_url": moderation_url, "api_key": "sk-local"}},
    ]  # fmt: skip
    verdict = review_text("a graphic scene", owner=None)
    assert verdict.blocked
    assert verdict.category == "graphic_violence"
    assert len(_Moderations.seen) == 1


def test_an_unusable_check_path_names_itself(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from nanobananas.moderation.checks import moderation_checks

    settings.MODERATION_CHECKS = ["nanobananas.moderation.checks.NoSuchCheck"]
    with pytest.raises(ImproperlyConfigured, match="NoSuchCheck"):
        moderation_checks()
    settings.MODERATION_CHECKS = ["nanobananas.moderation.verdict.Verdict"]
    with pytest.raises(ImproperlyConfigured, match="is not a moderation Check"):
        moderation_checks()
