"""Reading a design prompt: what kind of design, which words to show, which colours, which scene.

The steps live beside it: `brief` (what a prompt is read into), `vocabulary` (the words it is read with)
and `reading` (taking the prompt apart); this module puts the parts together into the title, subtitle,
kicker and detail lines."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from nanobananas.engine.errors import NeedsProviderError
from nanobananas.engine.render.brief import DEFAULT_SIZES, Brief, DesignPromptError, MenuItem, Scene
from nanobananas.engine.render.reading import (
    PromptReader,
    describes_scene,
    find_kind,
    find_scene,
    find_theme,
    merge_subject,
    take_age,
    take_certificate_title,
    take_colours,
    take_details,
    take_menu_items,
    take_mood,
    take_name,
    take_quotes,
    take_size,
    take_subject,
)
from nanobananas.engine.render.vocabulary import GREETINGS, REQUEST, sentence_case, title_case

__all__ = [
    "DEFAULT_SIZES",
    "Brief",
    "DesignPromptError",
    "MenuItem",
    "Scene",
    "title_case",
    "understand",
]


# "a photo of a cat": a picture of a thing, which only a generative model can draw
_DEPICTION = re.compile(
    r"\b(?:photo(?:graph)?|picture|image|illustration|painting|drawing|portrait|render(?:ing)?|artwork|sketch"
    r"|photorealistic|realistic)\s+(?:of\s+)?(.+)",
    re.IGNORECASE,
)

_DROPPED_CATEGORIES = {"So", "Sk", "Cs", "Co", "Cn", "Cc", "Cf"}


def understand(prompt: str) -> Brief:
    """Read `prompt` into a Brief; raise DesignPromptError when it holds no words at all."""
    # emoji and private-use symbols have no glyph in the shipped fonts; they would print as boxes
    spaced = re.sub(r"\s+", " ", prompt or "")
    text = "".join(ch for ch in spaced if unicodedata.category(ch) not in _DROPPED_CATEGORIES).strip()
    if not re.search(r"[^\W_]", text):
        raise DesignPromptError("Describe the image to create, for example: a poster for a bakery opening on June 5.")
    drawn = re.match(r"\W*(?:please\s+)?(?:draw|paint|sketch|illustrate)\s+(?:me\s+)?(.+)", text, re.IGNORECASE)
    request = REQUEST.match(text)
    if request and request.end() < len(text):
        text = text[request.end() :].lstrip(" ,:")
    text = re.sub(r"\b(my|our|your|their)\s+([\w-]+)['\u2019]s\b", r"\1 \2", text, flags=re.IGNORECASE)
    reader = PromptReader(text)
    quotes = take_quotes(reader)
    kind, kind_match = find_kind(text)
    theme = find_theme(text, kind)
    size = take_size(reader, kind)
    items = take_menu_items(reader, theme) if kind == "menu" else ()
    colours, background = take_colours(reader)
    mood = take_mood(reader, kind_match.start() if kind_match else 0)
    age = take_age(reader)
    found, price, contacts = take_details(reader)
    # places and dates are taken first, so "the City Gallery" or "Saturday night" draw no scene
    scene = find_scene(reader.remainder())
    if scene is not None and not theme:
        theme = {"sunset": "dusk", "dawn": "dawn", "night": "night"}.get(scene.time, "daylight")
    depiction = _DEPICTION.search(text) or drawn
    if kind is None and depiction and scene is None and not quotes:
        raise NeedsProviderError(
            f"Drawing {depiction.group(1).strip()!r} needs an image-generation provider; the built-in engine makes "
            "designs (posters, flyers, cards, social posts, thumbnails) and landscapes.",
            capability="image-generation",
        )
    if kind is None:
        if theme == "birthday" and not quotes:
            kind = "birthday-card"
        elif scene is not None and not quotes and not found and not price:
            kind = "scene"
        else:
            kind = "poster"
    if kind == "banner" and theme == "sale":
        kind = "sale-banner"
    if kind == "card" and theme == "birthday":
        kind = "birthday-card"
    if kind in {"scene", "wallpaper"} and scene is None:
        scene = Scene("sky", "night") if theme == "night" else Scene("mountains", "dawn")
    name = take_name(reader, kind)
    preset_title = take_certificate_title(reader) if kind == "certificate" else ""
    prefix, after = take_subject(reader, kind_match) if kind != "scene" else ("", [])
    preset_kicker = ""
    if kind == "menu":
        preset_kicker = title_case(f"{prefix} menu") if prefix and after else "Menu"
        chunks = after or ([prefix] if prefix else [])
    else:
        chunks = merge_subject(reader, kind_match, prefix, after)
    theme = find_theme(" ".join([*quotes, *chunks[:1]]), kind) or theme
    if quotes and chunks and describes_scene(chunks[0]):
        chunks = chunks[1:]
    found.sort()
    base = Brief(
        kind=kind,
        title=preset_title,
        kicker=preset_kicker,
        theme=theme,
        colours=tuple(colours),
        background=background,
        mood=mood,
        size=size,
        price=price,
        age=age,
        name=name,
        items=items,
        scene=scene if kind in {"scene", "wallpaper"} or (scene and scene.landscape != "sky") else None,
    )
    if kind in {"scene", "wallpaper"} and not quotes:
        return base
    return _compose(base, text, quotes, chunks, [value for _, value in found] + contacts)


def _compose(base: Brief, text: str, quotes: list[str], chunks: list[str], details: list[str]) -> Brief:
    """Decide which words become the title, the subtitle, the kicker and the detail lines."""
    kind, name, age = base.kind, base.name, base.age
    subject = title_case(chunks[0]) if chunks else ""
    rest = [sentence_case(c) for c in chunks[1:]]
    kicker = ""
    if quotes:
        title, subtitle = quotes[0], (quotes[1] if len(quotes) > 1 else subject)
        details = [
            *([title_case(c) for c in chunks[1:2]] if len(quotes) > 1 and subject else []),
            *quotes[2:],
            *details,
        ]
        if len(quotes) == 1 and chunks[1:]:
            details = [*rest, *details]
        return replace(base, title=title, subtitle=subtitle, details=tuple(details), verbatim=True)
    greeting = next((g for p, g in GREETINGS if re.search(p, text, re.IGNORECASE)), "")
    if kind == "birthday-card":
        title = "Happy Birthday"
        subtitle = name
        if name and age:
            subtitle = f"{name} is turning {age}!"
        elif age:
            subtitle = f"Turning {age}!"
        details = [*[c for c in rest if c.lower() != name.lower()], *details]
    elif kind == "card":
        title = greeting or subject or "Hello"
        said = set(title.lower().split()) | {"card", "happy"}
        trimmed = [" ".join(w for w in c.split() if w.lower() not in said) for c in chunks]
        others = [c for c in trimmed if c and c.lower() != name.lower()]
        subtitle = name or (title_case(others[0]) if others else "")
        details = [*[sentence_case(c) for c in others[0 if name else 1 :]], *details]
    elif kind == "certificate":
        title = base.title or "Certificate"
        kicker = "This certificate is proudly presented to" if name else ""
        subtitle = name or subject
        details = [*([subject] if name and subject else []), *rest, *details]
    elif kind == "business-card":
        title = name or subject or "Your Name"
        roles = chunks if name else chunks[1:]
        subtitle = title_case(roles[0]) if roles else ""
        details = [*[sentence_case(c) for c in roles[1:]], *details]
    elif kind == "menu":
        title = subject or "Menu"
        kicker = base.kicker if subject else ""
        subtitle = rest[0] if rest else ""
        details = [*rest[1:], *details]
    elif kind == "invitation":
        kicker = "You're invited"
        if name:
            title, subtitle = name, subject
            if age:
                subtitle = f"{subject} \u00b7 Turning {age}" if subject else f"Turning {age}"
        else:
            title, subtitle = subject or greeting or "Join Us", ""
        details = [*rest, *details]
    else:
        title = subject or greeting or name or ("Sale" if base.price else "") or "Your Headline"
        subtitle = rest[0] if rest else (name if name and name != title else "")
        details = [*rest[1:], *details]
    return replace(base, title=title, subtitle=subtitle, kicker=kicker, details=tuple(details))
