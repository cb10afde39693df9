"""Print sizes in an edit ("8 by 10 inches at 300 dpi", "an A4 print"): the print_size op and what was assumed."""

from __future__ import annotations

import re

from nanobananas.engine.paper import DEFAULT_DPI, find_print_size
from nanobananas.engine.plan import OpCall

__all__ = ["print_size_calls", "print_size_notes"]

_ORIENTATION = re.compile(r"\b(?:landscape|horizontal|portrait|vertical)\b")


def print_size_calls(clause: str) -> list[OpCall] | None:
    """The print_size step for a clause naming a print size, else None; the dpi is left out when not given."""
    size = find_print_size(clause)
    if size is None:
        return None
    params: dict[str, object] = {"width": size.width, "height": size.height, "unit": size.unit}
    if size.dpi_given:
        params["dpi"] = size.dpi
    if "without cropping" in clause or "no crop" in clause or "fit" in clause.split():
        params["mode"] = "fit"
    turned = _ORIENTATION.search(clause)
    if turned is not None:
        # "an A4 landscape print": the way round is given, not taken from the picture.
        short, long = sorted((size.width, size.height))
        landscape = turned.group(0) in ("landscape", "horizontal")
        params.update(width=long if landscape else short, height=short if landscape else long, orient=False)
    return [OpCall(op="print_size", params=params)]


def print_size_notes(steps: list[OpCall]) -> list[str]:
    """What the planner assumed for print sizes, to be told to the person."""
    notes = []
    for step in steps:
        if step.op == "print_size" and "dpi" not in step.params:
            notes.append(
                f"No dpi was given, so {DEFAULT_DPI} dpi was used "
                f"({step.params['width']:g}x{step.params['height']:g} {step.params['unit']}); "
                "say 'at 150 dpi' for another."
            )
    return notes
