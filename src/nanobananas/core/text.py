"""Cleaning text people type: control and direction-override characters never reach storage."""

from __future__ import annotations

import unicodedata

__all__ = ["clean_text"]

_KEEP = {"\n", "\t"}
# Bidirectional overrides and isolates can make text display differently from what it says.
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def clean_text(value: str) -> str:
    """Drop control characters (keeping newlines and tabs) and direction overrides; trim the ends."""
    return "".join(
        ch for ch in value if ch in _KEEP or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_CONTROLS)
    ).strip()
