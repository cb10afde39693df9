"""Clauses that constrain the step before ("no cropping") and the words that ask to fit rather than crop."""

from __future__ import annotations

import re

from nanobananas.engine.plan import OpCall

__all__ = ["NO_CROP_FIT", "apply_constraint"]

# "fit it in a square", "with black bars": the whole picture stays, the canvas grows.
NO_CROP_FIT = re.compile(
    r"^(?!.*\b(?:remove|delete|trim|crop\s+off|cut\s+off|get\s+rid\s+of|take\s+off|strip)\b)"
    r"(?:.*\bbars?\b|.*\bfit\s+(?:it\s+|the\s+\w+\s+)?(?:in|into|inside|within|to)\s+(?:an?\s+)?(?:square|\d))"
)
_NO_CROP = re.compile(
    r"^(?:but\s+)?(?:no|without|do\s+not|dont|never|not)\s+(?:any\s+)?crop\w*(?:\s+(?:it|anything))?"
    r"(?:\s+(?:off|away))?(?:\s+(?:at\s+all|please))?$"
)


def apply_constraint(clause: str, steps: list[OpCall]) -> bool:
    """Apply a constraint clause to the steps planned so far; False when the clause is no constraint.

    "make it square, no cropping": the crop to a ratio becomes padding to it, in the colour named earlier."""
    if not _NO_CROP.match(clause):
        return False
    for index, step in enumerate(steps):
        if step.op == "crop_aspect":
            steps[index] = OpCall(op="pad", params={"ratio": step.params.get("ratio", "1:1")})
    return True
