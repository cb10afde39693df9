"""Text normalisation for term matching: accents, leetspeak, spaced and punctuated letters, repeats.

Django-free. Prompts and term patterns go through the same steps, so "k i l l", "k.1.l.l", "kíll" and
"kiiill" all read "kil" (repeated letters collapse to one in both), and a pattern matches on word
boundaries of the normalised text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["collapse_repeats", "normalized_variants"]

# "1" reads as "i" in "k1ll" and as "l" in "ki11": both readings are tried.
_LEET_COMMON = {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
_LEET_ONE = ("i", "l")
_TOKEN = re.compile(r"[a-z0-9@$!|]+")
_HAS_LETTER = re.compile(r"[a-z]")
# Single characters separated by one space or one punctuation mark, at least three in a row: "k i l l",
# "k.i.l.l", "s-e-x". Needs at least three so "a b" in ordinary text is left alone.
_SPACED = re.compile(r"(?<![^\W_])([^\W_@$!|]|[@$!|])(?:[ .\-_*'·]([^\W_@$!|]|[@$!|])){2,}(?![^\W_])")
_SPACED_SEPARATORS = re.compile(r"[ .\-_*'·]")
_APOSTROPHES = re.compile("(?<=\\w)['\u2019`](?=\\w)")
_INNER_JOIN = re.compile(r"(?<=[a-z0-9@$])[*._·]+(?=[a-z0-9@$])")
# "!" and "|" read as letters only inside a word ("k!ll"), never as the end of a sentence ("kill it!").
_TRAILING_MARKS = re.compile(r"[!|]+(?![a-z0-9@$])")
_OTHER = re.compile(r"[^a-z0-9@$!| ]+")
_REPEATS = re.compile(r"(.)\1+")
_SPACES = re.compile(r"\s+")


def collapse_repeats(text: str) -> str:
    """Every run of one character becomes one: "kiiilll" and "kill" both read "kil"."""
    return _REPEATS.sub(r"\1", text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return kept.casefold()


def _leet(text: str, one: str, *, numbers_too: bool = False) -> str:
    def token(match: re.Match[str]) -> str:
        word = match.group(0)
        if not numbers_too and not _HAS_LETTER.search(word):
            return word  # "4 kids", "$5", "1024": numbers stay numbers
        return "".join(_LEET_COMMON.get(c, one if c == "1" else c) for c in word)

    return _TOKEN.sub(token, text)


def _finish(reading: str) -> str:
    reading = _OTHER.sub(" ", reading)
    reading = reading.replace("!", " ").replace("|", " ").replace("@", " ").replace("$", " ")
    return collapse_repeats(_SPACES.sub(" ", reading)).strip()


def normalized_variants(text: str) -> list[str]:
    """The normalised readings of `text`, lowercase ASCII words: with digits kept ("ar15", "3d"), with
    leetspeak read as letters (once with 1 as "i", once as "l"), and with lone digits read too ("4")."""
    folded = _fold(text)
    folded = _SPACED.sub(lambda m: _SPACED_SEPARATORS.sub("", m.group(0)), folded)
    folded = _APOSTROPHES.sub("", folded)
    folded = _INNER_JOIN.sub("", folded)
    folded = _TRAILING_MARKS.sub(" ", folded)
    candidates = [folded, *(_leet(folded, one) for one in _LEET_ONE), _leet(folded, "i", numbers_too=True)]
    readings: list[str] = []
    for candidate in candidates:
        reading = _finish(candidate)
        if reading not in readings:
            readings.append(reading)
    return readings
