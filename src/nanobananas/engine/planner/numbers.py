"""Number words in English ("ninety", "twenty five", "one hundred and eighty") turned into digits."""

from __future__ import annotations

__all__ = ["UNITS", "replace_number_words"]

from nanobananas.engine.numbers import SCALES as _SCALES
from nanobananas.engine.numbers import TENS as _TENS
from nanobananas.engine.numbers import UNITS


def _is_number_word(token: str) -> bool:
    return token in UNITS or token in _TENS or token in _SCALES


def replace_number_words(tokens: list[str]) -> list[str]:
    """Replace each run of number words with its value in digits; other tokens are kept.

    "a hundred" counts as 100; "and" inside a number ("one hundred and twenty") is absorbed.
    """
    result: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        starts_with_a = token == "a" and index + 1 < len(tokens) and tokens[index + 1] in _SCALES
        if not _is_number_word(token) and not starts_with_a:
            result.append(token)
            index += 1
            continue
        total = current = 0
        if starts_with_a:
            current = 1
            index += 1
        while index < len(tokens):
            word = tokens[index]
            if word in UNITS:
                current += UNITS[word]
            elif word in _TENS:
                current += _TENS[word]
            elif word == "hundred":
                current = max(current, 1) * 100
            elif word == "thousand":
                total += max(current, 1) * 1000
                current = 0
            elif (
                word == "and"
                and index + 1 < len(tokens)
                and (tokens[index + 1] in UNITS or tokens[index + 1] in _TENS)
                and (current >= 100 or total > 0)
            ):
                pass
            else:
                break
            index += 1
        result.append(str(total + current))
    return result
