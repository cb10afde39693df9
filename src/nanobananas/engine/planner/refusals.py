"""Recognise requests that need new content generated, which the offline engine must not fake."""

from __future__ import annotations

import re

from nanobananas.engine.plan import Refusal

__all__ = ["generative_refusal", "needs_details", "refusal_for_unmatched"]

_PEOPLE = (
    r"(?:her|him|them|me|us|he|she|they|the\s+(?:person|people|man|woman|men|women|girl|boy|guy|lady|kid|kids|child"
    r"|children|baby|subject|model|bride|groom|couple|family|dog|cat|puppy|kitten|animal|face)|everyone|everybody"
    r"|(?:my|his|her|their)\s+(?!photo|image|picture|pic|photos|images|pictures|selfie|file|shot)\w+)"
)
_EXPRESSION = (
    r"(?:smile|smiling|smiles|laugh|laughing|grin|grinning|frown|frowning|wink|winking|cry|crying|blink|happy|happier"
    r"|sad|sadder|angry|surprised|serious|older|younger|old|young|thinner|slimmer|skinnier|fatter|taller|shorter"
    r"|muscular|bald|blonde|blond|beard|bearded|pose|posing|stand|standing|sit|sitting|jump|jumping|wave|waving"
    r"|dance|dancing|look\s+at|looking\s+at|face\s+(?:left|right|forward)|open|close|wear|wearing)"
)
# Nouns that mean the whole picture or one of its global qualities, not a part of the scene.
_NOT_WHOLE = (
    r"(?!(?:image|photo|picture|pic|whole|entire|overall|colors?|text|letters|words|font|title|caption|border"
    r"|frame|background|edges|corners|shadows|highlights|midtones|contrast|brightness|file|output|result|lighting"
    r"|tones?|details?|quality|resolution|size|dimensions|everything|exposure|saturation|mood|look|vibe"
    r"|atmosphere|scene|print|version|it|middle|center|central"
    # an area by position ("the top half"), not a thing at a position ("the top button")
    r"|(?:top|bottom|upper|lower|left|right)(?:\s+(?:left|right|hand))?\s+(?:half|halves|thirds?|quarters?|fifths?"
    r"|corners?|quadrants?|sides?|parts?|areas?|sections?|portions?|regions?|edges?|strips?|bands?|\d|of\s+the))\b)"
)
# Qualities of the picture that "remove the ..." can name; a word ending in s is not a plural to erase.
_NOT_ERASABLE = (
    r"(?!background|noise|grain|graininess|noisiness|color|colors|saturation|blur|metadata|exif|location|border|frame"
    r"|borders|vignette|tint|cast|color\s+cast|shadows?\b(?!\s+of)|contrast|it\b|everything\b|softness|fuzziness"
    r"|blurriness|darkness|dullness|flatness|harshness|blockiness|haziness|brightness|sharpness|artifacts|speckles"
    r"|(?:black\s+|white\s+)?bars\b|margins\b|letterbox\w*)"
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), reason)
    for pattern, reason in (
        (
            r"\b(?:replace|swap|switch|exchange|substitute)\b(?!\s+(?:the\s+)?background\b)(?!\s+(?:the\s+)?colors?\b)",
            "replacing objects creates new content",
        ),
        (
            r"\b(?:turn|change|transform|convert|morph)\s+(?:the|this|that|my|his|her|their)\s+(?!image|photo|picture"
            r"|pic|pics|photos|images|pictures|selfie|shot|snapshot|portrait|background|colors?|whole|file|format|output"
            r"|size|resolution|dimensions|aspect|ratio|orientation"
            r"|contrast|brightness|saturation|exposure|tone|mood|look|style|text|font|border|frame|corners|quality)"
            r"\w+(?:\s+\w+)?\s+(?:in)?to\s+(?:an?\s+)?(?!(?:pencil|sketch|cartoon|oil|painting|watercolor|drawing"
            r"|bw|grayscale|sepia|halftone|charcoal|comic|jpeg|png|webp|gif|tiff|avif|square|negative|mosaic|pixel"
            r"|polaroid|poster)\b)\w+",
            "turning one thing into another creates new content",
        ),
        (
            rf"\bmake\s+{_PEOPLE}\s+(?:look\s+)?(?:more\s+|less\s+|a\s+bit\s+)?{_EXPRESSION}\b",
            "changing how someone looks or what they do creates new content",
        ),
        (
            rf"\b{_PEOPLE}\s+(?:is\s+|are\s+)?{_EXPRESSION}\b",
            "changing how someone looks or what they do creates new content",
        ),
        (
            r"\b(?:put|place|insert|add|draw|paint|give)\s+(?:an?\s+|some\s+|the\s+)?(?:hat|cap|crown|sunglasses|glasses|mustache"
            r"|moustache|beard|tattoo|earrings|necklace|scarf|mask|wings|halo|horns|makeup|lipstick)\b",
            "adding objects creates new content",
        ),
        (
            r"\b(?:remove|erase|delete|get\s+rid\s+of|take\s+out|clean\s+up|eliminate|hide)\s+(?:the\s+|that\s+|this\s+|all\s+(?:the\s+)?|those\s+|these\s+|my\s+|his\s+|her\s+)?"
            rf"{_NOT_ERASABLE}(?:[a-z]+\s+){{0,2}}{_NOT_ERASABLE}(?:person|people|man|woman|guy|girl|boy|kid|child|dog|cat|car|cars|bird|birds|ball|tree|trees"
            r"|object|objects|thing|stuff|wires?|power\s+lines?|lines|pole|poles|sign|signs|text|words|logo|watermark"
            r"|tourists?|crowd|photobomber|stranger|trash|rubbish|litter|spot|spots|pimples?|blemish(?:es)?|wrinkles"
            r"|scratches|red\s+eye|glasses|hat|building|buildings|chair|table|cup|bottle|phone|bag|[a-z]+s)\b",
            "finding and erasing an object needs a model to locate it and paint what was behind it",
        ),
        (
            r"\b(?:smooth|smoothen|soften|whiten|brighten|fix|remove|open|close|enlarge|slim|reshape|retouch|clear"
            r"|erase|hide|cover|correct)\w*\s+(?:the\s+|her\s+|his\s+|their\s+|my\s+|your\s+|any\s+|all\s+)?"
            r"(?:skin|teeth|eyes?|wrinkles|red\s+eyes?|nose|lips|mouth|body|waist|acne|pimples?|blemish\w*"
            r"|freckles|double\s+chin|bags)\b",
            "retouching a face or body needs a generative model",
        ),
        (
            r"\bfill\s+(?:in\s+)?(?:the\s+|this\s+|that\s+)?[a-z\s]*\bwith\b"
            r"|\b(?:missing|damaged|torn|cracked|ripped|broken)\s+(?:part|parts|corner|corners|area|areas|piece|pieces|bits?)"
            r"|\b(?:scratches|tears|cracks|creases|stains|holes)\b",
            "filling in missing or damaged parts creates new content",
        ),
        (
            r"\b(?:extend|expand|outpaint|uncrop|zoom\s+out)\b",
            "extending the picture beyond its edges creates new content",
        ),
        (
            r"\b(?:colorize|colourise|colourize|colorise)\b|\badd\s+colou?rs?\s+to\s+(?:this|the|my|an?)\s+(?:old\s+)?(?:bw|gray|grayscale|black)",
            "colourising a black-and-white photo needs a generative model",
        ),
        (
            r"\bin\s+the\s+style\s+of\b|\blike\s+(?:a\s+)?(?:van\s+gogh|picasso|monet|rembrandt|pixar|disney|ghibli)\b"
            r"|\b(?:van\s+gogh|picasso|monet|ghibli|pixar)\b",
            "imitating an artist's style needs a generative model",
        ),
        (
            r"\b(?:make|turn)\s+it\s+(?:look\s+like\s+)?(?:at\s+)?(?:night|nighttime|night\s+time|day|daytime|winter|summer|autumn"
            r"|spring|snowy|rainy|sunny|sunset|sunrise|dawn|dusk)\b|\bmake\s+it\s+(?:snow|rain)\b",
            "changing the scene, weather or time of day creates new content",
        ),
        (
            r"\b(?:make|change|turn|paint|color)\s+(?:the|his|her|their|my)\s+(?!background|image|photo|picture|pic|colors?|whole"
            r"|text|border|frame|edges|corners|shadows|highlights)\w+(?:\s+\w+)?\s+(?:to\s+|into\s+)?(?:red|green|blue|yellow"
            r"|orange|purple|pink|black|white|gray|brown|gold|silver|blonde|blond|teal|cyan|magenta)\b",
            "recolouring one object needs a model to find it",
        ),
        (
            r"\b(?:taken|shot)\s+(?:at|in|during)\s+(?:the\s+)?(?:night|day|winter|summer|snow|rain|sunset|dawn|dusk)\b"
            r"|\blook\s+like\s+(?:a\s+|an\s+)?(?:photo|picture|shot|scene|postcard)\s+(?:of|in|taken"
            r"|from\s+(?!the\s+(?:\d|old|past|sixties|seventies|eighties|nineties)))\b"
            r"|\blook\s+like\s+it\s+(?:was|is)\s+(?:taken|shot)\s+(?:in|at|on)\b"
            r"|\b(?:at\s+night|night\s*time|night\s+scene|daytime|day\s+time)\b",
            "changing the scene, weather or time of day creates new content",
        ),
        (
            rf"\bmake\s+(?:the|his|her|their|my|that|this)\s+{_NOT_WHOLE}[a-z]+(?:\s+[a-z]+)?\s+"
            r"(?:look\s+)?(?:a\s+(?:bit|little)\s+|much\s+|more\s+|less\s+|slightly\s+)?"
            r"(?:bigger|larger|smaller|wider|narrower|taller|shorter|longer|thinner|fatter|brighter|darker|lighter"
            r"|sharper|blurrier|bluer|redder|greener|yellower|pinker|whiter|blacker|happier|sadder|prettier|cuter"
            r"|shinier|cleaner|clearer|bolder)\b",
            "changing one part of the picture needs a model to find that part",
        ),
        (
            r"\b(?:face\s*swap|swap\s+faces|deepfake|nude|naked|undress)\b",
            "this would generate a new image of a person",
        ),
        (
            r"\b(?:animate|animation|video|gif\s+of|make\s+it\s+move|3d\s+model)\b",
            "making motion or 3D needs a generative model",
        ),
    )
)
_ADD_THINGS = re.compile(
    r"^(?:(?:add|put|insert|place|draw|paint|include|generate|create|show|make\s+there\s+be|there\s+should\s+be)\s+"
    r"(?:it\s+|him\s+|her\s+|them\s+)?|give\s+(?:him|her|them|me|us|the\s+\w+)\s+)"
    r"(?:an?\s+|some\s+|the\s+|more\s+|lots\s+of\s+|many\s+|few\s+|\d+\s+)?[a-z]+"
)

_MOVE_THINGS = re.compile(
    rf"^(?:move|shift|drag|reposition|relocate|slide)\s+(?:the|his|her|their|my|that|this)\s+{_NOT_WHOLE}[a-z]+"
)
_BARE_THING = re.compile(
    r"^(?:an?|some|more|two|three|four|five|\d+)\s+[a-z]+(?:\s+[a-z]+)?\s+"
    r"(?:in|on|at|next\s+to|behind|beside|over|under|near|above|below|into|flying|sitting|standing)\b"
)
_PART_EDIT = re.compile(
    rf"^(?:make|turn|change|get|let|have)\s+(?:(?:the|his|her|their|my|this|that)\s+{_NOT_WHOLE}[a-z]+"
    r"|him|her|them|me|us|he|she)\b"
)
_ERASE_THINGS = re.compile(
    r"^(?:remove|erase|delete|get\s+rid\s+of|take\s+out|take\s+away|eliminate|hide|clone\s+out|paint\s+out)\s+"
    r"(?:the\s+|that\s+|this\s+|those\s+|these\s+|all\s+(?:the\s+)?|my\s+|his\s+|her\s+|some\s+)?[a-z]+"
)


def generative_refusal(clause: str) -> Refusal | None:
    """A Refusal when the normalized clause asks for new content, else None."""
    for pattern, reason in _RULES:
        if pattern.search(clause):
            return Refusal(reason=reason)
    return None


def needs_details(clause: str) -> str | None:
    """A question when the request names something the engine could add but the words do not give it."""
    if re.search(
        r"^(?:add|put|insert|place|stamp)\s+(?:the\s+|a\s+|my\s+|our\s+|today'?s\s+)?(?:date|time|timestamp)\b", clause
    ):
        return 'Which date should I write? Put it in quotes, for example: add the text "5 June 2025" at the bottom.'
    if re.search(r"^(?:add|put|insert|place|stamp)\s+(?:the\s+|a\s+|my\s+|our\s+)?(?:logo|signature|name)\b", clause):
        return "I can add text but not an image logo here. What should it say? Put the words in quotes."
    return None


def refusal_for_unmatched(clause: str) -> Refusal | None:
    """A clause no rule understood that asks to add, create or erase things is generative, not unclear."""
    if _MOVE_THINGS.search(clause):
        return Refusal(reason="moving an object means painting what was behind it, which creates new content")
    if _BARE_THING.search(clause):
        return Refusal(reason="adding objects creates new content")
    if _PART_EDIT.search(clause):
        return Refusal(reason="changing one part of the picture or a person needs a generative model")
    if _ADD_THINGS.search(clause):
        return Refusal(reason="adding objects creates new content")
    if _ERASE_THINGS.search(clause):
        return Refusal(reason="finding and erasing an object needs a model to locate it and paint what was behind it")
    return None
