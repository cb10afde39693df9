"""Chat phrases that name an AI tool ("make a US passport photo", "compress it to 200 KB"): text -> (tool, params).

Only a whole request for one tool matches; a sentence that asks for more ("remove the background and make it
brighter") is left to the planner, which chains steps. The parameters are the tool's own (see the tool's
params model); anything the words do not say keeps the tool's default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nanobananas.engine.ops._color import parse_color

__all__ = ["match_tool"]

ToolMatch = tuple[str, dict[str, Any]]

# Politeness and lead-ins before the request, and what may trail it.
_LEAD = (
    r"^\s*(?:(?:please|pls|ok(?:ay)?|now|then|and|so|hey|hi|can\s+you|could\s+you|would\s+you|will\s+you"
    r"|i\s+(?:want|need|would\s+like)(?:\s+you)?(?:\s+to)?|i'?d\s+like(?:\s+you)?(?:\s+to)?|let'?s|just)[\s,]+)*"
)
_TAIL = r"\s*(?:,?\s*(?:please|pls|thanks?|thank\s+you))?\s*[.!?]*\s*$"
_THIS = r"(?:(?:it|this|that|the|my|this\s+old|the\s+old|my\s+old)\s+)?"
_IMAGE = r"(?:photo|picture|pic|image|one|shot|portrait|selfie)"
_TARGET = r"(?:\s+(?:it|this|that|(?:this|the|my)\s+" + _IMAGE + r"))?"

_COUNTRIES: list[tuple[str, str]] = [
    (r"u\.?s\.?a?\.?|united\s+states|america(?:n)?|american", "us"),
    (r"u\.?k\.?|united\s+kingdom|britain|british|england|english", "uk"),
    (r"e\.?u\.?|europe(?:an)?|schengen|german(?:y)?|france|french|spain|spanish|ital(?:y|ian)|netherlands|dutch", "eu"),
    (r"canad(?:a|ian)", "ca"),
    (r"india(?:n)?", "in"),
    (r"chin(?:a|ese)", "cn"),
]
_COUNTRY = "|".join(f"(?:{pattern})" for pattern, _ in _COUNTRIES)


def _country(words: str | None) -> dict[str, Any]:
    if not words:
        return {}
    for pattern, code in _COUNTRIES:
        if re.fullmatch(pattern, words.strip(), re.IGNORECASE):
            return {"country": code}
    return {}


_ID_PHOTO = re.compile(
    _LEAD + r"(?:(?:make|create|turn|give\s+me|get\s+me|do|prepare)\s+(?:(?:it|this|this\s+" + _IMAGE + r")\s+"
    r"(?:(?:into|in)\s+)?)?(?:me\s+)?(?:an?\s+)?)?(?:(?P<c1>" + _COUNTRY + r")\s+)?"
    r"(?:passport|id|i\.d\.|visa|identity(?:\s+card)?)\s+(?:photo|picture|pic|image)s?"
    r"(?:\s+(?:for|from|of)\s+(?:the\s+)?(?P<c2>" + _COUNTRY + r"))?"
    r"(?:\s+(?:out\s+of|from)\s+(?:it|this|this\s+" + _IMAGE + r"))?" + _TAIL,
    re.IGNORECASE,
)
_PRESETS = r"amazon|etsy|shopify|white|gradient"
_PRODUCT = re.compile(
    _LEAD + r"(?:(?:make|create|turn|give\s+me|do)\s+(?:(?:it|this|this\s+" + _IMAGE + r")\s+(?:(?:into|in)\s+)?)?"
    r"(?:me\s+)?(?:an?\s+)?)?(?:(?P<p1>"
    + _PRESETS
    + r")\s+)?(?:product|listing|marketplace)\s+(?:photo|shot|image|picture)s?"
    r"(?:\s+(?:for|on|in)\s+(?P<p2>" + _PRESETS + r"))?(?:\s+(?:on|with)\s+(?:an?\s+)?(?P<p3>white|gradient)"
    r"(?:\s+background)?)?" + _TAIL,
    re.IGNORECASE,
)
_SOCIAL = re.compile(
    _LEAD + r"(?:resize|crop|size|format|make|prepare|export|turn)" + _TARGET + r"\s+(?:for|to|into)\s+"
    r"(?:all|every|each|the)?\s*(?:the\s+)?(?:common\s+|different\s+)?(?:social(?:\s+media)?|social\s+networks?)"
    r"(?:\s+(?:sizes|formats|platforms|networks|sites|posts?))?"
    + _TAIL
    + r"|"
    + _LEAD
    + r"(?:all|every)\s+(?:the\s+)?social(?:\s+media)?\s+(?:sizes|formats)"
    + _TAIL,
    re.IGNORECASE,
)
_SIZE = r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?P<unit>kb|kib|k|mb|mib|m|megabytes?|kilobytes?)\b"
_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "webp": "webp", "avif": "avif"}
_COMPRESS = re.compile(
    _LEAD + r"(?:compress|shrink|reduce|squeeze|get|make)" + _TARGET + r"(?:\s+(?:the\s+)?(?:file\s+)?size)?"
    r"\s+(?:to|under|below|down\s+to|to\s+under|less\s+than|at\s+most)\s+"
    + _SIZE
    + r"(?:\s+(?:as\s+(?:an?\s+)?|in\s+)?(?P<format>jpe?g|png|webp|avif))?"
    + _TAIL,
    re.IGNORECASE,
)
_CONVERT = re.compile(
    _LEAD + r"(?:convert|save|export|change|turn|make)" + _TARGET + r"\s+(?:to|as|into)\s+(?:an?\s+)?"
    r"(?P<format>jpe?g|png|webp|avif)(?:\s+(?:file|format|image))?" + _TAIL,
    re.IGNORECASE,
)
_WATERMARK = re.compile(
    _LEAD + r"(?:add|put|place|stamp)\s+(?:an?\s+|my\s+)?(?P<tiled>tiled\s+)?watermark"
    r"(?:\s+(?:saying|that\s+says|reading|with(?:\s+the\s+text)?|of|:))?\s*(?P<text>.+?)"
    r"(?:\s+(?:in\s+the\s+|at\s+the\s+|on\s+the\s+)?(?P<where>(?:top|bottom)[\s-]+(?:left|right)|centre|center|middle)"
    r"(?:\s+corner)?|\s+(?P<tiled2>tiled|all\s+over(?:\s+it)?|across\s+(?:it|the\s+(?:whole\s+)?"
    + _IMAGE
    + r")))?"
    + _TAIL,
    re.IGNORECASE,
)
_MEME = re.compile(
    _LEAD
    + r"(?:make|create|turn)\s+(?:(?:it|this)\s+(?:into\s+)?)?(?:me\s+)?(?:an?\s+)?meme\b\s*(?:with|saying)?\s*:?\s*"
    r"(?:top(?:\s+text)?\s*[:=]?\s*(?P<top>.+?))?\s*[,;]?\s*(?:bottom(?:\s+text)?\s*[:=]?\s*(?P<bottom>.+?))?" + _TAIL,
    re.IGNORECASE,
)
_UPSCALE = re.compile(
    _LEAD
    + r"(?:upscale|upsize|enlarge|up-?res|super[\s-]?resolve)"
    + _TARGET
    + r"(?:\s+(?:by\s+)?(?:(?P<factor>[24])\s*(?:x|\u00d7|times)|(?P<word>two|four|double|quadruple)(?:\s+times)?))?"
    + _TAIL
    + r"|"
    + _LEAD
    + r"make"
    + _TARGET
    + r"\s+(?P<factor2>[24])\s*(?:x|\u00d7|times)\s+(?:bigger|larger)"
    + _TAIL,
    re.IGNORECASE,
)
_RESTORE = re.compile(
    _LEAD
    + r"(?:restore|repair|fix|clean\s+up|revive)\s+"
    + _THIS
    + r"(?:old|faded|damaged|scratched|vintage|family)\s+(?:"
    + _IMAGE
    + r"|photograph)"
    + _TAIL
    + r"|"
    + _LEAD
    + r"(?:restore|repair)\s+(?:it|this|this\s+"
    + _IMAGE
    + r")"
    + _TAIL
    + r"|"
    + _LEAD
    + r"(?:remove|fix)\s+(?:the\s+)?(?:scratches|dust(?:\s+and\s+scratches)?)"
    + _TARGET
    + r"(?:\s+(?:from|on)\s+(?:it|this|this\s+"
    + _IMAGE
    + r"))?"
    + _TAIL,
    re.IGNORECASE,
)
_COLORIZE = re.compile(
    _LEAD
    + r"(?:colou?ri[sz]e|recolou?ri[sz]e)"
    + _TARGET
    + _TAIL
    + r"|"
    + _LEAD
    + r"(?:add|bring\s+back|put)\s+(?:the\s+)?colou?rs?\s+(?:to|into|back\s+(?:to|into))\s+"
    r"(?:it|this|this\s+(?:old\s+)?(?:black[\s-]+and[\s-]+white\s+|b&w\s+)?" + _IMAGE + r")" + _TAIL,
    re.IGNORECASE,
)
_ENHANCE = re.compile(
    _LEAD
    + r"(?:auto[\s-]?enhance|enhance|improve|auto[\s-]?fix|touch\s+up)"
    + _TARGET
    + r"(?:\s+automatically)?"
    + _TAIL,
    re.IGNORECASE,
)
_REMOVE_BACKGROUND = re.compile(
    _LEAD + r"(?:remove|delete|erase|cut\s+out|get\s+rid\s+of|drop|take\s+out|take\s+away)\s+(?:the\s+|its\s+|my\s+)?"
    r"(?:background|backdrop|bg)"
    + _TAIL
    + r"|"
    + _LEAD
    + r"(?:make\s+(?:the\s+)?background\s+transparent|cut\s+out\s+the\s+(?:subject|person|product))"
    + _TAIL,
    re.IGNORECASE,
)
_REPLACE_BACKGROUND = re.compile(
    _LEAD + r"(?:replace|change|swap|switch)\s+(?:the\s+|its\s+|my\s+)?(?:background|backdrop|bg)\s+"
    r"(?:with|to|for)\s+(?:an?\s+|the\s+)?(?P<what>.+?)" + _TAIL,
    re.IGNORECASE,
)
_QR = re.compile(
    _LEAD + r"(?:make|create|design|generate)\s+(?:me\s+)?(?:an?\s+)?qr(?:[\s-]*code)?\s+poster\s+"
    r"(?:for|to|with|linking\s+to|pointing\s+to)\s+(?P<url>\S+)" + _TAIL,
    re.IGNORECASE,
)
_GRADIENT = re.compile(r"^(?:(?P<a>[a-z#0-9 -]+?)\s+(?:to|and)\s+(?P<b>[a-z#0-9 -]+?)\s+)?gradient$", re.IGNORECASE)
_BLUR = re.compile(
    r"^(?:a\s+)?blur(?:red|ry)?(?:\s+(?:version|copy)(?:\s+of\s+(?:it|the\s+original))?|\s+background)?$"
)
# Straight and curly quotes around quoted words ("DRAFT", “DRAFT”).
_QUOTES = "\"'\u201c\u201d\u2018\u2019"
_WORD_FACTORS = {"two": 2, "double": 2, "four": 4, "quadruple": 4}


def _color(words: str) -> str | None:
    words = re.sub(r"^(?:plain|solid|a|an|the)\s+", "", words.strip().lower())
    words = re.sub(r"\s+(?:colou?r|background|backdrop)$", "", words)
    try:
        return parse_color(words)
    except ValueError:
        return None


def _id_photo(match: re.Match[str]) -> dict[str, Any]:
    return _country(match.group("c1") or match.group("c2"))


def _product(match: re.Match[str]) -> dict[str, Any]:
    preset = match.group("p1") or match.group("p2") or match.group("p3")
    return {"preset": preset.lower()} if preset else {}


def _compress(match: re.Match[str]) -> dict[str, Any] | None:
    amount = float(match.group("amount").replace(",", "."))
    unit = match.group("unit").lower()
    kb = amount * 1024 if unit.startswith("m") else amount
    if kb < 1:
        return None
    params: dict[str, Any] = {"target_kb": round(kb)}
    if match.group("format"):
        params["format"] = _FORMATS[match.group("format").lower()]
    return params


def _convert(match: re.Match[str]) -> dict[str, Any]:
    return {"format": _FORMATS[match.group("format").lower()]}


def _watermark(match: re.Match[str]) -> dict[str, Any] | None:
    text = match.group("text").strip().strip(_QUOTES).strip()
    if not text:
        return None
    params: dict[str, Any] = {"text": text}
    if match.group("tiled") or match.group("tiled2"):
        params["position"] = "tiled"
    elif where := match.group("where"):
        where = re.sub(r"[\s-]+", "-", where.lower())
        params["position"] = "center" if where in {"centre", "middle"} else where
    return params


def _meme(match: re.Match[str]) -> dict[str, Any] | None:
    params = {
        key: value.strip().strip(_QUOTES).strip()
        for key in ("top", "bottom")
        if (value := match.group(key)) and value.strip().strip(_QUOTES).strip()
    }
    return params or None


def _upscale(match: re.Match[str]) -> dict[str, Any]:
    if factor := match.group("factor") or match.group("factor2"):
        return {"factor": int(factor)}
    if word := match.group("word"):
        return {"factor": _WORD_FACTORS[word.lower()]}
    return {}


def _replace_background(match: re.Match[str]) -> dict[str, Any] | None:
    what = match.group("what").strip()
    if _BLUR.match(what.lower()):
        return {"mode": "blur"}
    gradient = _GRADIENT.match(what)
    if gradient is not None:
        params: dict[str, Any] = {"mode": "gradient"}
        if gradient.group("a"):
            first, second = _color(gradient.group("a")), _color(gradient.group("b"))
            if first is None or second is None:
                return None
            params.update(color=first, color2=second)
        return params
    color = _color(what)
    return {"mode": "color", "color": color} if color is not None else None


def _qr(match: re.Match[str]) -> dict[str, Any]:
    return {"url": match.group("url").rstrip(".,!?")}


def _none(match: re.Match[str]) -> dict[str, Any]:
    return {}


# Most specific first: "compress it to 200 KB as webp" is a compression, not a conversion.
_RULES: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], dict[str, Any] | None]]] = [
    ("id-photo", _ID_PHOTO, _id_photo),
    ("product-photo", _PRODUCT, _product),
    ("social-resize", _SOCIAL, _none),
    ("convert", _COMPRESS, _compress),
    ("convert", _CONVERT, _convert),
    ("watermark", _WATERMARK, _watermark),
    ("meme", _MEME, _meme),
    ("upscale", _UPSCALE, _upscale),
    ("restore", _RESTORE, _none),
    ("colorize", _COLORIZE, _none),
    ("enhance", _ENHANCE, _none),
    ("remove-background", _REMOVE_BACKGROUND, _none),
    ("replace-background", _REPLACE_BACKGROUND, _replace_background),
    ("qr-poster", _QR, _qr),
]


def match_tool(text: str) -> ToolMatch | None:
    """The tool a chat message asks for and the parameters its words give, or None when it is not one
    whole tool request. Pure and quick: called for every chat turn."""
    text = " ".join(text.split())
    if not text or len(text) > 300:
        return None
    for name, pattern, params_of in _RULES:
        match = pattern.match(text)
        if match is None:
            continue
        params = params_of(match)
        if params is not None:
            return name, params
    return None
