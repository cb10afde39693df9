"""Taking a design prompt apart: a reader that masks what is understood, and one step per part.

The steps take quotes, the kind, the size, colours, mood, age, dates and prices, names and the subject;
`understand` runs them in order and composes the result."""

from __future__ import annotations

import re

from nanobananas.engine.numbers import NUMBER_WORDS
from nanobananas.engine.render.brief import DEFAULT_SIZES, MenuItem, Scene
from nanobananas.engine.render.formats import format_size
from nanobananas.engine.render.palettes import COLOUR_WORDS, MOOD_WORDS
from nanobananas.engine.render.vocabulary import (
    ARTICLES,
    CLOCK,
    DEFAULT_MENUS,
    EDGE_WORDS,
    KINDS,
    LANDSCAPES,
    MONTH,
    ORDINAL,
    RELATIVES,
    STYLE_WORDS,
    THEMES,
    TIMES_OF_DAY,
    WEEKDAY,
    sentence_case,
    title_case,
)

__all__ = [
    "PromptReader",
    "describes_scene",
    "find_kind",
    "find_scene",
    "find_theme",
    "merge_subject",
    "take_age",
    "take_certificate_title",
    "take_colours",
    "take_details",
    "take_menu_items",
    "take_mood",
    "take_name",
    "take_quotes",
    "take_size",
    "take_subject",
]


class PromptReader:
    """The prompt with the parts already understood masked out, so the rest can become the subject."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.used = [False] * len(text)

    def take(self, pattern: str, *, flags: int = re.IGNORECASE) -> list[re.Match[str]]:
        """All free matches of `pattern`, marked as used."""
        taken = []
        for match in re.finditer(pattern, self.text, flags):
            start, end = match.span()
            if start == end or any(self.used[start:end]):
                continue
            self.used[start:end] = [True] * (end - start)
            taken.append(match)
        return taken

    def mark(self, start: int, end: int) -> None:
        self.used[start:end] = [True] * (end - start)

    def remainder(self, start: int = 0, end: int | None = None) -> str:
        """The unused text in [start, end), with a '|' wherever something was taken out."""
        end = len(self.text) if end is None else end
        chars = [ch if not used else "\0" for ch, used in zip(self.text[start:end], self.used[start:end], strict=True)]
        return re.sub(r"\0+", " | ", "".join(chars))


_MEDIA_LEAD = re.compile(
    r"^(?:new\s+)?(?:video|post|episode|vlog|talk|article|blog(?:\s+post)?|podcast)\s+(?:about|on|for|of|called)\s+",
    re.IGNORECASE,
)


# "my band The Rollers", "our bakery Sweet Crumbs": the name after the generic noun is the subject
_GENERIC_LEAD = re.compile(
    r"^(?i:band|shop|store|caf[e\u00e9]|bakery|company|business|restaurant|team|club|studio|salon|bar|gym)\s+(?=[A-Z0-9])"
)


def _clean_chunk(chunk: str) -> str:
    """Trim connecting words, quotes and "video about" from the ends of a leftover piece of the prompt."""
    words = chunk.strip(" \t'\"\u201c\u201d\u2018\u2019.-\u2013\u2014").split()
    while words and words[0].lower().strip(",.") in EDGE_WORDS:
        words.pop(0)
    words = _MEDIA_LEAD.sub("", " ".join(words)).split()
    words = _GENERIC_LEAD.sub("", " ".join(words)).split()
    while words and words[-1].lower().strip(",.") in EDGE_WORDS:
        words.pop()
    text = " ".join(words).strip(" ,.;:!?-\u2013\u2014'\"")
    return text if re.search(r"[^\W_]", text) else ""


def _chunks(text: str) -> list[str]:
    stop = r"(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bMrs)(?<!\bProf)(?<!\bSt)(?<!\bJr)\.(?:\s|$)"
    parts = re.split(rf"\s*(?:\||[,;!?]|:\s|\s[-\u2013\u2014]\s|{stop}|\bwith\b|\bfeaturing\b|\bincluding\b)\s*", text)
    return [c for c in (_clean_chunk(p) for p in parts) if c]


def _format_time(match: re.Match[str]) -> str:
    text = match.group(0).lower()
    text = re.sub(r"^(?:at|from|starting|starts|@)\s+", "", text.strip())
    text = re.sub(r"\s*(a\.?m\.?|p\.?m\.?)", lambda m: " " + m.group(1).replace(".", "").upper(), text)
    text = re.sub(r"\s*(?:-|\u2013|to|until|till)\s*", "\u2013", text)
    text = re.sub(r"\bnoon\b", "Noon", text)
    return re.sub(r"\bmidnight\b", "Midnight", text).strip()


def _format_date(text: str) -> str:
    """Dates keep the prompt's words, capitalised: "the 3rd of march" -> "3rd of March"."""
    text = re.sub(r"^(?:on\s+)?(?:the\s+)?", "", text.strip(), flags=re.IGNORECASE)
    return " ".join(
        w if any(c.isdigit() for c in w) else w.lower() if w.lower() == "of" else w[:1].upper() + w[1:].lower()
        for w in text.split()
    )


# ---------------------------------------------------------------- reading


def find_kind(text: str) -> tuple[str | None, re.Match[str] | None]:
    for kind, pattern in KINDS:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return kind, match
    return None, None


def find_theme(text: str, kind: str | None) -> str:
    if kind == "certificate":
        return "certificate"
    if kind == "business-card":
        return "business"
    for theme, pattern in THEMES:
        if re.search(pattern, text, re.IGNORECASE):
            return theme
    return ""


def describes_scene(text: str) -> bool:
    """True when `text` only names a landscape and a time of day ("mountains at sunset")."""
    rest = text
    for _, pattern in (*LANDSCAPES, *TIMES_OF_DAY):
        rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    return rest != text and all(w.lower() in EDGE_WORDS | ARTICLES | {"over", "under", "full"} for w in rest.split())


def find_scene(text: str) -> Scene | None:
    landscape = next((name for name, p in LANDSCAPES if re.search(p, text, re.IGNORECASE)), None)
    time = next((name for name, p in TIMES_OF_DAY if re.search(p, text, re.IGNORECASE)), None)
    if landscape is None and time is None:
        return None
    if landscape is None:
        landscape = {"sunset": "sea", "dawn": "mountains", "night": "sky"}[time or "sunset"]
        if time == "night" and not re.search(r"\bnight\s+sky\b|\bstars\b|\bstarry\b|\bmoon", text, re.IGNORECASE):
            return None
    return Scene(landscape, time or ("night" if landscape == "sky" else "day"))


_SAYS = (
    r"(?:\b(?:that|which|and)\s+)?\b(?:says|say|saying|reads|reading|with\s+(?:the\s+)?(?:text|words?|title|caption"
    r"|headline|message|slogan)|titled|entitled|called|named|headline)\s*:?\s+"
)


def take_quotes(reader: PromptReader) -> list[str]:
    """Text to show verbatim: quoted, or after "says"/"with the text" (an all-caps run, else up to a connective)."""
    reader.take(_SAYS + r"(?=[\"\u201c\u2018'])")
    quotes = [
        m.group(1) or m.group(2) or m.group(3) or m.group(4)
        for m in reader.take(
            r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u2018([^\u2019]+)\u2019|(?:(?<=\s)|^)'([^']+)'(?=[\s,.!?;:]|$)"
        )
    ]
    for match in reader.take(_SAYS + r"(.+)$"):
        captured = match.group(1)
        upper = re.match(r"[A-Z0-9][A-Z0-9'\u2019&!%$.,\- ]*[A-Z0-9!%]", captured)
        if upper and len(upper.group(0)) >= 2:
            phrase = upper.group(0)
        else:
            phrase = re.split(r"\s*(?:,|;|\s(?:on|with|in|at|for|using)\s)", captured, maxsplit=1)[0]
        phrase = phrase.strip(" .")
        if not phrase:
            continue
        start = match.start()
        end = match.start(1) + captured.index(phrase) + len(phrase)
        # the match ran to the end of the prompt; give back what follows the phrase
        reader.used[start:] = [False] * (len(reader.text) - start)
        reader.mark(start, end)
        quotes.append(phrase)
    return [q.strip() for q in quotes if q.strip()]


def take_details(reader: PromptReader) -> tuple[list[tuple[int, str]], str, list[str]]:
    """Dates, times, places, prices and contacts, each with its position so they keep the prompt's order."""
    found: list[tuple[int, str]] = []
    contacts: list[str] = []
    for m in reader.take(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"):
        contacts.append(m.group(0))
    for m in reader.take(r"\b(?:https?://)?(?:www\.)?[\w-]+\.(?:com|org|net|io|co|dev|app|shop|store|me)(?:/\S*)?"):
        contacts.append(m.group(0))
    phone = r"(?:\b(?:call|phone|tel|text|whatsapp)(?:\s+[A-Z][a-z]+)?:?\s+)?(?<![\w/])\+?\d[\d ().-]{6,}\d\b"
    for m in reader.take(phone):
        contacts.append(sentence_case(m.group(0).strip()))
    price = ""
    for m in reader.take(
        r"\b(?:up\s+to\s+)?\d{1,3}\s*%\s*off\b|\b(?:half\s+price|buy\s+one,?\s+get\s+one(?:\s+free)?|bogo)\b"
        r"|\bfree\s+(?:entry|admission|shipping|delivery)\b|\bentry\s+(?:is\s+)?free\b"
    ):
        value = re.sub(r"\s*%\s*", "% ", m.group(0)).upper()
        price = price or value
        if price != value:
            found.append((m.start(), value))
    for m in reader.take(
        r"(?:\b(?:only|just|for|at|from)\s+)?(?:[$€£¥]\s?\d+(?:[.,]\d{1,2})?|\b\d+(?:[.,]\d{1,2})?\s*"
        r"(?:dollars|euros|pounds|bucks)\b)(?:\s*/\s*[a-z]+|\s+(?:each|per\s+\w+|entry|admission|tickets?|cover|a\s+head))?"
    ):
        value = re.sub(r"^(?:only|just|for|at|from)\s+", "", m.group(0), flags=re.IGNORECASE)
        found.append((m.start(), title_case(value)))
    date_patterns = (
        rf"(?:\b(?:on|this\s+coming)\s+)?(?:{WEEKDAY},?\s+)?{MONTH}\s+\d{{1,2}}{ORDINAL}?"
        rf"(?:\s*(?:-|\u2013|to)\s*\d{{1,2}}{ORDINAL}?\b)?(?:,?\s+\d{{4}})?\b",
        rf"(?:\b(?:on|this\s+coming)\s+)?(?:{WEEKDAY},?\s+)?(?:the\s+)?\d{{1,2}}{ORDINAL}?\s+(?:of\s+)?{MONTH}(?:,?\s+\d{{4}})?\b",
        r"(?:\bon\s+)?\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b",
        rf"(?<!black\s)(?<!cyber\s)\b(?:(?:next|this(?:\s+coming)?|every|on|each)\s+)?(?:{WEEKDAY}|weekend|week)\b(?:\s+(?:night|morning|evening|afternoon)s?)?",
        r"\b(?:tomorrow|tonight|today)\b",
    )
    for pattern in date_patterns:
        for m in reader.take(pattern):
            text = m.group(0)
            if re.fullmatch(r"(?:on\s+)?(?:week|weekend)", text, re.IGNORECASE):
                continue
            found.append((m.start(), _format_date(text)))
    time_pattern = (
        rf"(?:\b(?:at|from|starting|starts)\s+|@\s*)?(?:\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm|a\.m\.|p\.m\.)?\s*"
        rf"(?:-|\u2013|to|until|till)\s*{CLOCK}|{CLOCK}|\b(?:noon|midnight)\b|\b[01]?\d:[0-5]\d\b|\b2[0-3]:[0-5]\d\b)"
    )
    for m in reader.take(time_pattern):
        found.append((m.start(), _format_time(m)))
    street = (
        r"(?:\b(?:at|in|on)\s+)?\b\d{1,5}\s+(?:[A-Z][\w'\u2019]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln"
        r"|Drive|Dr|Boulevard|Blvd|Way|Place|Pl|Square|Sq|Court|Ct|Terrace)\b\.?"
    )
    for m in reader.take(street, flags=0):
        found.append((m.start(), re.sub(r"^(?:at|in|on)\s+", "", m.group(0))))
    proper = rf"(?!(?i:{WEEKDAY}|{MONTH})\b)[A-Z][\w'\u2019&.]*"
    place_named = rf"\b(?:at|in)\s+((?:the\s+)?{proper}(?:\s+(?:{proper}|\d+[A-Za-z]?\b|of|de|la|the|&)){{0,5}})"
    for m in reader.take(place_named, flags=0):
        name = re.sub(r"\s+(?:of|de|la|the|&)$", "", m.group(1))
        end = m.start(1) + len(name)
        reader.used[end : m.end()] = [False] * (m.end() - end)
        found.append((m.start(), title_case(name)))
    place_common = (
        r"\b(?:at|in)\s+(?:the|our|my)\s+"
        r"((?:(?!(?:on|at|in|with|for|from|and|every|next|this)\b)[a-z'\u2019]+\s*){1,3})"
    )
    for m in reader.take(place_common):
        words = m.group(0).split()
        if any(
            w.lower() in COLOUR_WORDS
            or w.lower() in MOOD_WORDS
            or w.lower() in {"style", "background", "colours", "colors"}
            for w in words
        ):
            reader.used[m.start() : m.end()] = [False] * (m.end() - m.start())
            continue
        found.append((m.start(), title_case(" ".join(words).strip())))
    return found, price, contacts


def take_colours(reader: PromptReader) -> tuple[list[str], str | None]:
    names = "|".join(sorted(COLOUR_WORDS, key=len, reverse=True))
    shade = r"(?:(?:light|dark|pale|deep|bright|soft|pastel|hot|baby|royal|navy|forest|sky)\s+)?"
    # "Blue Note", "Black Friday": a capitalised colour before another capitalised word is a name
    colour = rf"(?!(?-i:[A-Z][a-z]+\s+[A-Z]))(?!black\s+friday){shade}(?:{names})\b"
    background = None
    for m in reader.take(
        rf"\b(?:on\s+(?:a\s+)?|with\s+(?:a\s+)?)?({colour})\s+background\b"
        rf"|\bbackground\s+(?:in|of|is|colou?r)?\s*({colour})"
    ):
        background = (m.group(1) or m.group(2)).split()[-1].lower()
    run = rf"\b(?:(?:in|with|using|on)\s+(?:a\s+)?)?{colour}(?:\s*(?:,|and|&|\+|/|or)\s*{colour})*"
    run += r"(?:\s+(?:and\s+)?(?:colou?rs?|tones?|theme|palette|scheme|style|accents?|shades?))?"
    found: list[str] = []
    for m in reader.take(run):
        for word in re.findall(rf"\b(?:{names})\b", m.group(0), re.IGNORECASE):
            if word.lower() not in found:
                found.append(word.lower())
    return found, background


def take_mood(reader: PromptReader, before_kind: int) -> str | None:
    words = "|".join(sorted(MOOD_WORDS, key=len, reverse=True))
    style = r"(?:style|look|feel|vibes?|theme|colou?rs?|palette|tones?|mood|design|aesthetic)"
    moods = [
        m.group(1).lower()
        for m in reader.take(
            rf"\b(?:in\s+an?\s+|with\s+an?\s+|very\s+)?({words})\s+{style}\b|\b(?:make\s+it|keep\s+it)\s+({words})\b"
        )
    ]
    if not moods:
        for m in re.finditer(rf"\b({words})\b", reader.text[:before_kind], re.IGNORECASE):
            reader.mark(*m.span())
            moods.append(m.group(1).lower())
    if not moods:
        loose = re.search(rf"\b({words})\b", reader.text, re.IGNORECASE)
        if loose:
            moods.append(loose.group(1).lower())
    return moods[0] if moods else None


def take_size(reader: PromptReader, kind: str | None) -> tuple[int, int] | None:
    # A named format first, so that "210 x 297 mm" is not read as pixels.
    named = format_size(reader.take, reader.text, DEFAULT_SIZES.get(kind or "poster", DEFAULT_SIZES["poster"]))
    if named is not None:
        return named
    for m in reader.take(r"\b(\d{2,5})\s*[x\u00d7]\s*(\d{2,5})(?:\s*(?:px|pixels))?\b"):
        return int(m.group(1)), int(m.group(2))
    return None


def take_age(reader: PromptReader) -> str:
    numbers = r"\d{1,3}|" + "|".join(NUMBER_WORDS)
    for m in reader.take(
        rf"\b(?:who\s+is\s+|is\s+)?(?:turning|turns|turned)\s+({numbers})\b|\b({numbers})(?:st|nd|rd|th)?\s+birthday\b"
        rf"|\b({numbers})\s+years?\s+old\b|\bage\s+({numbers})\b"
    ):
        value = next(g for g in m.groups() if g)
        # the match may have taken "birthday" itself, which the title still needs
        return str(NUMBER_WORDS.get(value.lower(), value))
    return ""


def take_name(reader: PromptReader, kind: str) -> str:
    """The person a card, certificate, invitation or business card is for; other kinds name no one."""
    if kind not in {"birthday-card", "card", "certificate", "invitation", "business-card"}:
        return ""
    person = r"[A-Z][a-zà-ÿ-]+(?:\s+(?:[A-Z][a-zà-ÿ-]+|de|da|van|von))*"
    names = rf"({person}(?:\s+(?:and|&)\s+{person})?)(?!['\u2019\w])"
    lead = r"\b(?:for|to|awarded\s+to|presented\s+to|from|of|by)\s+(?:my\s+|our\s+)?"
    for m in reader.take(lead + names, flags=0):
        return m.group(1).replace(" and ", " & ")
    for m in reader.take(rf"^{names}(?='s|\u2019s|,|\s+[-\u2013\u2014])", flags=0):
        return m.group(1)
    if kind in {"invitation", "card", "birthday-card"}:
        for m in reader.take(rf"(?:^|(?<=,\s)){names}(?=\s*(?:,|$))", flags=0):
            return m.group(1).replace(" and ", " & ")
    if kind in {"birthday-card", "card", "certificate"}:
        for m in reader.take(r"\b(?:for|to)\s+(?:my\s+|our\s+)?([a-z][a-z'\u2019-]+)\b"):
            word = m.group(1).lower()
            if word in RELATIVES:
                return RELATIVES[word]
            if (
                word not in EDGE_WORDS
                and word not in ARTICLES
                and kind != "certificate"
                and word
                not in {
                    "someone",
                    "everyone",
                    "you",
                    "him",
                    "her",
                    "them",
                    "kids",
                    "children",
                    "friends",
                    "family",
                }
            ):
                return word.capitalize()
            reader.used[m.start() : m.end()] = [False] * (m.end() - m.start())
    return ""


def take_menu_items(reader: PromptReader, theme: str) -> tuple[MenuItem, ...]:
    listed = reader.take(r"\b(?:with|featuring|including|items?|serving)\s*:?\s+([^.;]+)$|:\s*([^.;]+)$")
    for m in listed:
        body = m.group(1) or m.group(2)
        parts = [p.strip() for p in re.split(r",|\band\b|&|\n", body) if p.strip()]
        items = []
        for part in parts:
            price = re.search(r"[$€£]?\s?\d+(?:[.,]\d{1,2})?\s*$", part)
            name = part[: price.start()].strip(" -\u2013:") if price else part
            if name:
                items.append(MenuItem(title_case(name), price.group(0).strip() if price else ""))
        if items:
            return tuple(items)
    defaults = DEFAULT_MENUS.get(theme, DEFAULT_MENUS["food"])
    return tuple(MenuItem(name, price) for name, price in defaults)


_STYLE_SUFFIXES = {"themed", "theme", "style", "styled", "looking", "inspired", "coloured", "colored", "toned"}


def _is_style_word(word: str) -> bool:
    """Words before the kind that only describe the look: "bold", "night-themed", "retro-style", "blue"."""
    parts = [p for p in word.lower().strip(",.:;!?").split("-") if p]
    plain = STYLE_WORDS | ARTICLES | EDGE_WORDS | _STYLE_SUFFIXES
    return not parts or all(p in plain or p in MOOD_WORDS for p in parts)


def take_subject(reader: PromptReader, kind_match: re.Match[str] | None) -> tuple[str, list[str]]:
    """The leftover words before the kind noun, and the chunks after it (the subject first)."""
    if kind_match is None:
        return "", _chunks(reader.remainder())
    before = [w for w in reader.remainder(0, kind_match.start()).split() if w != "|" and not _is_style_word(w)]
    reader.mark(*kind_match.span())
    return _clean_chunk(" ".join(before)), _chunks(reader.remainder(kind_match.end()))


def merge_subject(reader: PromptReader, kind_match: re.Match[str] | None, prefix: str, after: list[str]) -> list[str]:
    """Words before the kind noun lead the subject: "a bakery poster for the grand opening"."""
    if not prefix:
        return after
    joined = kind_match is not None and re.match(
        r"\s*(?:for|about|of|announcing|advertising|promoting|celebrating)\b", reader.text[kind_match.end() :]
    )
    if after and joined and len(prefix.split()) <= 2:
        return [f"{prefix} {after[0]}", *after[1:]]
    return [prefix, *after]


def take_certificate_title(reader: PromptReader) -> str:
    """ "certificate of achievement" -> Certificate of Achievement; "employee of the month certificate" as said."""
    stop = r"(?!(?:for|to|awarded|presented|in|on|at|from|by)\b)"
    for m in reader.take(rf"\bcertificate\s+of\s+((?:{stop}[a-z]+\s*){{1,4}})"):
        return "Certificate of " + title_case(m.group(1).strip())
    for m in reader.take(r"\b((?:[a-z]+\s+){0,4})certificate\b"):
        words = [w for w in m.group(1).split() if not _is_style_word(w) or w in {"of", "the"}]
        while words and words[0] in {"of", "the"}:
            words.pop(0)
        if len(words) == 1:
            return "Certificate of " + title_case(words[0])
        if words:
            return title_case(" ".join(words))
    return "Certificate"
