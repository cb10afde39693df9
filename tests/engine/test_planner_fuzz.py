"""Property tests: any text plans without raising, and every plan the planner makes validates."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nanobananas.engine.pipeline import validate_plan
from nanobananas.engine.plan import Clarification, Plan, Refusal
from nanobananas.engine.planner import plan_instruction
from nanobananas.engine.planner.vocabulary import COMMON_WORDS, KEYWORDS

_WORDS = [
    *sorted(KEYWORDS | COMMON_WORDS),
    "0", "1", "2", "3", "10", "45", "90", "180", "270", "360", "1000", "99999", "-5", "0.5", "2x", "300x200",
    "16:9", "1:0", "0:0", "50%", "200%", "-20%", "10px", "0px", "30 kb", "0 kb", "°", ",", ";", "then", "and",
    "'SALE'", '"Hi"', "#ff0000", "https://example.com", "ninety", "a quarter", "twice", "a bit", "a lot",
]  # fmt: skip


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12))
def test_word_salad_always_gives_a_valid_outcome(words: list[str]) -> None:
    outcome = plan_instruction(" ".join(words))
    assert isinstance(outcome, Plan | Refusal | Clarification)
    if isinstance(outcome, Plan):
        validate_plan(outcome)


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    outcome = plan_instruction(text)
    assert isinstance(outcome, Plan | Refusal | Clarification)
    if isinstance(outcome, Plan):
        validate_plan(outcome)
