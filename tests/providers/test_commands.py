"""`nanobananas providers`: what is configured, checked with a cheap call; keys never printed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from nanobananas.providers.commands import cloud_configured, providers_command

SECRET = "sk-very-secret-key-0123456789"


class _Broken:
    """Not an ImageProvider: loading this alias fails with a configuration error."""


def _settings(**image: dict[str, Any]) -> Any:
    providers = {
        "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
        "fakecloud": {
            "BACKEND": "nanobananas.providers.fake.FakeCloudProvider",
            "OPTIONS": {"api_key": SECRET, "base_url": "http://127.0.0.1:9/v1", "model": "fake-cloud-2"},
        },
        **image,
    }
    return override_settings(
        AI_PROVIDERS=providers,
        NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "fakecloud", "PLANNER": "builtin"},
    )


def test_the_listing_names_each_provider_and_never_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    with _settings():
        assert providers_command(check=False, as_json=False) == 0
    out = capsys.readouterr().out
    assert SECRET not in out
    lines = out.splitlines()
    assert lines[0] == "  image   builtin    nanobananas-engine, this server, generate+edit"
    assert lines[1] == (
        "* image   fakecloud  fake-cloud-2, third-party, generate+edit+edit-many+chat, "
        "at http://127.0.0.1:9/v1, key set"
    )
    assert lines[2] == "* planner builtin    -, this server"


def test_check_reports_each_state_and_exits_1_when_one_is_broken(capsys: pytest.CaptureFixture[str]) -> None:
    broken = {"broken": {"BACKEND": "tests.providers.test_commands._Broken", "OPTIONS": {}}}
    with _settings(**broken):
        assert providers_command(check=True, as_json=True) == 1
    rows = {row["alias"]: row for row in json.loads(capsys.readouterr().out) if row["role"] == "image"}
    assert rows["builtin"]["check"] == "ok (runs on this server)"
    assert rows["fakecloud"]["check"] == "ok: fake-cloud-2"
    assert rows["broken"]["error"].startswith("cannot load: image provider 'broken'")
    assert all(SECRET not in json.dumps(row) for row in rows.values())


def test_check_passes_when_everything_answers(capsys: pytest.CaptureFixture[str]) -> None:
    with _settings():
        assert providers_command(check=True, as_json=False) == 0
    checks = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("      ")]
    assert checks == ["ok (runs on this server)", "ok: fake-cloud-2", "ok (runs on this server)"]


def test_a_provider_that_does_not_answer_fails_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    failing = {
        "fakecloud": {
            "BACKEND": "nanobananas.providers.fake.FakeCloudProvider",
            "OPTIONS": {"check_error": "the API key was refused (HTTP 401)"},
        }
    }
    with _settings(**failing):
        assert providers_command(check=True, as_json=False) == 1
    assert "      error: the API key was refused (HTTP 401)" in capsys.readouterr().out.splitlines()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"NANOBANANAS_IMAGE_PROVIDER": "builtin"}, False),
        ({"NANOBANANAS_GEMINI_API_KEY": "k"}, True),
        ({"NANOBANANAS_OPENAI_API_KEY": "k"}, True),
        ({"NANOBANANAS_IMAGE_PROVIDER": "openai"}, True),
    ],
)
def test_edit_and_create_load_settings_only_with_a_cloud_provider(environ: dict[str, str], expected: bool) -> None:
    assert cloud_configured(environ) is expected
