"""Shared fixtures: service availability (PostgreSQL, Redis), API clients, huey storages."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 0), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, url: str) -> None:
    """Skip on a developer machine without the service; in CI a missing service is a failure."""
    if reachable(url):
        return
    message = f"{name} is not reachable at {url}"
    if IN_CI:
        pytest.fail(f"{message}; CI must run these tests (.ci/run starts it)")
    pytest.skip(f"{message}; start it to run these tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.TEST_DATABASE == "postgresql" and not reachable(settings.POSTGRES_URL):
        reason = f"PostgreSQL is not reachable at {settings.POSTGRES_URL}"
        if IN_CI:
            raise pytest.UsageError(f"{reason}; CI must run the PostgreSQL tests")
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def isolated_storage(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test writes its blobs into its own folder, so checks of what is on disk see only its own."""
    storages = {**settings.STORAGES}
    default = {**storages["default"], "OPTIONS": {**storages["default"].get("OPTIONS", {})}}
    default["OPTIONS"]["location"] = str(tmp_path_factory.mktemp("blobs"))
    storages["default"] = default
    settings.STORAGES = storages


def blob_path(name: str) -> Path:
    """Where a blob's (encrypted) bytes lie on disk."""
    from django.core.files.storage import default_storage

    inner = getattr(default_storage, "inner", default_storage)
    return Path(inner.path(name))


def blob_root() -> Path:
    from django.core.files.storage import default_storage

    inner = getattr(default_storage, "inner", default_storage)
    return Path(inner.location)


@pytest.fixture
def guest_client() -> Client:
    """A browser without an account; CSRF is enforced as in production."""
    return Client(enforce_csrf_checks=True)


def csrf_headers(client: Client) -> dict[str, str]:
    """Fetch a page that sets the CSRF cookie and return the header the page's script would send."""
    client.get("/image/")
    return {"X-CSRFToken": client.cookies["csrftoken"].value}


def pytest_report_header(config: pytest.Config) -> str:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"nanobananas: database={engine} (NANOBANANAS_TEST_DATABASE={settings.TEST_DATABASE})"
