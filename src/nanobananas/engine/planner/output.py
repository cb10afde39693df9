"""Output wishes inside an instruction: file format, quality, a size limit in KB/MB, metadata."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["extract_output"]

_FORMAT = re.compile(r"\b(jpeg|png|webp|avif|gif|tiff)\b")
_LIMIT = re.compile(
    r"\b(?:(?:under|below|less\s+than|smaller\s+than|max(?:imum)?|at\s+most|no\s+(?:more|bigger|larger)\s+than|within"
    r"|up\s+to|not\s+over|lighter\s+than)\s+)?(\d+(?:\.\d+)?)\s*(kb|mb|bytes)\b"
    r"|\b(?:under|below|less\s+than|smaller\s+than|max(?:imum)?|at\s+most)\s+(\d+(?:\.\d+)?)\s*k\b"
)
_QUALITY = re.compile(
    r"\bquality\s+(?:of\s+|at\s+|to\s+|=\s*)?(\d+)|\b(\d+)\s+(?:percent\s+)?quality\b"
    r"|\b(high(?:est)?|best|max(?:imum)?|full|top|low(?:er|est)?|medium|good|web)\s+quality\b"
)
_COMPRESS = re.compile(
    r"\bcompress(?:ed|ion)?\b|\b(?:small(?:er)?|tiny|light(?:weight)?|compact)\s+(?:file|files|filesize)\b"
    r"|\b(?:reduce|shrink|lower|decrease|cut)\s+(?:the\s+)?file\s*size\b|\bfile\s*size\s+(?:smaller|down)\b"
    r"|\boptimi[sz]e\s+(?:it\s+)?for\s+(?:the\s+)?web\b|\bweb\s+(?:ready|optimi[sz]ed)\b"
)
_STRIP = re.compile(
    r"\b(?:strip|remove|delete|clear|drop|erase|without|no|scrub|wipe)\s+(?:the\s+|all\s+(?:the\s+)?|any\s+)?"
    r"(?:metadata|exif|location|gps|camera\s+data)(?:\s+(?:data|info|information))?\b"
)
_KEEP = re.compile(r"\b(?:keep|preserve|retain)\s+(?:the\s+|all\s+(?:the\s+)?)?(?:metadata|exif)(?:\s+data)?\b")
_VERBS = re.compile(
    r"\b(?:convert|save|export|output|encode|change\s+(?:the\s+)?format|turn|make|give\s+me|as|to|in|into|an?|the"
    r"|it|file|format|image|photo|picture|version|copy|small|smaller|tiny|light|lightweight|compact|size|please"
    r"|at|with|of|using|for|and|but|keep|keeping|also)\b"
)
_QUALITY_WORDS = {
    "high": 92,
    "highest": 95,
    "best": 95,
    "max": 95,
    "maximum": 95,
    "full": 95,
    "top": 95,
    "good": 85,
    "medium": 75,
    "web": 75,
    "low": 50,
    "lower": 60,
    "lowest": 30,
}


def extract_output(clause: str) -> tuple[dict[str, Any], str]:
    """Output settings found in the clause, and the clause with those words taken out.

    When anything was found, words that only served the output ("save it as a small ...")
    are removed too, so that "small" is not read as a resize.
    """
    spec: dict[str, Any] = {}
    rest = clause
    found = False
    match = _FORMAT.search(rest)
    if match:
        spec["format"] = match.group(1)
        rest = rest[: match.start()] + " " + rest[match.end() :]
        found = True
    match = _LIMIT.search(rest)
    if match:
        value = float(match.group(1) or match.group(3))
        unit = match.group(2) or "kb"
        spec["max_bytes"] = int(value * {"kb": 1000, "mb": 1_000_000, "bytes": 1}[unit])
        rest = rest[: match.start()] + " " + rest[match.end() :]
        found = True
    match = _QUALITY.search(rest)
    if match:
        if match.group(1) or match.group(2):
            spec["quality"] = max(1, min(100, int(match.group(1) or match.group(2))))
        else:
            spec["quality"] = _QUALITY_WORDS[match.group(3)]
        rest = rest[: match.start()] + " " + rest[match.end() :]
        found = True
    match = _COMPRESS.search(rest)
    if match:
        spec.setdefault("quality", 70)
        rest = rest[: match.start()] + " " + rest[match.end() :]
        found = True
    match = _STRIP.search(rest)
    if match:
        spec["strip_metadata"] = True
        rest = rest[: match.start()] + " " + rest[match.end() :]
        found = True
    match = _KEEP.search(rest)
    if match:
        spec["strip_metadata"] = False
        rest = rest[: match.start()] + " " + rest[match.end() :]
        found = True
    if found:
        rest = _VERBS.sub(" ", rest)
    return spec, " ".join(rest.split())
