"""Term patterns: the shipped lists per category (terms/*.txt) and the per-deployment blocklist.

Django-free. One pattern a line; `#` starts a comment. Syntax:

    how to {make|build} a {bomb|pipe bomb}     words; {a|b} alternatives; {a|} makes a word optional
    dismember*                                 `*` ends a word prefix
    {child|kids} ~4 {naked|nude}               both sides within 4 words of each other, in either order
    flag: self harm                            a line that flags for review instead of blocking

Words match on word boundaries of the normalised prompt (see `normalize`), and the spaces between
words may be missing ("childporn").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from nanobananas.moderation.normalize import collapse_repeats
from nanobananas.moderation.verdict import Action

__all__ = ["SHIPPED_CATEGORIES", "TermPattern", "compile_pattern", "shipped_patterns"]

SHIPPED_CATEGORIES = ("sexual_minors", "graphic_violence", "hate", "self_harm", "weapons")
_NEAR = re.compile(r"\s+~(\d{1,2})\s+")
_GROUP = re.compile(r"\{([^{}]*)\}|(\S+)")
_WORD = r"[a-z0-9]"


@dataclass(frozen=True)
class TermPattern:
    category: str
    action: Action
    rule: str
    regex: re.Pattern[str]

    def search(self, text: str) -> bool:
        return self.regex.search(text) is not None


def _word(word: str) -> str:
    word = word.strip().lower()
    if not re.fullmatch(r"[a-z0-9]+\*?", word):
        raise ValueError(f"a pattern word may hold letters and digits (and end in *); got {word!r}")
    prefix = word.endswith("*")
    body = re.escape(collapse_repeats(word.rstrip("*")))
    return body + (f"{_WORD}*" if prefix else "")


def _phrase(text: str) -> str:
    parts: list[str] = []
    for match in _GROUP.finditer(text):
        if match.group(1) is not None:
            options = [o.strip() for o in match.group(1).split("|")]
            optional = any(o == "" for o in options)
            words = ["\\s*".join(_word(w) for w in o.split()) for o in options if o]
            if not words:
                raise ValueError(f"an empty group in {text!r}")
            group = "(?:" + "|".join(words) + ")"
            parts.append(f"(?:{group}\\s*)?" if optional else f"{group}\\s*")
        else:
            parts.append(_word(match.group(2)) + "\\s*")
    if not parts:
        raise ValueError("an empty pattern")
    body = "".join(parts)
    return body[: -len("\\s*")] if body.endswith("\\s*") else body


def compile_pattern(line: str, *, category: str, rule: str, action: Action = Action.BLOCK) -> TermPattern:
    """One pattern line as a regex over normalised text; ValueError for a line that is not a pattern."""
    text = line.strip()
    if text.lower().startswith("flag:"):
        action, text = Action.FLAG, text[len("flag:") :].strip()
    near = _NEAR.split(text)
    if len(near) == 3:
        left, distance, right = _phrase(near[0]), int(near[1]), _phrase(near[2])
        # Up to N whole words between, or none at all ("kidsnude" once spacing is taken out).
        gap = f"(?:(?:\\s+\\S+){{0,{distance}}}\\s+|\\s*)"
        body = f"(?:{left}){gap}(?:{right})|(?:{right}){gap}(?:{left})"
    elif len(near) == 1:
        body = _phrase(text)
    else:
        raise ValueError(f"a pattern may hold one ~N; got {line!r}")
    regex = re.compile(f"(?<!{_WORD})(?:{body})(?!{_WORD})")
    return TermPattern(category=category, action=action, rule=rule, regex=regex)


@cache
def shipped_patterns() -> tuple[TermPattern, ...]:
    """Every shipped pattern, compiled once per process."""
    patterns: list[TermPattern] = []
    folder = resources.files("nanobananas.moderation") / "terms"
    for category in SHIPPED_CATEGORIES:
        lines = (folder / f"{category}.txt").read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                patterns.append(compile_pattern(text, category=category, rule=f"{category}:{number}"))
    return tuple(patterns)
