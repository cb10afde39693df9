"""Clause rules: each turns one normalized clause into op calls, a refusal, a question, or nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nanobananas.engine.plan import Clarification, OpCall, Refusal
from nanobananas.engine.planner.amounts import (
    colors_in,
    first_number,
    intensity,
    is_decrease,
    is_increase,
    percent_in,
    position_in,
    px_in,
    size_word_in,
)
from nanobananas.engine.planner.complaints import complaint_fix
from nanobananas.engine.planner.constraints import NO_CROP_FIT
from nanobananas.engine.planner.print_sizes import print_size_calls

__all__ = ["Clause", "RuleOutcome", "match_clause"]


@dataclass
class Clause:
    """One clause of an instruction with the quoted texts and links of the whole instruction,
    and the picture's size when the caller knows it."""

    text: str
    quotes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    image_size: tuple[int, int] | None = None

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text) is not None

    def find(self, pattern: str) -> re.Match[str] | None:
        return re.search(pattern, self.text)

    def quoted(self) -> str | None:
        match = re.search(r"\bqtext(\d+)\b", self.text)
        return self.quotes[int(match.group(1))] if match and int(match.group(1)) < len(self.quotes) else None

    def link(self) -> str | None:
        match = re.search(r"\bqlink(\d+)\b", self.text)
        return self.links[int(match.group(1))] if match and int(match.group(1)) < len(self.links) else None


RuleOutcome = list[OpCall] | Refusal | Clarification
Rule = Callable[[Clause], RuleOutcome | None]


def _call(op: str, **params: Any) -> list[OpCall]:
    return [OpCall(op=op, params={k: v for k, v in params.items() if v is not None})]


def _signed(clause: Clause, base: float, *, positive: bool) -> float:
    """An amount with its sign: an explicit percent wins, otherwise base scaled by intensity."""
    explicit = percent_in(clause.text)
    amount = abs(explicit) if explicit is not None else base * intensity(clause.text)
    return round(amount if positive else -amount, 4)


# ---------------------------------------------------------------- subject and background


def _background(clause: Clause) -> RuleOutcome | None:
    if clause.has(r"\b(?:pad|padding|letterbox\w*|bars)\b"):
        return None  # "pad it to a square with a white background" names the colour of the padding
    if not clause.has(
        r"\bbackground\b|\bcut\s*out\b|\bcut\s+(?:the\s+)?(?:\w+\s+)?out\b|\bisolate\b|\btransparent\b"
        r"|\bbokeh\b|\bportrait\s+mode\b"
    ):
        return None
    if clause.has(r"\bblur\w*|\bbokeh\b|\bportrait\s+mode\b|\bdepth\s+of\s+field\b|\bout\s+of\s+focus\b|\bdefocus"):
        if clause.has(r"\b(?:replace|change|swap|make|turn)\b.*\bbackground\b.*\bblur"):
            return _call("replace_background", mode="blur", radius=round(12 * intensity(clause.text), 2))
        return _call("blur", radius=round(8 * intensity(clause.text), 2), background_only=True)
    if clause.has(
        r"\b(?:remove|removal|delete|erase|drop|cut\s*out|cut\s+(?:the\s+)?(?:\w+\s+)?out|get\s+rid\s+of|take\s+out|take\s+away|clear|lose|strip)\b"
        r"|\btransparent\b|\bno\s+background\b|\bwithout\s+(?:a\s+|the\s+|any\s+)?background\b|\bisolate\b"
    ):
        return _call("remove_background")
    if clause.has(r"\b(?:bw|grayscale|monochrome|colorless|desaturate\w*)\b"):
        return _call("replace_background", mode="grayscale")
    colors = colors_in(clause.text)
    if clause.has(r"\bgradient\b"):
        first = colors[0] if colors else "skyblue"
        second = colors[1] if len(colors) > 1 else "white"
        return _call("replace_background", mode="gradient", color=first, color2=second)
    if colors:
        return _call("replace_background", mode="color", color=colors[0])
    if clause.has(
        r"\b(?:brighter|darker|lighter|sharper|warmer|cooler|more|less|saturated|contrast|brightness|exposure)\b"
    ):
        return Clarification(
            question="I can remove, blur or recolour the background, but not adjust its tone on its own.",
            suggestions=["blur the background", "make the background white", "remove the background"],
        )
    if clause.has(r"\b(?:replace|change|swap|new|different|put|place|set|make|turn|with|into|to)\b"):
        return Refusal(reason="putting a new scene behind the subject creates new content")
    return None


# ---------------------------------------------------------------- text and marks


def _qr(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\bqrcode\b|\bqr\b"):
        return None
    data = clause.link() or clause.quoted()
    if data is None:
        match = clause.find(r"\b(?:for|to|linking\s+to|pointing\s+to|with|of)\s+(\S+)$")
        data = match.group(1) if match else None
    if data is None:
        return Clarification(
            question="What should the QR code open? Give a link or text in quotes.",
            suggestions=['add a QR code for "https://example.com" in the bottom right corner'],
        )
    return _call("qr_code", data=data, position=position_in(clause.text))


def _watermark(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\bwatermark"):
        return None
    text = clause.quoted()
    if text is None:
        return Clarification(
            question="What should the watermark say? Put the words in quotes.",
            suggestions=['add a watermark "© My Studio"', 'add a tiled watermark "DRAFT"'],
        )
    opacity = percent_in(clause.text)
    if opacity is None:
        opacity = 0.2 if clause.has(r"\b(?:faint|subtle|light|barely)\b") else None
        if clause.has(r"\b(?:strong|visible|bold|opaque|clear)\b"):
            opacity = 0.6
    tiled = clause.has(r"\b(?:tile|tiled|tiling|repeat|repeated|repeating|all\s+over|everywhere|across)\b")
    colors = colors_in(clause.text)
    return _call(
        "watermark",
        text=text,
        opacity=opacity,
        tiled=tiled or None,
        position=None if tiled else position_in(clause.text),
        color=colors[0] if colors else None,
    )


def _caption_bar(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\bcaption\b|\bbar\b|\bbanner\b(?!.*\b(?:twitter|linkedin)\b)"):
        return None
    text = clause.quoted()
    if text is None:
        return None
    colors = colors_in(clause.text)
    position = "top" if clause.has(r"\b(?:top|above|over)\b") else "bottom"
    return _call(
        "caption_bar",
        text=text,
        position=position,
        background=colors[0] if colors else None,
        color=colors[1] if len(colors) > 1 else None,
    )


def _default_text_position(clause: Clause) -> str:
    if clause.has(r"\b(?:title|headline|heading)\b"):
        return "top"
    if clause.has(r"\b(?:sign|signature|signed|credit|copyright)\b"):
        return "bottom-right"
    return "center"


def _add_text(clause: Clause) -> RuleOutcome | None:
    text = clause.quoted()
    if text is None:
        if clause.has(r"\b(?:add|put|write|place|insert)\b.*\b(?:text|words?|title|caption|label|headline)\b"):
            return Clarification(
                question="What text should I write? Put the words in quotes.",
                suggestions=['add the text "HELLO" at the top', 'write "SALE" in big letters in the center'],
            )
        return None
    colors = colors_in(clause.text)
    color_match = re.search(r"\b(?:in|with)\s+(" + "|".join(colors) + r")\b", clause.text) if colors else None
    return _call(
        "add_text",
        text=text,
        position=position_in(clause.text) or _default_text_position(clause),
        size=size_word_in(clause.text),
        color=(color_match.group(1) if color_match else colors[0]) if colors else None,
        shadow=True if clause.has(r"\bshadow") else None,
        outline=False if clause.has(r"\bno\s+outline|\bwithout\s+(?:an?\s+)?outline") else None,
        font=next((f for f in ("lato", "roboto") if clause.has(rf"\b{f}\b")), None)
        or ("source-sans" if clause.has(r"\bsource\s+sans\b") else None),
    )


# ---------------------------------------------------------------- frames and shapes


def _round_corners(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\bround(?:ed)?\b.*\b(?:corners?|edges?)\b|\b(?:corners?|edges?)\b.*\bround(?:ed)?\b"):
        return None
    radius = px_in(clause.text)
    return _call("round_corners", radius=int(radius) if radius else None)


def _polaroid(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\bpolaroid\b|\binstant\s+(?:photo|camera|film)\b"):
        return None
    return _call("polaroid")


def _ratio(clause: Clause) -> str | None:
    match = clause.find(r"\b(\d+(?:\.\d+)?)\s*(?::|x|to)\s*(\d+(?:\.\d+)?)\b")
    if match and float(match.group(1)) <= 32 and float(match.group(2)) <= 32:
        return f"{float(match.group(1)):g}:{float(match.group(2)):g}"
    named = (
        (r"\bsquare\b", "1:1"),
        (r"\b(?:widescreen|wide\s+screen|cinematic|cinema|16x9)\b", "16:9"),
        (r"\b(?:panorama|panoramic)\b", "3:1"),
        (r"\b(?:portrait|vertical|tall)\b", "4:5"),
        (r"\b(?:landscape|horizontal)\b", "3:2"),
    )
    for pattern, ratio in named:
        if clause.has(pattern):
            return ratio
    return None


def _print_size(clause: Clause) -> RuleOutcome | None:
    return print_size_calls(clause.text)


def _pad(clause: Clause) -> RuleOutcome | None:
    if not clause.has(
        r"\b(?:pad|padding|letterbox|letterboxing)\b|\bwithout\s+cropping\b|\bno\s+crop|\bdo\s+not\s+crop|\bwithout\s+crop"
    ) and not (NO_CROP_FIT.search(clause.text) and _ratio(clause) is not None):
        return None
    colors = colors_in(clause.text)
    ratio = _ratio(clause)
    width = px_in(clause.text) or first_number(clause.text)
    if ratio is None and width is not None and width >= 1:
        # "add 30 pixels of white padding": an even margin is a border.
        return _call("border", width=round(width), color=colors[0] if colors else None)
    return _call("pad", ratio=ratio or "1:1", color=colors[0] if colors else None)


def _trim(clause: Clause) -> RuleOutcome | None:
    if clause.has(
        r"\b(?:remove|delete|trim|crop\s+(?:off|out|away)|cut\s+off|get\s+rid\s+of|take\s+off|strip)\s+"
        r"(?:the\s+|any\s+|all\s+(?:the\s+)?)?(?:\w+\s+)?(?:border|borders|frame|margins?|edges?|letterbox\w*"
        r"|black\s+bars|bars|whitespace|white\s+space|empty\s+space)\b|\bauto\s*-?\s*crop\b|\btrim\s+(?:it|the\s+image)?$|^trim$"
    ):
        return _call("trim")
    return None


def _faces(clause: Clause) -> RuleOutcome | None:
    if clause.has(
        r"\b(?:blur|pixelate|hide|anonymi[sz]e|censor|obscure|mask)\w*\s+(?:out\s+)?"
        r"(?:the\s+|all\s+(?:the\s+)?|every\s+|any\s+|their\s+|his\s+|her\s+)?faces?\b|\banonymi[sz]e\b"
    ):
        return _call("blur_faces", style="pixelate" if clause.has(r"\bpixel") else None)
    return None


def _border(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\b(?:border|borders|frame|framed|frame\s+it|margin|margins|outline|mat|matte\s+border)\b"):
        return None
    if clause.has(r"\b(?:remove|delete|crop\s+off|trim)\b"):
        return None
    share = percent_in(clause.text)
    colors = colors_in(clause.text)
    if share is not None and 0 < share <= 0.5:
        return _call("border", percent=round(share * 100, 3), color=colors[0] if colors else None)
    width = px_in(clause.text) or first_number(clause.text)
    if width is None:
        if clause.has(r"\b(?:very\s+thin|hairline|fine)\b"):
            width = 3
        elif clause.has(r"\b(?:thin|narrow|slim|small)\b"):
            width = 6
        elif clause.has(r"\b(?:very\s+thick|huge|massive)\b"):
            width = 80
        elif clause.has(r"\b(?:thick|wide|big|heavy|large|bold)\b"):
            width = 40
        else:
            width = 20
    return _call("border", width=max(1, round(width)), color=colors[0] if colors else None)


# ---------------------------------------------------------------- styles


_SPLASH_HUES = frozenset({"red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink"})
_CURVE_WORDS = (
    (r"\b(?:moody|dark\s+and\s+moody|brooding)\b", "moody"),
    (
        r"\b(?:vintage|retro|old\s+school|nostalgic|(?:19)?[6-9]0\s*s|lomo|lomography|analog|analogue)\b",
        "vintage",
    ),
    (r"\b(?:cinematic|cinema|movie|film|filmic|teal\s+and\s+orange|hollywood)\b", "cinematic"),
    (r"\b(?:faded|fade|washed\s+out\s+look)\b", "fade"),
    (r"\bmatte\b", "matte"),
    (r"\b(?:dramatic|drama|intense\s+look|gritty)\b", "dramatic"),
    (r"\bvivid\s+(?:look|filter|preset|style|effect)\b", "vivid"),
)


def _style(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    splash = re.search(
        r"\b(?:keep|leave|only)\s+(?:only\s+)?(?:the\s+)?(red|orange|yellow|green|cyan|blue|purple|pink)\b"
        r"|\bexcept\s+(?:for\s+)?(?:the\s+)?(red|orange|yellow|green|cyan|blue|purple|pink)\b"
        r"|\b(?:color\s+splash|selective\s+color|splash\s+of\s+color)\b",
        text,
    )
    if splash:
        hue = splash.group(1) or splash.group(2) or next(iter(colors_in(text)), "red")
        return _call("color_splash", keep=hue if hue in _SPLASH_HUES else "red")
    if re.search(r"\btilt\s*shift\b|\bminiature\b|\btoy\s+(?:model|town)\b", text):
        return _call("tilt_shift")
    if re.search(
        r"\b(?:drop\s+shadow|shadow\s+effect|cast\s+a\s+shadow)\b|^(?:add|give\s+it)\s+(?:a\s+)?(?:soft\s+)?shadow$",
        text,
    ):
        colors = colors_in(text)
        return _call("drop_shadow", background=colors[0] if colors else None)
    if re.search(r"\bcharcoal\b", text):
        return _call("charcoal")
    if re.search(r"\b(?:sketch|sketched|pencil|line\s+(?:art|drawing)|drawing|drawn|hand\s+drawn)\b", text):
        return _call("pencil_sketch")
    if re.search(r"\b(?:cartoon|cartoonify|cartoony|cartoonish|comic\s+book|comic|toon|animated\s+look|anime)\b", text):
        return _call("cartoon")
    if re.search(r"\bwatercolor\b|\baquarelle\b", text):
        return _call("watercolor")
    if re.search(r"\b(?:oil|painting|painted|paint\s+effect|impasto|painterly|brush\s+strokes?)\b", text):
        return _call("oil_painting")
    if re.search(r"\b(?:halftone|benday|newspaper|newsprint|pop\s+art|comic\s+dots|dots)\b", text):
        return _call("halftone", color=True if re.search(r"\bcolor\b", text) else None)
    if re.search(
        r"\b(?:pixelate|pixelated|pixelation|pixelize|pixel\s+art|pixels?\s+effect|mosaic|8\s+bit|blocky|censor)\b",
        text,
    ):
        size = px_in(text)
        if size is not None and size >= 2:
            return _call("pixelate", block=int(size))
        if re.search(r"\b(?:8\s+bit|pixel\s+art|retro\s+game)\b", text):
            return _call("pixelate", blocks=32)
        return _call("pixelate", blocks={0.5: 120, 1.0: None, 2.0: 24}[intensity(text)])
    total = re.search(r"\b(?:reduce|limit|cut)\s+(?:it\s+|the\s+colors\s+)?(?:down\s+)?to\s+(\d+)\s+colors\b", text)
    if total:
        return _call("posterize", levels=min(64, max(2, round(int(total.group(1)) ** (1 / 3)))))
    if re.search(r"\bposterize|\bposter\s+(?:effect|look|style)\b|\bfewer\s+colors\b|\bflat\s+colors\b", text):
        match = re.search(r"(\d+)\s+(?:levels?|colors?|tones?|shades?|steps?)", text)
        levels = int(match.group(1)) if match else 4
        return _call("posterize", levels=min(64, max(2, levels)))
    if re.search(
        r"\b(?:sepia|antique|old\s+(?:photo|photograph|picture|fashioned|timey|time)|look\s+old|aged|brownish"
        r"|(?:18\d|19[0-5])0\s*s|victorian|old\s+days)\b",
        text,
    ):
        return _call("sepia", amount=0.6 if intensity(text) < 1 else None)
    if re.search(r"\b(?:invert|inverted|inverse|negative|inversion)\b", text):
        return _call("invert")
    if re.search(r"\b(?:emboss|embossed|relief|engraved)\b", text):
        return _call("emboss")
    if re.search(r"\b(?:glow|glowing|bloom|dreamy\s+glow|orton|ethereal)\b", text):
        return _call("glow", amount=round(min(1.0, 0.5 * intensity(text)), 2))
    if re.search(r"\b(?:grain|grainy|film\s+grain|noise\s+effect)\b", text) or re.search(r"\badd\b.*\bnoise\b", text):
        return _call("grain", amount=round(min(2.0, 0.5 * intensity(text)), 2))
    grayscale_wanted = re.search(r"\b(?:bw|grayscale|monochrome)\b", text) is not None
    for pattern, preset in _CURVE_WORDS:
        if re.search(pattern, text) and not grayscale_wanted:
            return _call("curves", preset=preset, strength=0.5 if intensity(text) < 1 else None)
    if re.search(
        r"\b(?:vignette|vignetting|dark(?:en)?\s+(?:the\s+)?(?:edges|corners)|(?:edges|corners)\s+dark)", text
    ):
        if is_decrease(text) and re.search(r"\b(?:remove|no|without)\b", text):
            return None
        return _call("vignette", strength=round(min(1.0, 0.5 * intensity(text)), 2))
    return None


def _denoise(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if re.search(r"\bdenoise|\bnoise\s+reduction\b", text) or (
        re.search(r"\b(?:noise|noisy|grain|grainy|graininess|noisiness|speckles?|speckled|artifacts|static)\b", text)
        and re.search(
            r"\b(?:remove|reduce|less|clean|fix|get\s+rid|eliminate|cut|smooth|lower|decrease|too|minimi[sz]e|no)\b",
            text,
        )
    ):
        return _call("denoise", strength=round(min(50.0, 12 * intensity(text)), 2))
    return None


def _grayscale(clause: Clause) -> RuleOutcome | None:
    if clause.has(
        r"\b(?:bw|grayscale|monochrome|monochromatic|mono|colorless|noir|gray|grayed)\b"
        r"|\b(?:remove|drop|strip|drain|take\s+out|take\s+away|no|without|get\s+rid\s+of|lose)\s+(?:the\s+|any\s+|all\s+(?:the\s+)?)?colors?\b"
        r"|\bdesaturate\w*\s+(?:it\s+)?(?:completely|fully|entirely|totally|all\s+the\s+way)|\b(?:completely|fully|totally)\s+desaturate"
        r"|\bshades\s+of\s+gray\b"
    ):
        return _call("grayscale")
    return None


# ---------------------------------------------------------------- geometry


def _flip(clause: Clause) -> RuleOutcome | None:
    if not clause.has(r"\b(?:flip|flipped|mirror|mirrored|reflect|reflected|flop)\b"):
        return None
    vertical = clause.has(r"\b(?:vertical|vertically|upside\s+down|top\s+to\s+bottom|up\s+and\s+down|over)\b")
    return _call("flip", direction="vertical" if vertical else "horizontal")


def _rotate(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if not re.search(
        r"\b(?:rotate|rotated|rotation|rotating|turn|spin|tilt|straighten|upside\s+down|degrees|clockwise"
        r"|counterclockwise|ccw|cw|on\s+its\s+side)\b",
        text,
    ):
        return None
    if re.search(r"\b(?:into|in\s+to)\b|\bturn\s+(?:up|down|off|on)\b", text):
        return None
    degrees: float | None = None
    match = re.search(r"([+-]?\d+(?:\.\d+)?)\s*degrees", text) or re.search(
        r"\b(?:rotate|turn|spin|tilt|straighten)\w*\s+(?:it\s+|the\s+\w+\s+)?(?:by\s+)?([+-]?\d+(?:\.\d+)?)\b(?!\s*(?:x|times|percent|px))",
        text,
    )
    if match:
        degrees = float(match.group(1))
    elif re.search(r"\b(?:upside\s+down|half\s+(?:a\s+)?turn|180)\b", text):
        degrees = 180
    elif re.search(r"\b(?:three\s+quarters?|3\s+quarters?)\b", text):
        degrees = 270
    elif re.search(
        r"\b(?:quarter|sideways|on\s+its\s+side|90|left|right|clockwise|counterclockwise|ccw|cw|rotate|rotation)\b",
        text,
    ):
        degrees = 90
    elif re.search(r"\bslight|\ba\s+bit\b|\ba\s+little\b", text):
        degrees = 5
    if degrees is None:
        return None
    if re.search(r"\btwice\b", text):
        degrees *= 2
    if re.search(r"\b(?:counterclockwise|ccw|left|anticlockwise)\b", text):
        degrees = -abs(degrees)
    return _call("rotate", degrees=degrees)


def _preset(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    table = (
        (
            r"\binstagram\b.*\b(?:story|stories|reel|reels)\b|\b(?:story|stories|reels?)\b.*\binstagram\b|\b(?:tiktok|snapchat)\b",
            "instagram_story",
        ),
        (
            r"\b(?:story|stories|reels?)\s+(?:size|format|dimensions)\b|\bfor\s+(?:a\s+|my\s+)?(?:story|stories)\b",
            "instagram_story",
        ),
        (r"\binstagram\b.*\b(?:portrait|vertical|4\s*:\s*5|4x5)\b", "instagram_portrait"),
        (r"\binstagram\b.*\b(?:landscape|horizontal)\b", "instagram_landscape"),
        (r"\binstagram\b", "instagram_post"),
        (r"\byoutube\b", "youtube_thumbnail"),
        (r"\bfacebook\b.*\b(?:cover|header|banner)\b", "facebook_cover"),
        (r"\bfacebook\b", "facebook_post"),
        (r"\b(?:twitter|x)\s+(?:header|banner|cover)\b", "twitter_header"),
        (r"\btwitter\b", "twitter_post"),
        (r"\blinkedin\b", "linkedin_banner"),
        (r"\bpinterest\b", "pinterest_pin"),
        (r"\b(?:passport|visa|id\s+photo|id\s+picture|id\s+card)\b", "passport"),
        (r"\b(?:4\s*k|uhd|2160\s*p)\b", "4k"),
        (r"\b(?:full\s+hd|1080\s*p|fhd)\b", "full_hd"),
        (r"\b(?:hd|720\s*p)\b", "hd"),
    )
    for pattern, preset in table:
        if re.search(pattern, text):
            return _call("resize_preset", preset=preset)
    return None


def _crop_pixels(clause: Clause, amount: int, side: str) -> RuleOutcome:
    """Cut `amount` pixels off one side or all of them; needs the picture's size."""
    if clause.image_size is None:
        return Clarification(
            question="Cropping by pixels needs the picture's size; a percentage works on any picture.",
            suggestions=["crop 10% off each side", "crop the left half"],
        )
    width, height = clause.image_size
    every = side in ("side", "sides", "edge", "edges", "border", "borders")
    left = amount if every or side == "left" else 0
    right = amount if every or side == "right" else 0
    top = amount if every or side == "top" else 0
    bottom = amount if every or side == "bottom" else 0
    if left + right >= width or top + bottom >= height:
        return Clarification(
            question=f"The picture is only {width}x{height} pixels; cutting {amount} px would leave nothing.",
            suggestions=["crop 10% off each side"],
        )
    return _call("crop_box", left=left, top=top, width=width - left - right, height=height - top - bottom)


def _crop(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    cropping = re.search(r"\b(?:crop|cropped|cropping|trim|cut)\b", text)
    if re.search(r"\bzoom\s+in\b", text):
        factor = first_number(text) or 1.25
        keep = max(5.0, min(100.0, 100 / max(1.0, factor)))
        edge = round((100 - keep) / 2, 3)
        return _call("crop_box", left=edge, top=edge, width=round(keep, 3), height=round(keep, 3), unit="percent")
    size = re.search(r"\b(\d+)x(\d+)\b", text)
    if cropping and size and (int(size.group(1)) > 32 or int(size.group(2)) > 32):
        return _call("resize", width=int(size.group(1)), height=int(size.group(2)), mode="fill")
    pixels = re.search(
        r"\b(\d+)\s*px\s+(?:off|from|of)\s+(?:the\s+|each\s+|every\s+|all\s+)?"
        r"(top|bottom|left|right|sides?|edges?|borders?)\b",
        text,
    )
    if cropping and pixels:
        return _crop_pixels(clause, int(pixels.group(1)), pixels.group(2))
    half = re.search(r"\b(left|right|top|bottom|upper|lower)\s+half\b", text)
    if cropping and half:
        side = {"upper": "top", "lower": "bottom"}.get(half.group(1), half.group(1))
        boxes = {
            "left": (0, 0, 50, 100),
            "right": (50, 0, 50, 100),
            "top": (0, 0, 100, 50),
            "bottom": (0, 50, 100, 50),
        }
        left, top, width, height = boxes[side]
        return _call("crop_box", left=left, top=top, width=width, height=height, unit="percent")
    margin = percent_in(text)
    if (
        cropping
        and margin is not None
        and 0 < margin < 0.5
        and re.search(r"\b(?:edges?|sides?|each|all|around|borders?|off)\b", text)
    ):
        edge = round(margin * 100, 3)
        return _call(
            "crop_box",
            left=edge,
            top=edge,
            width=round(100 - 2 * edge, 3),
            height=round(100 - 2 * edge, 3),
            unit="percent",
        )
    ratio = _ratio(clause)
    explicit = re.search(r"\b\d+(?:\.\d+)?\s*(?::|x|to)\s*\d+(?:\.\d+)?\b", text) is not None
    if ratio is not None and (
        cropping
        or re.search(r"\b(?:square|aspect|ratio)\b", text)
        or (not re.search(r"\d", text) and re.search(r"^(?:make|turn|change|convert|set)\b", text))
        or (explicit and re.search(r"\b(?:make\s+it|format|shape)\b", text))
    ):
        focus = "center" if re.search(r"\b(?:center|centered|middle)\b", text) else None
        return _call("crop_aspect", ratio=ratio, focus=focus)
    if cropping and not re.search(r"\b(?:background|noise|colors?|text)\b", text):
        return Clarification(
            question="What shape should I crop to?",
            suggestions=["crop to a square", "crop it to 16:9", "crop to 4:5 portrait", "crop the left half"],
        )
    return None


_SCALE_UP = (
    r"\b(?:upscale|upscaled|upsample|super\s*resolution|enlarge|enlarged|bigger|larger|double|twice|triple|grow"
    r"|blow\s+up|increase\s+(?:the\s+)?(?:size|resolution)|higher\s+resolution|scale\s+up|magnify)\b"
)
_SCALE_DOWN = (
    r"\b(?:shrink|smaller|downscale|downsize|reduce\s+(?:the\s+)?size|scale\s+down|halve|half|quarter|third"
    r"|decrease\s+(?:the\s+)?size|tiny|compact|minimi[sz]e)\b"
)


def _factor(clause: Clause) -> float | None:
    text = clause.text
    match = (
        re.search(r"(\d+(?:\.\d+)?)\s*(?:x|times)\b(?!\s*\d)", text)
        or re.search(r"\bx\s*(\d+(?:\.\d+)?)\b", text)
        or re.search(r"\bfactor\s+(?:of\s+)?(\d+(?:\.\d+)?)\b", text)
    )
    if match:
        return float(match.group(1))
    if re.search(r"\b(?:twice|double|doubled)\b", text):
        return 2.0
    if re.search(r"\b(?:triple|tripled|thrice)\b", text):
        return 3.0
    if re.search(r"\bquadruple\b", text):
        return 4.0
    if re.search(r"\b(?:3|three)\s+quarters?\b", text):
        return 0.75
    if re.search(r"\b(?:2|two)\s+thirds?\b", text):
        return 0.6667
    if re.search(r"\b(?:a\s+)?quarter\b", text):
        return 0.25
    if re.search(r"\b(?:a\s+|one\s+)?third\b", text):
        return round(1 / 3, 4)
    if re.search(r"\b(?:half|halve|halved)\b", text):
        return 0.5
    share = percent_in(text)
    if share is not None:
        shrinking = re.search(_SCALE_DOWN, text) or re.search(r"\b(?:reduce|decrease|cut|lower)\b", text)
        growing = re.search(_SCALE_UP, text) or re.search(r"\b(?:increase|raise)\b", text)
        if re.search(r"\bby\s+[+-]?\d", text) or re.search(r"\d\s+percent\s+(?:smaller|bigger|larger)", text):
            if shrinking:
                return round(1 - share, 4)
            if growing:
                return round(1 + share, 4)
        return share
    return None


def _resize(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    sized = re.search(
        r"\b(?:resize|resized|resizing|scale|scaled|size|dimensions|make\s+it|width|height|wide|tall|high|px)\b",
        text,
    )
    size = re.search(r"\b(\d+)x(\d+)\b", text)
    if size and int(size.group(1)) > 32 and int(size.group(2)) > 32:
        mode = "fill"
        if re.search(
            r"\b(?:fit|within|inside|max|maximum|no\s+(?:larger|bigger)|at\s+most|keep(?:ing)?\s+(?:the\s+)?(?:aspect|proportions?))\b",
            text,
        ):
            mode = "fit"
        elif re.search(r"\b(?:stretch|stretched|distort|exactly|squash|squeeze|ignore)\b", text):
            mode = "stretch"
        return _call("resize", width=int(size.group(1)), height=int(size.group(2)), mode=mode)
    width = re.search(
        r"(\d+)\s*(?:px\s+)?(?:wide|width|across)\b|\bwidth\s+(?:of\s+|to\s+|is\s+|at\s+|=\s*)?(\d+)", text
    )
    height = re.search(
        r"(\d+)\s*(?:px\s+)?(?:tall|high|height)\b|\bheight\s+(?:of\s+|to\s+|is\s+|at\s+|=\s*)?(\d+)", text
    )
    if width or height:
        w = int(next(g for g in width.groups() if g)) if width else None
        h = int(next(g for g in height.groups() if g)) if height else None
        return _call("resize", width=w, height=h, mode="fill" if w and h else None)
    longest = re.search(
        r"\b(?:longest|long|longer|max(?:imum)?|largest)\s+(?:side|edge|dimension)?\s*(?:of\s+|to\s+|is\s+)?(\d+)",
        text,
    )
    if longest and int(longest.group(1)) > 8:
        side = int(longest.group(1))
        return _call("resize", width=side, height=side, mode="fit")
    factor = _factor(clause)
    up = re.search(_SCALE_UP, text)
    down = re.search(_SCALE_DOWN, text)
    if factor is None:
        if up and not re.search(r"\btext\b", text):
            factor = {0.5: 1.5, 1.0: 2.0, 2.0: 4.0}[intensity(text)]
        elif down and not re.search(r"\b(?:text|file)\b", text):
            factor = {0.5: 0.75, 1.0: 0.5, 2.0: 0.25}[intensity(text)]
    if factor is not None and (sized or up or down):
        if not 0 < factor <= 8:
            return None
        if factor > 1:
            return _call("upscale", factor=factor)
        return _call("resize", factor=factor)
    plain = re.search(r"\b(?:resize|scale)\w*\s+(?:it\s+)?(?:down\s+|up\s+)?to\s+(\d+)\s*(?:px)?$", text)
    if plain and int(plain.group(1)) > 8:
        side = int(plain.group(1))
        return _call("resize", width=side, height=side, mode="fit")
    return None


# ---------------------------------------------------------------- tone


def _complaint(clause: Clause) -> RuleOutcome | None:
    return complaint_fix(clause.text)


def _exposure(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if not re.search(r"\b(?:exposure|ev|stops?)\b", text):
        return None
    number = 0.5 if re.search(r"\bhalf\s+(?:a\s+)?stop", text) else first_number(text)
    stops = abs(number) if number is not None and abs(number) <= 5 else 0.7 * intensity(text)
    negative = (
        is_decrease(text) or bool(re.search(r"-\s*\d", text)) or bool(re.search(r"\b(?:underexpos\w*|darker)\b", text))
    )
    return _call("exposure", stops=round(-stops if negative else stops, 3))


def _gamma(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if re.search(r"\bgamma\b", text):
        number = first_number(text)
        if number is not None and 0.1 <= number <= 5:
            return _call("gamma", gamma=number)
        return _call("gamma", gamma=0.8 if is_decrease(text) else 1.25)
    if re.search(r"\b(?:lift|brighten|lighten|open\s+up|raise|boost)\s+(?:the\s+)?shadows\b", text):
        return _call("gamma", gamma=1.3)
    if re.search(r"\b(?:deepen|darken|crush)\s+(?:the\s+)?shadows\b", text):
        return _call("gamma", gamma=0.8)
    return None


def _brightness(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    up = bool(
        re.search(
            r"\b(?:brighter|brighten|brightened|lighten|lighter|lightened|illuminate|more\s+light|light\s+up)\b",
            text,
        )
    )
    down = bool(re.search(r"\b(?:darker|darken|darkened|dim|dimmer|dimmed|less\s+bright|not\s+so\s+bright)\b", text))
    if re.search(r"\bbrightness\b|\bbright\b|\blight(?:ing|ness)?\b", text) and not (up or down):
        down = is_decrease(text)
        up = not down and (is_increase(text) or re.search(r"\bbright\b", text) is not None)
    if up and not down:
        return _call("brightness", amount=_signed(clause, 0.25, positive=True))
    if down and not up:
        return _call("brightness", amount=_signed(clause, 0.2, positive=False))
    return None


def _contrast(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if re.search(r"\b(?:punchier|punchy|more\s+punch|contrasty|crisper\s+tones)\b", text):
        return _call("contrast", amount=_signed(clause, 0.3, positive=not is_decrease(text)))
    if re.search(r"\b(?:flatter|flat\s+look)\b", text):
        return _call("contrast", amount=_signed(clause, 0.3, positive=False))
    if not re.search(r"\bcontrast\b", text):
        return None
    if is_decrease(text) or re.search(r"\bsoft(?:en|er)?\b|\blow\s+contrast\b", text):
        return _call("contrast", amount=_signed(clause, 0.3, positive=False))
    return _call("contrast", amount=_signed(clause, 0.3, positive=True))


def _saturation(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if re.search(r"\bvibrance\b|\bvibrancy\b", text):
        negative = is_decrease(text)
        return _call("vibrance", amount=_signed(clause, 0.5, positive=not negative))
    less = re.search(
        r"\b(?:desaturate\w*|less\s+(?:saturated|saturation|colorful|vivid|vibrant|intense)|muted?|subdued|pastel|duller"
        r"|undersaturated|tone\s+down\s+(?:the\s+)?colors?|calmer\s+colors|softer\s+colors|less\s+colou?r)\b",
        text,
    )
    more = re.search(
        r"\b(?:saturate|saturated|saturation|colorful|colourful|vivid|vibrant|pop|popping|richer|rich|intense|bolder"
        r"|brighter\s+colors|more\s+color|juicy|lively|punchy\s+colors"
        r"|colors?\s+(?:brighter|bolder|stronger|richer|deeper|more\s+intense))\b",
        text,
    )
    if less:
        return _call("saturation", amount=_signed(clause, 0.5, positive=False))
    if more:
        if re.search(r"\bsaturation\b", text) and is_decrease(text):
            return _call("saturation", amount=_signed(clause, 0.5, positive=False))
        return _call("saturation", amount=_signed(clause, 0.4, positive=True))
    if re.search(r"\bcolors?\b", text) and is_increase(text) and not re.search(r"\b(?:add\s+colors?\s+to)\b", text):
        return _call("saturation", amount=_signed(clause, 0.4, positive=True))
    return None


def _temperature(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if re.search(
        r"\b(?:white\s+balance|color\s+cast|cast|neutral\s+colors|correct\s+(?:the\s+)?colors"
        r"|fix\s+(?:the\s+)?colors"
        r"|(?:remove|fix|correct|neutrali[sz]e|get\s+rid\s+of)\s+(?:the\s+)?(?:\w+\s+)?tint)\b",
        text,
    ):
        return _call("white_balance")
    warm = re.search(
        r"\b(?:warm|warmer|warmth|warming|golden|yellower|orange\s+tone|sunnier|cozier|cosier"
        r"|more\s+(?:yellow|orange|red)|redder)\b",
        text,
    )
    cool = re.search(
        r"\b(?:cool|cooler|colder|cold|cooling|bluer|blue\s+tone|blueish|bluish|icy|frosty|chilly|more\s+blue)\b",
        text,
    )
    if re.search(r"\b(?:blue|cyan|teal|cool)\s+(?:tint|tone|filter|cast|overlay|hue|wash)\b", text):
        cool = cool or re.search(r"\b(?:blue|cyan|teal)\b", text)
    if re.search(r"\b(?:orange|yellow|red|amber|golden|warm)\s+(?:tint|tone|filter|hue|wash|glow)\b", text):
        warm = warm or re.search(r"\b(?:orange|yellow|red|amber)\b", text)
    if re.search(r"\btemperature\b", text) and not (warm or cool):
        warm = re.search(r"\b(?:increase|raise|up|higher)\b", text)
        cool = re.search(r"\b(?:decrease|lower|down|reduce)\b", text)
    if warm and not cool:
        # "less warm" and "remove the warmth" point the other way.
        toward_warm = not re.search(r"\b(?:less|reduce|remove|lower)\b", text)
        return _call("warmth", amount=max(-1.0, min(1.0, _signed(clause, 0.4, positive=toward_warm))))
    if cool and not warm:
        toward_cool = not re.search(r"\b(?:less|reduce|remove|lower)\b", text)
        return _call("warmth", amount=max(-1.0, min(1.0, _signed(clause, 0.4, positive=not toward_cool))))
    if re.search(
        r"\b(?:magenta|pink|purple)\s+(?:tint|tone)|\btint\b.*\b(?:magenta|pink)\b|\bmore\s+(?:magenta|pink|purple)\b",
        text,
    ):
        return _call("tint", amount=min(1.0, _signed(clause, 0.3, positive=True)))
    if re.search(r"\bgreen\s+(?:tint|tone)|\btint\b.*\bgreen\b|\bmore\s+green\b|\bgreener\b", text):
        return _call("tint", amount=max(-1.0, _signed(clause, 0.3, positive=False)))
    return None


def _sharpness(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if re.search(
        r"\b(?:sharpen|sharpened|sharper|sharpness|sharp|crisp|crisper|crispier|clarity|clearer|unblur|deblur"
        r"|less\s+blurry|more\s+detail|more\s+details|enhance\s+(?:the\s+)?details?|bring\s+out\s+(?:the\s+)?details?"
        r"|in\s+focus|more\s+defined|definition|unsharp)\b",
        text,
    ):
        if re.search(r"\bsharpness\b", text) and is_decrease(text):
            return _call("blur", radius=round(1.5 * intensity(text), 2))
        radius = px_in(text)
        return _call("sharpen", amount=round(min(5.0, 1.0 * intensity(text)), 2), radius=radius)
    return None


def _blur(clause: Clause) -> RuleOutcome | None:
    text = clause.text
    if not re.search(
        r"\b(?:blur|blurred|blurry|blurrier|blurring|soften|softer|soft|soft\s+focus|defocus|out\s+of\s+focus|gaussian|smooth|smoothen|smoother|fuzzy|hazy\s+effect|dreamy)\b",
        text,
    ):
        return None
    if is_decrease(text) and re.search(r"\b(?:remove|less|reduce|no)\b.*\bblur", text):
        return _call("sharpen", amount=round(min(5.0, 1.0 * intensity(text)), 2))
    given = re.search(
        r"\bradius\s+(?:of\s+)?(\d+(?:\.\d+)?)|\bblur\w*\s+(?:of\s+|by\s+)?(\d+(?:\.\d+)?)\b(?!\s*percent)", text
    )
    radius = px_in(text) or (float(given.group(1) or given.group(2)) if given else None)
    if radius is None or not 0 < radius <= 200:
        radius = 4 * intensity(text)
    return _call("blur", radius=round(radius, 2))


def _hdr(clause: Clause) -> RuleOutcome | None:
    if clause.has(r"\bhdr\b|\bhigh\s+dynamic\s+range\b|\btone\s+map"):
        return _call("auto_enhance", strength=2.0)
    return None


def _enhance(clause: Clause) -> RuleOutcome | None:
    if clause.has(
        r"\b(?:enhance|enhanced|improve|improved|auto|automatic|autofix|fix|correct|better|touch\s+up|optimi[sz]e|restore"
        r"|polish|nicer|prettier|pop|clean\s+up|looks?\s+good|professional|levels|retouch|beautify|balance)\b"
    ):
        strength = intensity(clause.text)
        return _call("auto_enhance", strength=strength if strength != 1.0 else None)
    return None


_RULES: tuple[Rule, ...] = (
    _background,
    _qr,
    _watermark,
    _caption_bar,
    _add_text,
    _complaint,
    _round_corners,
    _polaroid,
    _print_size,
    _pad,
    _trim,
    _faces,
    _border,
    _denoise,
    _style,
    _grayscale,
    _flip,
    _preset,
    _crop,
    _rotate,
    _exposure,
    _gamma,
    _temperature,
    _saturation,
    _contrast,
    _brightness,
    _sharpness,
    _blur,
    _resize,
    _hdr,
    _enhance,
)


def match_clause(clause: Clause) -> RuleOutcome | None:
    """The first rule's outcome for this clause, or None when no rule understands it."""
    for rule in _RULES:
        outcome = rule(clause)
        if outcome is not None:
            return outcome
    return None
