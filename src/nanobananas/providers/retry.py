"""Trying a cloud request again: one policy (settings and backoff formula) and one loop for every provider and planner.

The choice: our loop, with the SDKs' own retries switched off (`max_retries=0` for openai,
`HttpRetryOptions(attempts=1)` or none for google-genai). The two SDKs back off by different formulas
(openai: 0.5 s doubling to 8 s minus up to 25 %; google-genai: tenacity's exponential jitter), google-genai
ignores `Retry-After` and the `RetryInfo` delay Gemini sends with a 429, and neither tells the caller how many
tries a result took or lets the studio say "trying again in 2 s". With one loop, `NANOBANANAS_PROVIDER_RETRIES`
means the same exact number of extra tries everywhere and the waits follow one formula:

- the wait the service asked for (`Retry-After`, `retry-after-ms`, Gemini's `RetryInfo.retryDelay`), when
  it asked; a wait longer than `max_backoff_seconds` ends the tries at once (failing now beats waiting);
- else `backoff_seconds * 2 ** (retry - 1) * (1 + jitter / 2)` for retry 1, 2, 3, ..., jitter in [0, 1),
  so 1-1.5 s, 2-3 s, 4-6 s by default, at most `max_backoff_seconds`.

What is tried again: an answer with a status of `retryable_status` (408, 409, 429 and the 5xx other than
501, the service's passing trouble) and a lost connection, as each provider reads its SDK's errors
(`classify`). A timeout never is: the request may still be running (and billed) at the provider, and the
person has already waited the whole timeout.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from nanobananas.providers.base import ProviderError

__all__ = ["Failure", "RetryPolicy", "call_with_retries", "retryable_status"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


def retryable_status(status: int) -> bool:
    """An HTTP status a later try may cure: a timeout or conflict on the service's side (408, 409), its rate
    limit (429), its trouble (5xx); not 501, a request it will never carry out."""
    return status in {408, 409, 429} or (status >= 500 and status != 501)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and after how long a failed request is tried again (see the module docstring)."""

    retries: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    jitter: Callable[[], float] = field(default=random.random)
    sleep: Callable[[float], None] = field(default=time.sleep)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> RetryPolicy:
        """The policy from a provider's OPTIONS: retries, backoff_seconds, max_backoff_seconds, and for tests
        `sleep` (how to wait) and `random` (the jitter source, a function returning a float in [0, 1))."""
        retries = options.get("retries")
        jitter = options.get("random")
        sleep = options.get("sleep")
        return cls(
            retries=cls.retries if retries is None else int(retries),
            backoff_seconds=float(options.get("backoff_seconds", cls.backoff_seconds)),
            max_backoff_seconds=float(options.get("max_backoff_seconds", cls.max_backoff_seconds)),
            jitter=random.random if jitter is None else jitter,
            sleep=time.sleep if sleep is None else sleep,
        )

    def delay(self, retry: int, *, asked: float | None = None) -> float | None:
        """Seconds to wait before retry number `retry` (1 for the first); None when the service asked for a
        wait longer than `max_backoff_seconds`."""
        if asked is not None:
            return max(0.0, asked) if asked <= self.max_backoff_seconds else None
        backoff = self.backoff_seconds * 2 ** (retry - 1) * (1 + 0.5 * self.jitter())
        return min(self.max_backoff_seconds, backoff)


@dataclass(frozen=True)
class Failure:
    """One failed try as a provider reads it: the error to raise, whether to try again, the wait asked for."""

    error: ProviderError
    retry: bool = False
    asked: float | None = None
    cause: BaseException | None = None


def _raise_as_is(failure: Failure, attempts: int, delay: float | None) -> ProviderError:
    return failure.error


def call_with_retries(
    request: Callable[[], T],
    *,
    policy: RetryPolicy,
    classify: Callable[[Exception], Failure | None],
    give_up: Callable[[Failure, int, float | None], ProviderError] = _raise_as_is,
    retries: int | None = None,
    waiting: Callable[[float], None] | None = None,
    label: str = "provider",
) -> tuple[T, int]:
    """Run `request` under `policy`; returns its result and how many tries it took.

    `classify` reads an exception (None: not a provider failure, raised unchanged). A failure that is not
    to be tried again is raised at once; when the tries run out, or the service asks for too long a wait,
    `give_up(failure, tries, delay)` makes the error raised (`delay` None: the asked wait was too long).
    `retries` overrides the policy's count (0 for a check); `waiting(delay)` hears of each wait."""
    allowed = policy.retries if retries is None else retries
    attempt = 0
    while True:
        attempt += 1
        try:
            return request(), attempt
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            if not failure.retry:
                raise failure.error from exc
            delay = policy.delay(attempt, asked=failure.asked)
            if delay is None or attempt > allowed:
                raise give_up(failure, attempt, delay) from exc
        logger.warning("%s: %s; trying again in %.1f s", label, failure.error, delay)
        if waiting is not None:
            waiting(delay)
        policy.sleep(delay)
