"""Normalize an English instruction: quoted text and links set aside, spelling, units, numbers, typos."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from nanobananas.engine.planner.numbers import replace_number_words
from nanobananas.engine.planner.vocabulary import COMMON_WORDS, KEYWORDS

__all__ = ["Normalized", "correct_word", "normalize"]

_QUOTED = re.compile(
    r'"([^"]+)"|\u201c([^\u201d]+)\u201d|\u00ab([^\u00bb]+)\u00bb|\u2018([^\u2019]+)\u2019'
    r"|(?<![\w])'([^']+)'(?![\w])"
)
# A link ends before a closing quote or bracket and before the sentence's last full stop or comma.
_LINK = re.compile(
    r"\b(?:https?://|www\.)[^\s\"'\u201c\u201d\u2018\u2019<>()]+(?<![.,;:!?])|\b[\w.+-]+@[\w-]+\.[\w.]+(?<![.])",
    re.IGNORECASE,
)
_QUOTED_LINK = re.compile(r"[\"\u201c\u2018']\s*(qlink\d+)\s*[\"\u201d\u2019']")
_UNQUOTED_TEXT = re.compile(
    r"\b(?:saying|says|that\s+reads|reading|reads|write|writes|type"
    r"|(?:add|put|place|insert|overlay)\s+(?:the\s+|some\s+|a\s+)?(?:text|words?|caption|title|label|headline))\s+"
    r"(?=\S)(?!(?:the|a|an|some|it|on|at|in|to|that|saying|says|reading|with|qtext\d+|qlink\d+)\b)"
    r"([^,;.!?\"]+?)"
    r"(?=\s+(?:at|in|on|onto|to|across|along|near|over|under|with|using|centered|centred|top|bottom|center"
    r"|centre|middle|upper|lower)\b|\s*[,;.!?]|\s*$)",
    re.IGNORECASE,
)
_CAPITALS = re.compile(r"(?<![\w'])[A-Z][A-Z0-9!'&-]+(?:\s+[A-Z][A-Z0-9!'&-]*)*(?![\w'])")
_WRITING = re.compile(
    r"\b(?:add|put|write|text|say|says|saying|caption|title|label|stamp|overlay|type|place|print|words?)\b",
    re.IGNORECASE,
)
_ACRONYMS = frozenset(
    str.split(
        "bw b&w hdr qr jpeg jpg png gif webp avif tiff tif kb mb hd uhd fhd 4k 8k id rgb exif gps cw ccw"
        " ok usa uk eu tv dpi px ppi a3 a4 a5 a6"
    )
)
_BRITISH: dict[str, str] = {
    "centre": "center",
    "centred": "centered",
    "centring": "centering",
    "metre": "meter",
    "grey": "gray",
    "greyer": "grayer",
    "greyish": "grayish",
    "greyscale": "grayscale",
    "greyed": "grayed",
    "greys": "grays",
    "anticlockwise": "counterclockwise",
    "aeroplane": "airplane",
    "mum": "mom",
}
_CONTRACTIONS: dict[str, str] = {
    "it's": "it is",
    "that's": "that is",
    "don't": "do not",
    "doesn't": "does not",
    "isn't": "is not",
    "can't": "cannot",
    "won't": "will not",
    "i'd": "i would",
    "i'm": "i am",
    "let's": "let us",
    "you're": "you are",
    "there's": "there is",
    "what's": "what is",
}
_UNIT = re.compile(r"(?<=\d)(?=[a-z%°])|(?<=[%°])(?=\w)")
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\b(?:counter|anti)\s*-?\s*clock\s*-?\s*wise\b", "counterclockwise"),
        (r"\bclock\s*-?\s*wise\b", "clockwise"),
        (r"\bblack\s*(?:and|&|n|-|'n'|/)\s*white\b|\bb\s*(?:&|/|and|n)\s*w\b", "bw"),
        (r"\bblack-and-white\b", "bw"),
        (r"\bblack\s+(?:and|&|n)\s+w[hrit]{2,4}e\b", "bw"),
        (r"\b(?:minus|negative)\s+(?=\d)", "-"),
        (r"\bgr[ae]y\s*-?\s*scale\b", "grayscale"),
        (r"\bback\s*ground\b|\bbackdrop\b|\bback\s+drop\b|\bsurroundings\b", "background"),
        (r"(?<=\d)-(?=[a-z])", " "),
        (r"\bup\s*-?\s*scale", "upscale"),
        (r"\bdown\s*-?\s*scale", "downscale"),
        (r"\bde\s*-?\s*noise", "denoise"),
        (r"\bde\s*-?\s*saturate", "desaturate"),
        (r"\bwater\s*-?\s*colou?r", "watercolor"),
        (r"\bwater\s*-?\s*mark", "watermark"),
        (r"\bpost\s*-?\s*eri[sz]e", "posterize"),
        (r"\bqr\s*-?\s*code", "qrcode"),
        (r"\bhalf\s*-?\s*tone", "halftone"),
        (r"\bsepia\s*-?\s*tone[ds]?", "sepia"),
        (r"\btop\s*-\s*", "top "),
        (r"\bbottom\s*-\s*", "bottom "),
        (r"\bin\s*-?\s*sta\s*-?\s*gram\b|\binsta\b|\big\b", "instagram"),
        (r"\byou\s*-?\s*tube\b|\byt\b", "youtube"),
        (r"\bface\s*-?\s*book\b|\bfb\b", "facebook"),
        (r"\bbg\b", "background"),
        (r"\bpx\b|\bpixels?\b|\bpix\b", "px"),
        (r"\b(?:kilobytes?|kbs|kib)\b", "kb"),
        (r"\b(?:megabytes?|mbs|mib)\b", "mb"),
        (r"\b(?:deg|degs|degree|°)\b|°", " degrees"),
        (r"%|\bper\s*cent\b|\bpct\b", " percent"),
        (r"\bjpg\b", "jpeg"),
        (r"\btif\b", "tiff"),
        (r"(?<=\d)\s*(?:x|\u00d7|by)\s*(?=\d)", "x"),
    )
)
_POLITE = re.compile(
    r"\b(?:could|can|would|will)\s+(?:you|u)\s+(?:please\s+|kindly\s+)?|\bplease\b|\bpls\b|\bplz\b|\bkindly\b"
    r"|\bi\s+(?:would|d)\s+like\s+(?:you\s+)?to\b|\bi\s+(?:want|need)\s+(?:you\s+)?to\b"
    r"|\bi\s+(?:would\s+)?(?:want|like|need)\b|\bhelp\s+me\b|\bfor\s+me\b|\bthanks?(?:\s+you)?\b"
    r"|\bif\s+(?:you\s+)?(?:can|could|possible)\b|\bjust\b|\bhey\b|\bhi\b|\bhello\b|\bgo\s+ahead\s+and\b|\btry\s+to\b"
    r"|\blet\s+us\b|\bwould\s+be\s+(?:great|nice)\b|\bi\s+wonder\s+if\b"
)
_FRACTIONS = {"1/2": "half", "1/3": "third", "1/4": "quarter", "3/4": "3 quarters", "2/3": "2 thirds"}
_FRACTION = re.compile(r"(?<![\d/])(?:1\s*/\s*2|1\s*/\s*3|1\s*/\s*4|3\s*/\s*4|2\s*/\s*3)(?![\d/])")
_AND_A_HALF = re.compile(r"\b(\d+)\s+and\s+a\s+half\b")
_TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2013": "-", "\u2014": "-", "\u00d7": "x"})
_MARK = re.compile(r"[^\w\s,;:.#+\-]")


_KEYWORDS_BY_INITIAL: dict[str, tuple[str, ...]] = {
    initial: tuple(sorted(key for key in KEYWORDS if key[0] == initial)) for initial in {key[0] for key in KEYWORDS}
}


@dataclass
class Normalized:
    """The instruction in lower-case normal form; quoted texts and links are 'qtextN' / 'qlinkN'."""

    text: str
    quotes: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)


def _known(word: str) -> bool:
    return word in KEYWORDS or word in COMMON_WORDS


def _is_inflection(word: str) -> bool:
    """True for a regular form of a known word ("lighting", "bluer", "cropped"), which is no typo."""
    for suffix in ("ing", "ed", "er", "est", "es", "s", "ly"):
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        stem = word[: -len(suffix)]
        candidates = {stem, stem + "e"}
        if len(stem) > 3 and stem[-1] == stem[-2]:
            candidates.add(stem[:-1])
        if stem.endswith("i"):
            candidates.add(stem[:-1] + "y")
        if any(_known(candidate) for candidate in candidates):
            return True
    return False


@lru_cache(maxsize=4096)
def correct_word(word: str) -> str | None:
    """The keyword a misspelt word most likely means, or None when it is not close to one."""
    if len(word) < 4 or not word.isalpha() or _known(word) or _is_inflection(word):
        return None
    z_spelling = re.sub(r"is(e|ed|es|ing|ation)$", r"iz\1", word)
    if z_spelling in KEYWORDS:
        return z_spelling
    if "colour" in word and word.replace("colour", "color") in KEYWORDS:
        return word.replace("colour", "color")
    cutoff = 0.8 if len(word) < 7 else 0.75
    # Typos rarely change the first letter; comparing only those words keeps planning fast.
    candidates = [key for key in _KEYWORDS_BY_INITIAL.get(word[0], ()) if abs(len(key) - len(word)) <= 2]
    matches = difflib.get_close_matches(word, candidates, n=3, cutoff=cutoff)
    # A typo is one slip (two in a long word); more than that is another word ("soft" is not "softer",
    # "drain" is not "drawing"), and turning it into a request word would plan something not asked for.
    allowed = 1 if len(word) <= 5 else 2
    return next(
        (
            match
            for match in matches
            if _edits(word, match) <= allowed and not (match.startswith(word) and len(match) - len(word) >= 2)
        ),
        None,
    )


def _edits(first: str, second: str) -> int:
    """Letters inserted, deleted, replaced or swapped with a neighbour to turn one word into the other."""
    previous: list[int] = []
    row = list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        before, previous, row = previous, row, [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (letter != other))
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def _set_aside(text: str, pattern: re.Pattern[str], store: list[str], tag: str) -> str:
    def keep(match: re.Match[str]) -> str:
        value = next((group for group in match.groups() if group), match.group(0))
        store.append(value.strip())
        return f" {tag}{len(store) - 1} "

    return pattern.sub(keep, text)


def normalize(instruction: str) -> Normalized:
    """Lower-case the instruction and rewrite it to the planner's vocabulary."""
    result = Normalized(text="")
    text = _set_aside(instruction, _LINK, result.links, "qlink")
    text = _QUOTED_LINK.sub(r" \1 ", text)
    text = _set_aside(text, _QUOTED, result.quotes, "qtext")
    text = _set_aside_capitals(text, result.quotes)
    if not result.quotes:
        # Words to write without quotes ("add a caption saying hello"); quoted words are the text when given.
        text = _UNQUOTED_TEXT.sub(
            lambda m: m.group(0)[: m.start(1) - m.start(0)] + _set_aside_one(m.group(1), result.quotes), text
        )
    text = text.lower().translate(_TYPOGRAPHY)
    text = _FRACTION.sub(lambda m: " " + _FRACTIONS[m.group(0).replace(" ", "")] + " ", text)
    for contraction, full in _CONTRACTIONS.items():
        text = text.replace(contraction, full)
    text = _UNIT.sub(" ", text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    text = _POLITE.sub(" ", text)
    text = re.sub(r"[!?]+|\.(?!\d)|\s-\s", " ; ", text)
    text = _MARK.sub(" ", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    text = re.sub(r"([,;])", r" \1 ", text)
    tokens: list[str] = []
    for token in text.split():
        token = _BRITISH.get(token, token)
        if "colour" in token:
            token = token.replace("colour", "color")
        fixed = correct_word(token)
        if fixed is not None:
            result.corrections[token] = fixed
            token = fixed
        tokens.append(token)
    text = " ".join(replace_number_words(tokens))
    text = _AND_A_HALF.sub(r"\1.5", text)
    if result.corrections:
        # A corrected word can complete a phrase ("blck and wite" -> "black and white" -> "bw").
        for pattern, replacement in _PHRASES:
            text = pattern.sub(replacement, text)
        text = " ".join(text.split())
    result.text = text
    return result


def _set_aside_capitals(text: str, store: list[str]) -> str:
    """In "put SUMMER at the top", the capitalised words are the text to write.

    Only when the request is about writing and is not itself typed in capitals.
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or sum(ch.isupper() for ch in letters) > 0.6 * len(letters) or not _WRITING.search(text):
        return text

    def keep(match: re.Match[str]) -> str:
        words = match.group(0)
        if all(word.strip("!?.,'").lower() in _ACRONYMS for word in words.split()):
            return words
        return f" {_set_aside_one(words, store)} "

    return _CAPITALS.sub(keep, text)


def _set_aside_one(value: str, store: list[str]) -> str:
    store.append(value.strip())
    return f"qtext{len(store) - 1}"
