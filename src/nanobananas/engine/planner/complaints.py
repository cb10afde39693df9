"""Complaints about the picture ("it's blurry", "too dark", "too much contrast") planned as the edit that fixes them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nanobananas.engine.plan import OpCall
from nanobananas.engine.planner.amounts import intensity

__all__ = ["complaint_fix", "same_fix"]

Fix = Callable[[float], list[OpCall]]


def _one(op: str, **params: float | None) -> list[OpCall]:
    return [OpCall(op=op, params={key: value for key, value in params.items() if value is not None})]


def _sharpen(degree: float) -> list[OpCall]:
    return _one("sharpen", amount=round(min(5.0, 1.0 * degree), 2))


def _denoise(degree: float) -> list[OpCall]:
    return _one("denoise", strength=round(min(50.0, 12 * degree), 2))


def _lighten(degree: float) -> list[OpCall]:
    return _one("exposure", stops={0.5: 0.5, 1.0: 1.0, 2.0: 1.5}[degree])


def _darken(degree: float) -> list[OpCall]:
    return _one("exposure", stops={0.5: -0.35, 1.0: -0.7, 2.0: -1.0}[degree])


def _liven(degree: float) -> list[OpCall]:
    return _one("auto_enhance", strength=None if degree == 1.0 else degree)


def _soften_contrast(degree: float) -> list[OpCall]:
    return _one("contrast", amount=round(-0.25 * degree, 4))


def _raise_contrast(degree: float) -> list[OpCall]:
    return _one("contrast", amount=round(0.3 * degree, 4))


def _mute(degree: float) -> list[OpCall]:
    return _one("saturation", amount=round(-0.35 * degree, 4))


def _enrich(degree: float) -> list[OpCall]:
    return _one("saturation", amount=round(0.4 * degree, 4))


def _warm(degree: float) -> list[OpCall]:
    return _one("warmth", amount=round(min(1.0, 0.4 * degree), 4))


def _cool(degree: float) -> list[OpCall]:
    return _one("warmth", amount=round(max(-1.0, -0.4 * degree), 4))


def _less_green(degree: float) -> list[OpCall]:
    return _one("tint", amount=round(min(1.0, 0.3 * degree), 4))


def _less_magenta(degree: float) -> list[OpCall]:
    return _one("tint", amount=round(max(-1.0, -0.3 * degree), 4))


def _soften(degree: float) -> list[OpCall]:
    return _one("blur", radius=round(1.0 * degree, 2))


def _lift_shadows(degree: float) -> list[OpCall]:
    return _one("gamma", gamma={0.5: 1.15, 1.0: 1.3, 2.0: 1.5}[degree])


@dataclass(frozen=True)
class _Problem:
    """Words for one problem: `always` is a complaint in any complaint form, even alone ("blurry");
    `state` only after "is/looks" or "too" ("it's dark"); `excess` only after "too" ("too warm");
    `anywhere` is a whole complaint wherever it stands ("i can barely see anything")."""

    fix: Fix
    always: str = ""
    state: str = ""
    excess: str = ""
    anywhere: str = ""


_PROBLEMS: tuple[_Problem, ...] = (
    _Problem(
        _sharpen,
        always=r"blurry|blurred|blurrier|fuzzy|unfocused|out\s+of\s+focus|unsharp|smudged|smeared|smudgy|unclear",
        anywhere=r"focus\s+is\s+(?:off|bad|wrong|poor|soft)",
        state=r"soft",
    ),
    _Problem(
        _denoise, always=r"grainy|noisy|speckled|speckly|pixelated|blocky", anywhere=r"full\s+of\s+(?:noise|grain)"
    ),
    _Problem(
        _lighten,
        always=r"underexposed|under\s+exposed|gloomy|murky",
        anywhere=r"hard\s+to\s+see|not\s+bright\s+enough|(?:barely|hardly|cannot|can\s+not)\s+see\s+(?:anything|much)",
        state=r"dark|dim|shadowy",
    ),
    _Problem(_darken, always=r"overexposed|over\s+exposed|blown\s+out|blinding", state=r"bright|light|glaring"),
    _Problem(
        _liven,
        always=r"dull|lifeless|washed\s+out|faded|hazy|foggy|muddy|drab|bland|boring|flat\s+looking",
        state=r"flat|pale",
    ),
    _Problem(_soften_contrast, always=r"contrasty|harsh|high\s+contrast", excess=r"punchy|dramatic|contrasted"),
    _Problem(
        _mute,
        always=r"oversaturated|over\s+saturated|garish|gaudy",
        excess=r"saturated|colorful|vivid|intense|loud|neon|vibrant",
    ),
    _Problem(_warm, excess=r"blue|bluish|blueish|cold|cool|icy"),
    _Problem(_cool, excess=r"yellow|yellowish|orange|warm|red|reddish"),
    _Problem(_less_green, excess=r"green|greenish"),
    _Problem(_less_magenta, excess=r"pink|pinkish|magenta|purple"),
    _Problem(_soften, always=r"oversharpened|over\s+sharpened", excess=r"sharp|crisp"),
)

# What a picture can have too much of (first fix) or too little of (second fix, None when that is no problem).
_QUANTITIES: tuple[tuple[str, Fix | None, Fix | None], ...] = (
    (r"contrast", _soften_contrast, _raise_contrast),
    (r"noise|grain|graininess|noisiness|speckles|artifacts", _denoise, None),
    (r"blur|blurriness|softness|fuzziness|haze", _sharpen, None),
    (r"light|brightness|exposure|glare", _darken, _lighten),
    (r"darkness|shadows?|shadow", _lift_shadows, None),
    (r"saturation|colors?|color", _mute, _enrich),
    (r"sharpness|sharpening", _soften, None),
    (r"detail|details|definition|clarity|focus", None, _sharpen),
    (r"warmth|yellow|orange", _cool, None),
    (r"blue", _warm, None),
    (r"green", _less_green, None),
    (r"magenta|pink", _less_magenta, None),
)

_DEGREE = (
    r"(?:(?:a\s+)?(?:little\s+)?bit|a\s+little|a\s+tad|kind\s+of|kinda|sort\s+of|rather|quite|very|really|so|super"
    r"|way|far|much|pretty|slightly|somewhat|extremely|still|all|too|overly|a\s+lot)"
)
_DEGREES = rf"(?:{_DEGREE}\s+)*"
_COPULA = (
    r"(?:is|are|was|were|looks?|looking|seems?|appears?|feels?|came\s+out|comes\s+out|turned\s+out|got|gotten"
    r"|became|become|getting|gets)"
)
_TOO = (
    r"(?:(?:way|much|far|a\s+(?:little\s+)?bit|a\s+little|slightly|just|kind\s+of|rather)\s+)?"
    r"(?:too|overly|excessively|not\s+so|not\s+as|so)"
)
_PICTURE = (
    r"(?:(?:the|this|that|my|these)\s+)?(?:photo|picture|image|pic|shot|photograph|result|it|this|that|everything"
    r"|colors?|whole\s+thing|one)"
)
_REQUEST_START = re.compile(r"^(?:make|turn|give|render|let|have|get|set|change|keep|leave|do\s+not|dont|never)\b")
_NEGATED = re.compile(r"\b(?:do\s+not|dont|never|without|avoid)\b")

_EXCESS_AMOUNT = (
    r"(?:too\s+much|so\s+much|way\s+too\s+much|much\s+too\s+much|a\s+lot\s+of|lots\s+of|excessive|excess|heavy)"
)
_SHORT_AMOUNT = r"(?:not\s+enough|too\s+little|lacks|lacking|lack\s+of|missing|low|poor|no\s+real|weak)"
_HIGH = r"(?:high|strong|much|heavy|intense|harsh|extreme)"
_LOW = r"(?:low|weak|little|poor|lacking|missing)"
_FIX_VERB = (
    r"(?:fix|correct|remove|reduce|less|get\s+rid\s+of|clean\s+up|repair|sort\s+out|lose|cut|eliminate|deal\s+with"
    r"|no\s+more|undo|counter|compensate\s+for)"
)
_FIXABLE_FIX: tuple[tuple[str, Fix], ...] = (
    (r"blur|blurriness|softness|fuzziness", _sharpen),
    (r"noise|grain|graininess|noisiness|speckles|pixelation|blockiness", _denoise),
    (r"darkness|underexposure", _lighten),
    (r"overexposure|glare", _darken),
    (r"dullness|haze|fog|flatness", _liven),
    (r"harshness", _soften_contrast),
)


def _compile(words: str, *, bare: bool, copula: bool) -> re.Pattern[str]:
    forms = [rf"\b{_TOO}\s+{_DEGREES}(?:{words})\b"]
    if copula:
        forms.append(rf"\b{_COPULA}\s+{_DEGREES}(?:{words})\b")
    if bare:
        forms.append(rf"^(?:{_PICTURE}\s+|the\s+)?{_DEGREES}(?:{words})(?:\s+(?:photo|picture|image|pic|shot))?$")
    return re.compile("|".join(forms))


_FORMS: tuple[tuple[re.Pattern[str], Fix], ...] = tuple(
    (pattern, problem.fix)
    for problem in _PROBLEMS
    for pattern in (
        *((_compile(problem.always, bare=True, copula=True),) if problem.always else ()),
        *((_compile(problem.state, bare=False, copula=True),) if problem.state else ()),
        *((_compile(problem.excess, bare=False, copula=False),) if problem.excess else ()),
        *((re.compile(rf"\b(?:{problem.anywhere})\b"),) if problem.anywhere else ()),
    )
)
_QUANTITY_FORMS: tuple[tuple[re.Pattern[str], Fix], ...] = tuple(
    (pattern, fix)
    for words, excess, shortfall in _QUANTITIES
    for pattern, fix in (
        (
            re.compile(
                rf"\b{_EXCESS_AMOUNT}\s+(?:the\s+)?(?:{words})\b"
                rf"|\b(?:{words})\s+(?:is|are|looks?|seems?)\s+{_DEGREES}{_HIGH}\b"
            ),
            excess,
        ),
        (
            re.compile(
                rf"\b{_SHORT_AMOUNT}\s+(?:the\s+|any\s+)?(?:{words})\b"
                rf"|\b(?:{words})\s+(?:is|are|looks?|seems?)\s+{_DEGREES}{_LOW}\b"
            ),
            shortfall,
        ),
    )
    if fix is not None
)
_FIX_FORMS: tuple[tuple[re.Pattern[str], Fix], ...] = tuple(
    (
        re.compile(
            rf"\b{_FIX_VERB}\s+(?:the\s+|all\s+(?:the\s+)?|this\s+|that\s+|some\s+of\s+the\s+)?(?:{words})\b"
            # "there is noise everywhere": having any of it is the problem
            rf"|\bthere\s+is\s+(?:(?:some|visible|a\s+bit\s+of|a\s+little|so\s+much)\s+)?(?:{words})\b"
            rf"|\b(?:{words})\s+(?:everywhere|all\s+over)\b"
        ),
        fix,
    )
    for words, fix in _FIXABLE_FIX
)
_ANY_COMPLAINT = re.compile(
    rf"\b(?:too|overly|excessively|not\s+so|not\s+as|{_COPULA}|{_EXCESS_AMOUNT}|{_SHORT_AMOUNT}|{_FIX_VERB}|there|see|focus|full)\b"
    rf"|^(?:{_PICTURE}\s+)?{_DEGREES}\w+(?:\s+\w+){{0,2}}$"
)
# The complaint's own words are no amount: "too strong" is as much a complaint as "too dark".
_DEGREE_ONLY = re.compile(
    r"\btoo\s+much\b|\btoo\b|\bso\s+much\b|\bnot\s+so\b|\bnot\s+as\b|\b(?:a\s+lot|lots)\s+of\b|\b(?:strong|heavy|intense)\b"
)


def _degree(clause: str) -> float:
    """How much to fix: "a bit too dark" is a small fix; "too" itself is the complaint, not an amount."""
    return intensity(_DEGREE_ONLY.sub(" ", clause))


def complaint_fix(clause: str) -> list[OpCall] | None:
    """The fix for a clause that describes a problem of the picture, or None when it is no complaint."""
    if not _ANY_COMPLAINT.search(clause) or _NEGATED.search(clause):
        return None
    request = _REQUEST_START.match(clause) is not None
    degree = _degree(clause)
    for pattern, fix in _FIX_FORMS:
        if pattern.search(clause):
            return fix(degree)
    if not request:
        for pattern, fix in _QUANTITY_FORMS:
            if pattern.search(clause):
                return fix(degree)
    else:
        # "make it look soft" and "make it low contrast" ask for the look; a request is a complaint
        # only through "too" or "not so" ("make it not so dark").
        clause = re.sub(rf"\b{_COPULA}\b", " ", clause)
    for pattern, fix in _FORMS:
        if pattern.search(clause):
            return fix(degree)
    return None


_FAMILIES = {"brightness": "exposure", "gamma": "exposure", "vibrance": "saturation", "white_balance": "warmth"}


def same_fix(complaint: list[OpCall], request: list[OpCall]) -> bool:
    """True when a request repeats the fix a complaint already planned ("it's too dark, brighten it")."""
    families = {_FAMILIES.get(call.op, call.op) for call in complaint}
    return bool(request) and all(_FAMILIES.get(call.op, call.op) in families for call in request)
