"""Fixtures of the analytics tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what waits for the commit (the event tasks) at the end of the `with` block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
