"""The real `nanobananas` process with a cloud provider configured by environment variables only,
talking to a local server that speaks the provider's REST API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.providers.gemini_server import GeminiServer, image_reply
from tests.providers.openai_server import API_KEY, OpenAIServer, moderation_blocked, server_error


def _run(server: OpenAIServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NANOBANANAS_", "DJANGO_SETTINGS"))}
    env.update(
        {
            "NANOBANANAS_HOME": str(tmp_path / "home"),
            "NANOBANANAS_OPENAI_API_KEY": API_KEY,
            "NANOBANANAS_OPENAI_BASE_URL": server.base_url,
            "NANOBANANAS_IMAGE_PROVIDER": "openai",
            "NANOBANANAS_PROVIDER_RETRIES": "1",
            "NANOBANANAS_PROVIDER_TIMEOUT_SECONDS": "20",
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _picture(tmp_path: Path) -> Path:
    path = tmp_path / "in.png"
    Image.new("RGB", (80, 60), (200, 30, 30)).save(path)
    return path


def test_edit_with_a_provider_configured_does_the_generative_edit(openai_server: OpenAIServer, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    result = _run(
        openai_server, tmp_path, "edit", str(_picture(tmp_path)), "replace the red ball with a cat", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "made with OpenAI GPT Image 1" in result.stderr
    [request] = openai_server.posts("/v1/images/edits")
    assert request.field_value("prompt") == "replace the red ball with a cat"
    with Image.open(out) as written:
        assert written.format == "PNG"


def test_edit_the_engine_can_do_never_calls_the_provider(openai_server: OpenAIServer, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    result = _run(openai_server, tmp_path, "edit", str(_picture(tmp_path)), "make it black and white", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert openai_server.requests == []


def test_a_refusal_exits_5_and_a_failure_6_and_nothing_is_written(openai_server: OpenAIServer, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    openai_server.script(moderation_blocked())
    refused = _run(openai_server, tmp_path, "create", "a photo of a fox", "-o", str(out))
    assert refused.returncode == 5, refused.stderr
    assert "refused (moderation_blocked)" in refused.stderr
    openai_server.script(server_error(), server_error())
    failed = _run(openai_server, tmp_path, "create", "a photo of a fox", "-o", str(out))
    assert failed.returncode == 6, failed.stderr
    assert not out.exists()


def test_providers_check_reports_each_provider(openai_server: OpenAIServer, tmp_path: Path) -> None:
    result = _run(openai_server, tmp_path, "providers", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: gpt-image-1" in result.stdout
    assert API_KEY not in result.stdout + result.stderr


def test_edit_with_gemini_configured_by_its_key_alone(gemini_server: GeminiServer, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("NANOBANANAS_", "DJANGO_SETTINGS"))}
    env.update(
        {
            "NANOBANANAS_HOME": str(tmp_path / "home"),
            "NANOBANANAS_GEMINI_API_KEY": gemini_server.api_key,
            "NANOBANANAS_GEMINI_BASE_URL": gemini_server.url,
        }
    )
    gemini_server.script(image_reply(Image.new("RGB", (80, 60), (10, 120, 240))))
    out = tmp_path / "cat.png"
    command = ["edit", str(_picture(tmp_path)), "replace the red ball with a cat", "-o", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", *command], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "made with Gemini 2.5 Flash Image" in result.stderr
    [call] = gemini_server.calls(":generateContent")
    assert call.path == "/v1beta/models/gemini-2.5-flash-image:generateContent"
    assert call.json["contents"][-1]["parts"][-1] == {"text": "replace the red ball with a cat"}
    with Image.open(out) as written:
        assert written.getpixel((0, 0)) == (10, 120, 240)
