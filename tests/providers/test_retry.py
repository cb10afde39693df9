"""One retry policy for every cloud caller: the same failures give the same waits and tries for each of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from nanobananas.providers.base import ProviderError
from nanobananas.providers.gemini import GeminiProvider
from nanobananas.providers.llm_planner import GeminiPlanner, OpenAIChatPlanner
from nanobananas.providers.openai_images import OpenAIImageProvider
from nanobananas.providers.retry import RetryPolicy
from tests.providers import gemini_server as gemini
from tests.providers import openai_server as openai

BRIGHTER = {"steps": [{"op": "brightness", "params": {"amount": 0.3}}]}
SIZE = (64, 48)


def no_progress(percent: int, stage: str) -> None:
    assert 0 <= percent <= 100


@dataclass
class Caller:
    """One cloud caller against its local server: scripts a failure, runs once, counts the requests sent."""

    name: str
    fail: Callable[[int], None]
    ask_to_wait: Callable[[str], None]
    succeed: Callable[[], None]
    hang: Callable[[], None]
    run: Callable[..., Any]
    requests: Callable[[], int]
    sleeps: list[float]


def gemini_image(server: gemini.GeminiServer, sleeps: list[float]) -> Caller:
    def run(**options: Any) -> Any:
        settings = {"api_key": server.api_key, "base_url": server.url, "timeout": 10, "sleep": sleeps.append}
        return GeminiProvider(**{**settings, **options}).generate(prompt="a cat", progress=no_progress)

    return Caller(
        name="gemini image",
        fail=lambda status: server.script(gemini.server_error(status)),
        ask_to_wait=lambda seconds: server.script(gemini.rate_limited(retry_after=seconds)),
        succeed=lambda: server.script(gemini.image_reply(Image.new("RGB", (8, 8), "red"))),
        hang=lambda: server.script(gemini.hang(3)),
        run=run,
        requests=lambda: len(server.calls(":generateContent")),
        sleeps=sleeps,
    )


def gemini_planner(server: gemini.GeminiServer, sleeps: list[float]) -> Caller:
    server.models.add("gemini-2.5-flash")
    call = {"functionCall": {"name": "run_plan", "args": BRIGHTER}}
    answer = {"candidates": [{"content": {"role": "model", "parts": [call]}, "finishReason": "STOP", "index": 0}]}

    def run(**options: Any) -> Any:
        settings = {"api_key": gemini.API_KEY, "base_url": server.url, "timeout": 10, "sleep": sleeps.append}
        decision = GeminiPlanner(**{**settings, **options}).decide("make it brighter", image_size=SIZE)
        if decision.fallback:
            raise ProviderError(decision.fallback)
        return decision

    return Caller(
        name="gemini planner",
        fail=lambda status: server.script(gemini.server_error(status)),
        ask_to_wait=lambda seconds: server.script(gemini.rate_limited(retry_after=seconds)),
        succeed=lambda: server.script(gemini.Reply(answer)),
        hang=lambda: server.script(gemini.hang(3)),
        run=run,
        requests=lambda: len(server.calls(":generateContent")),
        sleeps=sleeps,
    )


def openai_image(server: openai.OpenAIServer, sleeps: list[float]) -> Caller:
    def run(**options: Any) -> Any:
        settings = {"api_key": openai.API_KEY, "base_url": server.base_url, "timeout": 10, "sleep": sleeps.append}
        return OpenAIImageProvider(**{**settings, **options}).generate(prompt="a cat", progress=no_progress)

    return Caller(
        name="openai image",
        fail=lambda status: server.script(openai.server_error(status)),
        ask_to_wait=lambda seconds: server.script(openai.rate_limited(seconds)),
        succeed=lambda: server.script(openai.ok_image()),
        hang=lambda: server.script(openai.hang()),
        run=run,
        requests=lambda: len(server.posts("/v1/images/generations")),
        sleeps=sleeps,
    )


def openai_planner(server: openai.OpenAIServer, sleeps: list[float]) -> Caller:
    def run(**options: Any) -> Any:
        settings = {"api_key": openai.API_KEY, "base_url": server.base_url, "timeout": 10, "sleep": sleeps.append}
        decision = OpenAIChatPlanner(**{**settings, **options}).decide("make it brighter", image_size=SIZE)
        if decision.fallback:
            raise ProviderError(decision.fallback)
        return decision

    return Caller(
        name="openai planner",
        fail=lambda status: server.script(openai.server_error(status)),
        ask_to_wait=lambda seconds: server.script(openai.rate_limited(seconds)),
        succeed=lambda: server.script(openai.tool_call("run_plan", BRIGHTER)),
        hang=lambda: server.script(openai.hang()),
        run=run,
        requests=lambda: len(server.posts("/v1/chat/completions")),
        sleeps=sleeps,
    )


@pytest.fixture(params=["gemini image", "gemini planner", "openai image", "openai planner"])
def caller(request: pytest.FixtureRequest) -> Iterator[Caller]:
    sleeps: list[float] = []
    if request.param.startswith("gemini"):
        gemini_local = gemini.GeminiServer()
        gemini_local.start()
        try:
            make = gemini_image if request.param == "gemini image" else gemini_planner
            yield make(gemini_local, sleeps)
        finally:
            gemini_local.stop()
    else:
        openai_local = openai.OpenAIServer()
        openai_local.start()
        try:
            yield (openai_image if request.param == "openai image" else openai_planner)(openai_local, sleeps)
        finally:
            openai_local.close()


def test_the_same_failures_give_the_same_waits_and_tries_everywhere(caller: Caller) -> None:
    caller.fail(500)
    caller.fail(503)
    caller.ask_to_wait("7")
    caller.succeed()

    caller.run(retries=3, random=lambda: 0.5)

    # 1 s and 2 s doubled backoff with half of the 50 % jitter, then exactly the 7 s the 429 asked for.
    assert caller.sleeps == [1.25, 2.5, 7.0]
    assert caller.requests() == 4


def test_the_tries_run_out_after_exactly_retries_plus_one(caller: Caller) -> None:
    for _ in range(4):
        caller.fail(502)

    with pytest.raises(ProviderError):
        caller.run(retries=2, random=lambda: 0.0, backoff_seconds=0.5)

    assert caller.sleeps == [0.5, 1.0]
    assert caller.requests() == 3


def test_an_asked_wait_over_max_backoff_seconds_ends_the_tries_at_once(caller: Caller) -> None:
    caller.ask_to_wait("7")
    caller.succeed()

    with pytest.raises(ProviderError):
        caller.run(retries=3, max_backoff_seconds=5)

    assert caller.sleeps == []
    assert caller.requests() == 1


def test_a_timeout_is_not_tried_again(caller: Caller) -> None:
    caller.hang()
    caller.succeed()

    with pytest.raises(ProviderError) as failed:
        caller.run(retries=3, timeout=0.5)

    assert "within 0.5 seconds" in str(failed.value)
    assert caller.sleeps == []
    assert caller.requests() == 1


def test_backoff_doubles_with_up_to_half_again_of_jitter_and_is_capped() -> None:
    def policy(jitter: float, **options: Any) -> RetryPolicy:
        return RetryPolicy.from_options({"random": lambda: jitter, **options})

    assert [policy(0.0).delay(retry) for retry in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert [policy(0.5).delay(retry) for retry in (1, 2, 3)] == [1.25, 2.5, 5.0]
    assert policy(0.999).delay(1) == pytest.approx(1.4995)
    assert policy(0.0).delay(10) == 60.0
    assert policy(0.0, max_backoff_seconds=5).delay(4) == 5.0
    assert policy(0.0, backoff_seconds=0.25).delay(3) == 1.0


def test_an_asked_wait_is_taken_as_asked_up_to_the_cap() -> None:
    policy = RetryPolicy.from_options({"random": lambda: 0.9})

    assert policy.delay(3, asked=7.0) == 7.0
    assert policy.delay(1, asked=0.0) == 0.0
    assert policy.delay(1, asked=60.0) == 60.0
    assert policy.delay(1, asked=60.5) is None


def test_the_settings_and_their_defaults_are_one_set() -> None:
    policy = RetryPolicy.from_options({})

    assert (policy.retries, policy.backoff_seconds, policy.max_backoff_seconds) == (3, 1.0, 60.0)
    options = {"retries": 5, "backoff_seconds": 2, "max_backoff_seconds": 9, "api_key": "k"}
    for provider in (
        GeminiProvider(**options),
        OpenAIImageProvider(**options),
        OpenAIChatPlanner(**options),
        GeminiPlanner(**options),
    ):
        assert provider.retry_policy.retries == 5
        assert provider.retry_policy.backoff_seconds == 2.0
        assert provider.retry_policy.max_backoff_seconds == 9.0


@pytest.mark.parametrize(("status", "tries"), [(408, 2), (409, 2), (503, 2), (505, 2), (501, 1), (400, 1)])
def test_one_rule_says_which_statuses_are_tried_again(caller: Caller, status: int, tries: int) -> None:
    """408, 409, 429 and the 5xx but 501 are the service's passing trouble; 501 and other 4xx never pass."""
    caller.fail(status)
    caller.succeed()

    if tries == 1:
        with pytest.raises(ProviderError):
            caller.run(retries=1, random=lambda: 0.0)
    else:
        caller.run(retries=1, random=lambda: 0.0)

    assert caller.requests() == tries
    assert caller.sleeps == [1.0] * (tries - 1)
