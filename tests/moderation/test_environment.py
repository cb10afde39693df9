"""The content review variables: defaults, overrides, and a clear error for a bad number."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from nanobananas.config.environment import read_environment

NAMES = [
    "NANOBANANAS_MODERATION_THROTTLE_BLOCKS",
    "NANOBANANAS_MODERATION_THROTTLE_MINUTES",
    "NANOBANANAS_MODERATION_HASH_DISTANCE",
    "NANOBANANAS_MODERATION_URL",
    "NANOBANANAS_MODERATION_API_KEY",
    "NANOBANANAS_MODERATION_MODEL",
    "NANOBANANAS_MODERATION_APPEAL_CONTACT",
    "NANOBANANAS_REVIEW_RETENTION_DAYS",
]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NANOBANANAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NANOBANANAS_SECRET_KEY", "k" * 50)


def test_defaults(clean_env: None) -> None:
    env = read_environment()
    assert (env.moderation_throttle_blocks, env.moderation_throttle_minutes) == (5, 60)
    assert env.moderation_hash_distance == 10
    assert (env.moderation_url, env.moderation_api_key) == (None, None)
    assert env.moderation_model == "omni-moderation-latest"
    assert env.moderation_appeal_contact == ""
    assert env.review_retention_days == 365


def test_overrides(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "NANOBANANAS_MODERATION_THROTTLE_BLOCKS": "3",
        "NANOBANANAS_MODERATION_THROTTLE_MINUTES": "15",
        "NANOBANANAS_MODERATION_HASH_DISTANCE": "6",
        "NANOBANANAS_MODERATION_URL": "http://127.0.0.1:9/v1",
        "NANOBANANAS_MODERATION_API_KEY": "sk-test",
        "NANOBANANAS_MODERATION_MODEL": "text-moderation-stable",
        "NANOBANANAS_MODERATION_APPEAL_CONTACT": "appeals@example.org",
        "NANOBANANAS_REVIEW_RETENTION_DAYS": "90",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    env = read_environment()
    assert (env.moderation_throttle_blocks, env.moderation_throttle_minutes, env.moderation_hash_distance) == (3, 15, 6)
    assert (env.moderation_url, env.moderation_api_key) == ("http://127.0.0.1:9/v1", "sk-test")
    assert (env.moderation_model, env.moderation_appeal_contact) == ("text-moderation-stable", "appeals@example.org")
    assert env.review_retention_days == 90


def test_a_bad_number_names_the_variable(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANOBANANAS_MODERATION_THROTTLE_BLOCKS", "five")
    with pytest.raises(ValueError, match="NANOBANANAS_MODERATION_THROTTLE_BLOCKS must be an integer"):
        read_environment()


def test_the_default_checks_are_the_built_in_ones() -> None:
    assert settings.MODERATION_CHECKS == [
        "nanobananas.moderation.checks.TermListCheck",
        "nanobananas.moderation.checks.BlocklistCheck",
        "nanobananas.moderation.checks.PersonalDataCheck",
        "nanobananas.moderation.checks.KnownImageCheck",
    ]
    assert settings.NANOBANANAS["MODERATION_THROTTLE_BLOCKS"] == 5
