"""How the environment reader takes each kind of value: empty values, flags, lists and dependent defaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nanobananas.config.environment import read_environment


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("NANOBANANAS_") or name.lower().startswith("nanobananas_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NANOBANANAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NANOBANANAS_SECRET_KEY", "k" * 50)


def test_an_empty_value_is_the_default_for_numbers_and_text_and_off_for_flags(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ["MAX_PROMPT_CHARS", "OPENAI_IMAGE_MODEL", "DATABASE_URL", "RATE_LIMITS", "ALLOWED_HOSTS"]:
        monkeypatch.setenv(f"NANOBANANAS_{name}", "")
    env = read_environment()
    assert env.max_prompt_chars == 4000
    assert env.openai_image_model == "gpt-image-1"
    assert env.database_url is None
    assert env.rate_limits is False
    assert env.allowed_hosts == []


def test_flags_take_every_spelling(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for word, expected in [("1", True), (" YES ", True), ("On", True), ("true", True), ("off", False), ("No", False)]:
        monkeypatch.setenv("NANOBANANAS_HTTPS", word)
        assert read_environment().https is expected


def test_numbers_are_whole_numbers(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANOBANANAS_PURGE_BATCH", " 250 ")
    assert read_environment().purge_batch == 250
    monkeypatch.setenv("NANOBANANAS_PURGE_BATCH", "2.5")
    with pytest.raises(ValueError, match=r"^NANOBANANAS_PURGE_BATCH must be an integer; got '2.5'$"):
        read_environment()


def test_the_providers_follow_their_keys_unless_named(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    env = read_environment()
    assert (env.image_provider, env.billing_provider) == ("builtin", "offline")
    monkeypatch.setenv("NANOBANANAS_GEMINI_API_KEY", "g-key")
    monkeypatch.setenv("NANOBANANAS_STRIPE_SECRET_KEY", "sk_test_1")
    env = read_environment()
    assert (env.image_provider, env.billing_provider) == ("gemini", "stripe")
    monkeypatch.setenv("NANOBANANAS_IMAGE_PROVIDER", "builtin")
    monkeypatch.setenv("NANOBANANAS_BILLING_PROVIDER", "offline")
    env = read_environment()
    assert (env.image_provider, env.billing_provider) == ("builtin", "offline")


def test_names_are_read_exactly_as_spelled(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("nanobananas_debug", "yes")
    monkeypatch.setenv("NANOBANANAS_debug", "yes")
    assert read_environment().debug is False


def test_a_mail_url_of_another_scheme_is_refused(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANOBANANAS_SMTP_URL", "smtp+tls://mailer:secret@mail.example.org")
    assert read_environment().smtp_url == "smtp+tls://mailer:secret@mail.example.org"
    monkeypatch.setenv("NANOBANANAS_SMTP_URL", "http://mail.example.org")
    with pytest.raises(
        ValueError, match=r"^NANOBANANAS_SMTP_URL must start with smtp://, smtp\+tls:// or smtps://; got 'http'$"
    ):
        read_environment()


def test_the_environment_cannot_be_changed_once_read(clean_env: None) -> None:
    env = read_environment()
    with pytest.raises(ValueError, match="frozen"):
        env.debug = True  # type: ignore[misc]  # the point: assignment is refused
