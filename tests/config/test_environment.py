"""The environment is read in one place; the secret key is generated once and kept private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from nanobananas.config.environment import read_environment


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in [
        "NANOBANANAS_SECRET_KEY",
        "NANOBANANAS_DEBUG",
        "NANOBANANAS_DATABASE_URL",
        "NANOBANANAS_REDIS_URL",
        "NANOBANANAS_ALLOWED_HOSTS",
        "NANOBANANAS_IMAGE_PROVIDER",
        "NANOBANANAS_MAX_PROMPT_CHARS",
    ]:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("NANOBANANAS_HOME", str(home))
    return home


def test_defaults_create_the_data_dir_and_a_private_secret_key(clean_env: Path) -> None:
    env = read_environment()
    assert env.home == clean_env.resolve()
    assert env.database_url is None
    assert env.redis_url is None
    assert env.debug is False
    assert env.image_provider == "builtin"
    key_file = clean_env / "secret_key"
    assert key_file.read_text() == env.secret_key
    assert len(env.secret_key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_generated_secret_key_is_stable_across_restarts(clean_env: Path) -> None:
    assert read_environment().secret_key == read_environment().secret_key


def test_a_configured_secret_key_wins_and_nothing_is_written(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANOBANANAS_SECRET_KEY", "from-the-environment")
    assert read_environment().secret_key == "from-the-environment"
    assert not (clean_env / "secret_key").exists()


def test_urls_and_flags_are_read(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NANOBANANAS_DATABASE_URL", "postgres://u@db:5432/n")
    monkeypatch.setenv("NANOBANANAS_REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("NANOBANANAS_DEBUG", "yes")
    monkeypatch.setenv("NANOBANANAS_ALLOWED_HOSTS", "studio.example.org, 10.0.0.5")
    env = read_environment()
    assert env.database_url == "postgres://u@db:5432/n"
    assert env.redis_url == "redis://cache:6379/0"
    assert env.debug is True
    assert env.allowed_hosts == ["studio.example.org", "10.0.0.5"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NANOBANANAS_DEBUG", "maybe", "NANOBANANAS_DEBUG must be one of"),
        ("NANOBANANAS_MAX_PROMPT_CHARS", "lots", "NANOBANANAS_MAX_PROMPT_CHARS must be an integer"),
    ],
)
def test_bad_values_name_the_variable(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        read_environment()


def test_no_proxy_is_trusted_unless_named(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NANOBANANAS_TRUSTED_PROXIES", raising=False)
    assert read_environment().trusted_proxies == []
    monkeypatch.setenv("NANOBANANAS_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/8 ,")
    assert read_environment().trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]


def test_the_data_dir_is_created_owner_only(clean_env: Path) -> None:
    read_environment()
    assert stat.S_IMODE(clean_env.stat().st_mode) == 0o700
    assert stat.S_IMODE((clean_env / "secret_key").stat().st_mode) == 0o600
