"""The review checks. Each answers allow, flag or block with a category and a score.

A check is a small class with `review_text` and `review_image`; settings.MODERATION_CHECKS lists
them by dotted path (or {"NAME": path, "OPTIONS": {...}}), Django style, loaded lazily and cached.
"""

from __future__ import annotations

import logging
import re
from itertools import combinations
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db.models import Q
from django.utils.module_loading import import_string
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.moderation.imagehash import ALGORITHM, fingerprint, hamming
from nanobananas.moderation.normalize import normalized_variants
from nanobananas.moderation.terms import TermPattern, compile_pattern, shipped_patterns
from nanobananas.moderation.verdict import Action, CheckResult

__all__ = [
    "BlocklistCheck",
    "Check",
    "KnownImageCheck",
    "ModerationEndpointCheck",
    "PersonalDataCheck",
    "TermListCheck",
    "known_image_candidates",
    "moderation_checks",
]

logger = logging.getLogger(__name__)


class Check:
    """Base class: a check that has nothing to say about a kind of input returns no results."""

    name = "check"

    def review_text(self, text: str, *, owner: Owner | None) -> list[CheckResult]:
        return []

    def review_image(self, image: Image.Image, *, owner: Owner | None) -> list[CheckResult]:
        return []


def _match_patterns(name: str, patterns: list[TermPattern] | tuple[TermPattern, ...], text: str) -> list[CheckResult]:
    readings = normalized_variants(text)
    found: dict[str, CheckResult] = {}
    for pattern in patterns:
        if any(pattern.search(reading) for reading in readings):
            current = found.get(pattern.category)
            if current is None or pattern.action > current.action:
                found[pattern.category] = CheckResult(
                    check=name, action=pattern.action, category=pattern.category, score=1.0, rule=pattern.rule
                )
    return list(found.values())


class TermListCheck(Check):
    """The shipped term lists (terms/*.txt): sexual content involving minors, graphic violence, hate,
    self-harm, weapons instructions."""

    name = "terms"

    def review_text(self, text: str, *, owner: Owner | None) -> list[CheckResult]:
        return _match_patterns(self.name, shipped_patterns(), text)


class BlocklistCheck(Check):
    """The deployment's own BlockedTerm rows, edited in the admin."""

    name = "blocklist"

    def review_text(self, text: str, *, owner: Owner | None) -> list[CheckResult]:
        from nanobananas.moderation.models import BlockedTerm

        patterns = []
        for term in BlockedTerm.objects.all():
            try:
                patterns.append(
                    compile_pattern(
                        term.term, category=term.category or "custom", rule=f"blocklist:{term.pk}",
                        action=Action.parse(term.action),
                    )
                )  # fmt: skip
            except ValueError:
                logger.warning("blocked term %s is not a usable pattern; skipped", term.pk)
        return _match_patterns(self.name, patterns, text)


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?!\w)", re.IGNORECASE)
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
# Printed in groups of four ("GB82 WEST 1234 5698 7654 32") or written without spaces.
_IBAN = re.compile(r"(?<![A-Z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)(?![A-Z0-9])")
_DIGIT_RUN = re.compile(r"(?<![\w+])(\+|00(?=[1-9]))?\d[\d ().-]{6,22}\d(?!\w)")
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    compact = text.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def _phone_like(run: str, digits: str, *, international: bool) -> bool:
    """+44 20 7946 0958 or (555) 123-4567; a bare digit string (a size, a year, a count) is not one."""
    if international:
        return 8 <= len(digits) <= 15
    return 10 <= len(digits) <= 12 and re.search(r"[ ().-]", run) is not None


class PersonalDataCheck(Check):
    """Emails, phone numbers, card numbers (Luhn), IBANs (mod 97) and US SSNs in a prompt: flagged."""

    name = "personal_data"

    def _kinds(self, text: str) -> list[str]:
        kinds = []
        if _EMAIL.search(text):
            kinds.append("email")
        if _SSN.search(text):
            kinds.append("ssn")
        if any(_iban_valid(m.group(1)) for m in _IBAN.finditer(text.upper())):
            kinds.append("iban")
        for match in _DIGIT_RUN.finditer(text):
            run = match.group(0)
            digits = re.sub(r"\D", "", run)
            if 13 <= len(digits) <= 19 and re.fullmatch(r"[\d -]+", run) and _luhn(digits):
                kinds.append("card")
            elif _SSN_SHAPE.fullmatch(run):
                continue  # an SSN (or not) is decided above, never a phone number
            elif _phone_like(run, digits, international=bool(match.group(1))):
                kinds.append("phone")
        return sorted(set(kinds))

    def review_text(self, text: str, *, owner: Owner | None) -> list[CheckResult]:
        kinds = self._kinds(text)
        if not kinds:
            return []
        return [CheckResult(check=self.name, action=Action.FLAG, category="personal_data", score=0.9,
                            rule="personal_data:" + ",".join(kinds))]  # fmt: skip


# Values per IN (...) list of one probe: far under SQLite's and PostgreSQL's bound-parameter limits.
_PROBE_CHUNK = 2000


def _within(value: int, *, bits: int, radius: int) -> list[int]:
    """Every `bits`-bit value within Hamming distance `radius` of `value` (value itself first)."""
    found = [value]
    for flips in range(1, min(radius, bits) + 1):
        for positions in combinations(range(bits), flips):
            mask = 0
            for position in positions:
                mask |= 1 << position
            found.append(value ^ mask)
    return found


def known_image_candidates(
    phash: str, dhash: str, *, distance: int, algorithm: str = ALGORITHM
) -> list[tuple[int, str, str, str]]:
    """Known images whose hashes, made by `algorithm`, may both be within `distance`, found through the
    pHash-part indexes (answered from the index alone), then read by primary key.

    Within distance d, at least one of the four 16-bit parts differs by at most d // 4 bits, so the rows
    with some pHash part and some dHash part within that radius are a superset of the matches; the
    caller measures them. Returns (pk, category, phash, dhash) rows, each once.
    """
    from nanobananas.moderation.models import HASH_PART_BITS, KnownImage, hash_parts

    radius = max(distance, 0) // len(hash_parts(phash))
    dhash_values = [_within(part, bits=HASH_PART_BITS, radius=radius) for part in hash_parts(dhash)]
    dhash_near = Q()
    # A very wide distance setting would need more values than one query may carry: the dHash is then
    # measured only by the caller.
    if sum(len(values) for values in dhash_values) <= 2 * _PROBE_CHUNK:
        for index, values in enumerate(dhash_values):
            dhash_near |= Q(**{f"dhash_{index}__in": values})
    found: set[int] = set()
    for index, part in enumerate(hash_parts(phash)):
        values = _within(part, bits=HASH_PART_BITS, radius=radius)
        for start in range(0, len(values), _PROBE_CHUNK):
            chunk = values[start : start + _PROBE_CHUNK]
            probe = KnownImage.objects.filter(dhash_near, hash_algorithm=algorithm, **{f"phash_{index}__in": chunk})
            found.update(probe.values_list("pk", flat=True))
    rows: list[tuple[int, str, str, str]] = []
    pks = sorted(found)
    for start in range(0, len(pks), _PROBE_CHUNK):
        chosen = KnownImage.objects.filter(pk__in=pks[start : start + _PROBE_CHUNK])
        rows.extend(chosen.values_list("pk", "category", "phash", "dhash"))
    return rows


class KnownImageCheck(Check):
    """Exact (pixel SHA-256) and perceptual (pHash and dHash within a Hamming distance) matches against
    staff-listed KnownImage fingerprints. Both perceptual hashes must agree, which keeps look-alikes
    that share only a rough layout from matching. Both look-ups go through indexes (the SHA-256 and the
    pHash parts), so the check stays fast with a million listed images."""

    name = "known_images"

    def review_image(self, image: Image.Image, *, owner: Owner | None) -> list[CheckResult]:
        from nanobananas.moderation.models import KnownImage

        print_ = fingerprint(image)
        exact = KnownImage.objects.filter(sha256=print_.sha256).first()
        if exact is not None:
            return [CheckResult(check=self.name, action=Action.BLOCK, category=exact.category, score=1.0,
                                rule=f"known_image:{exact.pk}:exact")]  # fmt: skip
        limit = int(settings.NANOBANANAS["MODERATION_HASH_DISTANCE"])
        best: tuple[int, Any] | None = None
        near = known_image_candidates(print_.phash, print_.dhash, distance=limit, algorithm=print_.algorithm)
        for pk, category, phash, dhash in near:
            distance = max(hamming(phash, print_.phash), hamming(dhash, print_.dhash))
            if distance <= limit and (best is None or (distance, pk) < (best[0], best[1][0])):
                best = (distance, (pk, category))
        if best is None:
            return []
        distance, (pk, category) = best
        return [CheckResult(check=self.name, action=Action.BLOCK, category=category, score=1 - distance / 64,
                            rule=f"known_image:{pk}:distance={distance}")]  # fmt: skip


# OpenAI moderation categories -> ours, and whether a hit blocks or only flags.
_ENDPOINT_CATEGORIES: dict[str, tuple[str, Action]] = {
    "sexual/minors": ("sexual_minors", Action.BLOCK),
    "violence/graphic": ("graphic_violence", Action.BLOCK),
    "hate/threatening": ("hate", Action.BLOCK),
    "hate": ("hate", Action.FLAG),
    "harassment/threatening": ("harassment", Action.FLAG),
    "harassment": ("harassment", Action.FLAG),
    "self-harm/instructions": ("self_harm", Action.BLOCK),
    "self-harm/intent": ("self_harm", Action.BLOCK),
    "self-harm": ("self_harm", Action.FLAG),
    "illicit/violent": ("weapons", Action.BLOCK),
    "illicit": ("weapons", Action.FLAG),
    "sexual": ("sexual", Action.FLAG),
    "violence": ("violence", Action.FLAG),
}


class ModerationEndpointCheck(Check):
    """An OpenAI-compatible moderation endpoint (POST {base_url}/moderations) through the openai SDK.

    An unreachable endpoint is logged and answers nothing: the built-in checks still run.
    """

    name = "endpoint"

    def __init__(self, *, base_url: str, api_key: str = "", model: str = "omni-moderation-latest",
                 timeout: float = 10.0) -> None:  # fmt: skip
        self.base_url, self.api_key, self.model, self.timeout = base_url, api_key, model, timeout

    def review_text(self, text: str, *, owner: Owner | None) -> list[CheckResult]:
        import openai

        client = openai.OpenAI(
            base_url=self.base_url, api_key=self.api_key or "not-needed", timeout=self.timeout, max_retries=1
        )
        try:
            response = client.moderations.create(input=text, model=self.model)
        except openai.OpenAIError as exc:
            logger.warning("moderation endpoint %s failed: %s", self.base_url, type(exc).__name__)
            return []
        results: dict[str, CheckResult] = {}
        for answer in response.results:
            flags = answer.categories.model_dump(by_alias=True)
            scores = answer.category_scores.model_dump(by_alias=True)
            for name, hit in flags.items():
                if not hit or name not in _ENDPOINT_CATEGORIES:
                    continue
                category, action = _ENDPOINT_CATEGORIES[name]
                score = float(scores.get(name) or 0.0)
                current = results.get(category)
                if current is None or (action, score) > (current.action, current.score):
                    results[category] = CheckResult(check=self.name, action=action, category=category,
                                                    score=score, rule=f"endpoint:{name}")  # fmt: skip
        return list(results.values())


_cache: list[Check] | None = None


def moderation_checks() -> list[Check]:
    """The configured checks, in order, built once per process (and again when the setting changes)."""
    global _cache
    if _cache is None:
        checks: list[Check] = []
        for entry in settings.MODERATION_CHECKS:
            path, options = (entry, {}) if isinstance(entry, str) else (entry["NAME"], entry.get("OPTIONS", {}))
            try:
                check = import_string(path)(**options)
            except (ImportError, TypeError) as exc:
                raise ImproperlyConfigured(f"MODERATION_CHECKS: {path!r} cannot be used: {exc}") from exc
            if not isinstance(check, Check):
                raise ImproperlyConfigured(f"MODERATION_CHECKS: {path!r} is not a moderation Check")
            checks.append(check)
        _cache = checks
    return _cache


def _reset(*, setting: str, **_: object) -> None:
    global _cache
    if setting in {"MODERATION_CHECKS", "NANOBANANAS"}:
        _cache = None


setting_changed.connect(_reset, weak=False)
