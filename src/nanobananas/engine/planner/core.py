"""plan_instruction: English text -> Plan, Refusal or Clarification, clause by clause in stated order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from nanobananas.engine.errors import PlanError
from nanobananas.engine.ops import validate_params
from nanobananas.engine.plan import Clarification, OpCall, OutputSpec, Plan, PlanOutcome, Refusal, Region
from nanobananas.engine.planner.areas import area_only, find_area, in_region
from nanobananas.engine.planner.complaints import complaint_fix, same_fix
from nanobananas.engine.planner.constraints import apply_constraint
from nanobananas.engine.planner.objects import (
    find_object_phrase,
    names_a_thing,
    object_action,
    on_object,
    wish_as_request,
)
from nanobananas.engine.planner.output import extract_output
from nanobananas.engine.planner.print_sizes import print_size_notes
from nanobananas.engine.planner.refusals import generative_refusal, needs_details, refusal_for_unmatched
from nanobananas.engine.planner.rules import Clause, RuleOutcome, match_clause
from nanobananas.engine.planner.text import Normalized, normalize

__all__ = ["EXAMPLES", "PLANNER_VERSION", "PlannerContext", "plan_instruction"]

PLANNER_VERSION = "1"

EXAMPLES: tuple[str, ...] = (
    "make it black and white",
    "rotate 90 degrees clockwise",
    "flip horizontally",
    "crop to a square",
    "crop it to 16:9",
    "resize to 800 pixels wide",
    "make it half the size",
    "upscale 2x",
    "make it an instagram story",
    "make it brighter",
    "darken it a bit",
    "increase the contrast",
    "make the colors more vivid",
    "make it warmer",
    "blur the background",
    "sharpen it",
    "remove the noise",
    "remove the background",
    "make the background white",
    "add a 20 pixel white border",
    "round the corners",
    "add a vignette",
    "apply a sepia filter",
    "turn it into a pencil sketch",
    "make it look like an oil painting",
    "pixelate it",
    'add the text "HELLO" at the top',
    'add a watermark "© My Studio"',
    "save it as a jpeg under 200 KB",
    "auto enhance",
)

_SEPARATORS = re.compile(
    # "the top and bottom thirds" and "the top half and the bottom third" are one area, not two clauses.
    r"\s*(?:[,;:](?!\d)|\b(?:and\s+then|then|and(?!\s+(?:the\s+)?(?:top|bottom|upper|lower|left|right|middle|center)\b)"
    r"|also|plus|afterwards|after\s+that|next|finally|lastly|followed\s+by"
    r"|as\s+well\s+as|firstly|secondly|thirdly|first|before)\b)\s*"
)
_FILLER = frozenset(
    str.split(
        "it this that the image photo picture pic me my please now a an do make so is to be for of some"
        " okay ok one up can you could would will should i want like need also too well then just thing"
        " whole entire everything yes great good nice thanks cool looks look are am was lets let us"
    )
)
_COMMON_REQUESTS = (
    "make it black and white",
    "crop to a square",
    "make it brighter",
    "remove the background",
)
_EXAMPLE_WORDS: dict[str, frozenset[str]] = {
    example: frozenset(word for word in example.split() if word not in _FILLER) for example in EXAMPLES
}
_FIX_IT = re.compile(
    r"^(?:tone\s+(?:it|that|this)\s+down|bring\s+(?:it|that)\s+down|clean|fix|correct|repair|sort\s+out|improve|adjust|sort)\s*(?:it|that|this|the\s+\w+)?(?:\s+up|\s+out)?$"
)
_AGAIN = re.compile(
    r"^(?:again|repeat|do\s+(?:it|that|this)\s+again|once\s+more|same\s+again|(?:a\s+(?:bit|little)\s+|even\s+|much\s+|some\s+)?more"
    r"|stronger|more\s+of\s+(?:that|the\s+same))$"
)


_NEGATED = re.compile(r"^(?:but\s+)?(?:do\s+not|dont|never|no\s+need\s+to)\s+\w")
# Negated clauses that are constraints on the other steps ("do not crop it"), read by apply_constraint.
_CONSTRAINT_WORDS = re.compile(r"\b(?:crop\w*|stretch\w*|distort\w*|squash\w*)\b")


@dataclass(frozen=True)
class PlannerContext:
    """What the caller knows beyond the words: the image size and the plan that made the current version."""

    image_size: tuple[int, int] | None = None
    previous_plan: Plan | None = None


def _is_filler(clause: str) -> bool:
    return all(word in _FILLER for word in clause.split())


def _suggestions(clause: str) -> list[str]:
    """Examples sharing the most words with the clause, then common requests."""
    words = {word for word in clause.split() if word not in _FILLER}
    ranked = sorted(EXAMPLES, key=lambda example: -len(words & _EXAMPLE_WORDS[example]))
    picks = [example for example in ranked if words & _EXAMPLE_WORDS[example]][:4]
    for example in _COMMON_REQUESTS:
        if len(picks) >= 4:
            break
        if example not in picks:
            picks.append(example)
    return picks


_AFTER = re.compile(r"^(?P<later>.+?)\s+after\s+(?!that\b|this\b)(?P<earlier>.+)$")


def _split(text: str) -> list[str]:
    """Clauses in the order they should run; "sharpen it after resizing" puts the resize first."""
    clauses: list[str] = []
    for sentence in re.split(r"\s*;\s*", text):
        match = _AFTER.match(sentence)
        ordered = [match.group("earlier"), match.group("later")] if match else [sentence]
        for piece in ordered:
            for part in _SEPARATORS.split(piece):
                if part and part.strip():
                    _add_clause(clauses, part.strip())
    return clauses


def _add_clause(clauses: list[str], part: str) -> None:
    """Append a clause; "remove the red circle", "the blue square" are one clause about two things."""
    if clauses:
        ending, opening = find_object_phrase(clauses[-1]), find_object_phrase(part)
        if ending is not None and ending.end == len(clauses[-1]) and opening is not None and opening.start == 0:
            clauses[-1] = f"{clauses[-1]} and {part}"
            return
    clauses.append(part)


def _leading_verb(clause: str) -> str | None:
    match = re.match(
        r"^((?:increase|decrease|raise|lower|reduce|boost|add|more|less|remove|adjust|up|bump)\b(?:\s+the)?)",
        clause,
    )
    return match.group(1) if match else None


_TEXT_EXAMPLES = ('add the text "5 June 2025" at the bottom', 'add the text "© My Studio" in the bottom right corner')
_SIZE_OPS = frozenset({"resize", "upscale"})


def _refines_previous_size(steps: list[OpCall], previous: str | None, outcome: list[OpCall]) -> bool:
    """True when a size step without numbers is followed directly by one with them."""
    return (
        bool(steps)
        and previous is not None
        and not re.search(r"\d|half|quarter|third|twice|double|triple", previous)
        and steps[-1].op in _SIZE_OPS
        and len(outcome) == 1
        and outcome[0].op in _SIZE_OPS
    )


def _invalid_step(calls: list[OpCall]) -> str | None:
    """Why one of the calls would be refused by the op registry (a number out of range), or None."""
    for call in calls:
        try:
            validate_params(call.op, call.params)
        except PlanError as error:
            return str(error)
    return None


def _match(text: str, normalized: Normalized, size: tuple[int, int] | None = None) -> RuleOutcome | None:
    return object_action(text) or match_clause(Clause(text, normalized.quotes, normalized.links, size))


def _match_on_object(text: str, normalized: Normalized, size: tuple[int, int] | None) -> RuleOutcome | None:
    """ "brighten the face": the adjustment applied to the thing the clause names, found when the plan runs."""
    if object_action(text) is not None:
        return None
    return on_object(text, lambda rest: _match(rest, normalized, size))


def _refusal_for_things(text: str, normalized: Normalized) -> Refusal | None:
    """The refusal of the request without its clauses about things the engine can find and change itself."""
    refusal = generative_refusal(text)
    if refusal is None:
        return None
    rest = [part for part in _split(text) if not names_a_thing(part, lambda words: _match(words, normalized))]
    return generative_refusal(", ".join(rest)) if rest else None


# Ops that change the whole canvas: asked for in one area, they would silently change everything.
_WHOLE_PICTURE_OPS = frozenset(
    {"flip", "rotate", "resize", "upscale", "resize_preset", "border", "round_corners", "polaroid", "pad", "trim"}
)


def _match_in_area(text: str, normalized: Normalized, size: tuple[int, int] | None) -> RuleOutcome | None:
    """ "darken the top half": the adjustment without the area, applied only there. None when the clause names
    no area or the rest is not an adjustment ("crop the left half" is a crop, "text in the center" a place)."""
    area = find_area(text)
    if area is None or not area.rest:
        return None
    outcome = _match(area.rest, normalized, size)
    if not isinstance(outcome, list) or not outcome:
        return None
    if all(call.op in _WHOLE_PICTURE_OPS for call in outcome):
        return _whole_picture_only(outcome)
    return in_region(outcome, area.region)


def _whole_picture_only(calls: list[OpCall]) -> Clarification:
    return Clarification(
        question=f"I can {calls[0].op.replace('_', ' ')} only the whole picture, not one area of it.",
        suggestions=["darken the top half", "blur the bottom right corner", "make the middle black and white"],
    )


def plan_instruction(text: str, *, context: PlannerContext | None = None) -> PlanOutcome:
    """Plan an English instruction. Unknown words never raise: the result is then a Clarification."""
    normalized = normalize(text)
    size = context.image_size if context is not None else None
    if not normalized.text.strip(" ,;"):
        return Clarification(question="What would you like me to do with the image?", suggestions=list(EXAMPLES[:6]))
    refusal = _refusal_for_things(normalized.text, normalized)
    if refusal is not None:
        return refusal
    steps: list[OpCall] = []
    output: dict[str, Any] = {}
    parts = _split(normalized.text)
    index = 0
    previous: str | None = None
    previous_count = 0
    pending: Region | None = None
    pending_text = ""
    complaint: tuple[int, int] | None = None
    while index < len(parts):
        spec, clause = extract_output(parts[index])
        output.update(spec)
        index += 1
        if not clause or _is_filler(clause):
            continue
        if _FIX_IT.match(clause) and (
            (previous is not None and steps) or (index < len(parts) and complaint_fix(parts[index]) is not None)
        ):
            # "it's blurry, fix it" and "fix it, it's blurry": the complaint says what to fix.
            continue
        if steps and apply_constraint(clause, steps):
            continue
        alone = area_only(clause)
        if alone is not None:
            # "in the top half, increase the contrast"; "increase the contrast, only in the top half".
            if index < len(parts):
                pending, pending_text = alone, clause
                continue
            placed = in_region(steps[len(steps) - previous_count :], alone)
            if placed is not None:
                steps[len(steps) - previous_count :] = placed
                continue
        if _NEGATED.match(clause) and not _CONSTRAINT_WORDS.search(clause):
            # "don't make it darker, make it brighter instead": what not to do is no step of the plan.
            continue
        clause = wish_as_request(clause) or clause
        if _AGAIN.match(clause) and context is not None and context.previous_plan and context.previous_plan.steps:
            steps.append(context.previous_plan.steps[-1].model_copy(deep=True))
            previous, previous_count = clause, 1
            continue
        outcome = (
            _match_in_area(clause, normalized, size)
            or _match_on_object(clause, normalized, size)
            or _match(clause, normalized, size)
        )
        verb = _leading_verb(previous) if previous is not None else None
        if outcome is None and verb is not None:
            # "increase the brightness and contrast": the second clause borrows the first one's verb.
            outcome = _match(f"{verb} {clause}", normalized, size)
        if outcome is None and index < len(parts):
            outcome = _match(f"{clause} and {parts[index]}", normalized, size)
            index += 1 if outcome is not None else 0
        if outcome is None and previous is not None and previous_count:
            # "frame it in black, 15px": a clause that only adds a detail to the one before.
            merged = _match(f"{previous} {clause}", normalized, size)
            if isinstance(merged, list):
                del steps[-previous_count:]
                outcome, clause = merged, f"{previous} {clause}"
        question = needs_details(clause) if outcome is None else None
        if question is not None:
            return Clarification(question=question, suggestions=list(_TEXT_EXAMPLES))
        if outcome is None:
            outcome = refusal_for_unmatched(clause) or Clarification(
                question=f"I did not understand {clause!r}. Did you mean one of these?",
                suggestions=_suggestions(clause),
            )
        if isinstance(outcome, Refusal | Clarification):
            return outcome
        problem = _invalid_step(outcome)
        if problem is not None:
            return Clarification(
                question=f"I understood {clause!r}, but {problem}. Could you give a different amount?",
                suggestions=_suggestions(clause),
            )
        if pending is not None:
            # An area that is no region of this step may be its place ("in the bottom left, add a qr code ...").
            merged_text = f"{clause} {pending_text}"
            in_place = (
                in_region(outcome, pending)
                or _match_in_area(merged_text, normalized, size)
                or _match(merged_text, normalized, size)
            )
            if not isinstance(in_place, list) or _invalid_step(in_place) is not None:
                return _whole_picture_only(outcome)
            outcome, pending = in_place, None
        if _refines_previous_size(steps, previous, outcome):
            # "make it smaller, 800px wide": the second clause says how much.
            steps.pop()
        if complaint is not None and same_fix(steps[complaint[0] : complaint[0] + complaint[1]], outcome):
            # "it's too dark, brighten it": the request says how to fix what the complaint named.
            del steps[complaint[0] : complaint[0] + complaint[1]]
        complaint = (len(steps), len(outcome)) if complaint_fix(clause) is not None else None
        steps.extend(outcome)
        previous, previous_count = clause, len(outcome)
    if not steps and not output:
        return Clarification(question="What would you like me to do with the image?", suggestions=list(EXAMPLES[:6]))
    try:
        output_spec = OutputSpec(**output) if output else None
    except ValidationError:
        return Clarification(
            question="I could not use that file format, quality or size limit.",
            suggestions=["save it as a jpeg under 200 KB", "convert to png", "save as webp at quality 80"],
        )
    return Plan(steps=steps, output=output_spec, planner_version=PLANNER_VERSION, notes=print_size_notes(steps))


def _compile_patterns() -> None:
    """Plan the examples once at import, so that the rules' regular expressions are compiled then.

    The rules write their patterns inline; Python compiles and caches each on first use. Doing that
    here keeps every request, even the first one in a fresh process, within the planning budget.
    """
    for example in (*EXAMPLES, *_WARM_UP):
        plan_instruction(example)


_WARM_UP = (
    "crop it square, then make it black and white, rotate 90 degrees left and add a thin red border",
    "make it a little darker, less saturated, cooler and sharper, then save as a jpeg under 200 kb",
    "replace the dog with a cat",
    "make her smile",
    "add the date",
    "flurbify the zorp",
)
_compile_patterns()
