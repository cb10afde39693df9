"""Fixtures for provider tests: local servers that speak the cloud APIs' REST shapes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.providers.gemini_server import GeminiServer
from tests.providers.openai_server import OpenAIServer


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """An OpenAI REST look-alike on 127.0.0.1; point the SDK at `openai_server.base_url`."""
    server = OpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def gemini_server() -> Iterator[GeminiServer]:
    """A Gemini REST look-alike on 127.0.0.1; point the SDK at `gemini_server.url` (key `gemini_server.api_key`)."""
    server = GeminiServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
