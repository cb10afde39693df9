"""Reading a design prompt: what kind of design, which words to show, which colours, which scene."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from nanobananas.engine.errors import EngineError, NeedsProviderError
from nanobananas.engine.numbers import NUMBER_WORDS
from nanobananas.engine.render.formats import format_size
from nanobananas.engine.render.palettes import COLOUR_WORDS, MOOD_WORDS

__all__ = [
    "DEFAULT_SIZES",
    "Brief",
    "DesignPromptError",
    "MenuItem",
    "Scene",
    "title_case",
    "understand",
]


class DesignPromptError(EngineError):
    """The prompt gives nothing to design from (empty, or no words at all)."""


DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "poster": (1414, 2000),
    "flyer": (1240, 1754),
    "invitation": (1500, 2100),
    "birthday-card": (1500, 2100),
    "card": (1500, 2100),
    "banner": (1920, 640),
    "sale-banner": (1920, 640),
    "instagram-post": (1080, 1080),
    "instagram-story": (1080, 1920),
    "youtube-thumbnail": (1280, 720),
    "facebook-cover": (1640, 624),
    "business-card": (1050, 600),
    "menu": (1240, 1754),
    "certificate": (2000, 1414),
    "wallpaper": (1920, 1080),
    "scene": (1600, 900),
}


@dataclass(frozen=True)
class Scene:
    """A landscape drawn procedurally, at a time of day."""

    landscape: str
    time: str

    @property
    def name(self) -> str:
        return f"{self.landscape}-{self.time}"


@dataclass(frozen=True)
class MenuItem:
    name: str
    price: str


@dataclass(frozen=True)
class Brief:
    """Everything read from one prompt, before any drawing."""

    kind: str
    title: str
    subtitle: str = ""
    kicker: str = ""
    details: tuple[str, ...] = ()
    price: str = ""
    name: str = ""
    age: str = ""
    theme: str = ""
    colours: tuple[str, ...] = ()
    background: str | None = None
    mood: str | None = None
    scene: Scene | None = None
    items: tuple[MenuItem, ...] = ()
    size: tuple[int, int] | None = None
    verbatim: bool = False


# ---------------------------------------------------------------- vocabulary

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?"
_ORDINAL = r"(?:st|nd|rd|th)"
_CLOCK = r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"

_KINDS: tuple[tuple[str, str], ...] = (
    ("instagram-story", r"\b(?:insta(?:gram)?|ig)\s*stor(?:y|ies)\b|\bstory\s+(?:for|on)\s+insta(?:gram)?\b"),
    ("youtube-thumbnail", r"\byou\s*tube(?:\s+(?:video\s+)?thumbnail)?\b|\bthumbnail\b"),
    (
        "facebook-cover",
        r"\b(?:facebook|fb)\s+(?:cover|banner|header)(?:\s+(?:photo|image))?\b"
        r"|\bcover\s+(?:photo\s+|image\s+)?for\s+(?:facebook|fb)\b",
    ),
    ("instagram-post", r"\b(?:insta(?:gram)?|ig)(?:\s+(?:post|square|feed\s+post|graphic|image))?\b"),
    ("business-card", r"\b(?:business|visiting|contact)\s+cards?\b"),
    ("certificate", r"\bcertificate\b|\bdiploma\b"),
    ("menu", r"\bmenu\b"),
    ("invitation", r"\binvit(?:ation|e)s?\b|\bsave\s+the\s+date\b"),
    ("birthday-card", r"\bbirthday\s+cards?\b"),
    ("card", r"\b(?:greeting\s+)?cards?\b"),
    ("banner", r"\b(?:web\s+|website\s+)?banners?\b"),
    ("flyer", r"\bfl[yi]ers?\b|\bleaflets?\b|\bhandouts?\b"),
    ("poster", r"\bposters?\b|\bsigns?\b|\bannouncements?\b|\bplacards?\b"),
    ("wallpaper", r"\b(?:desktop\s+|phone\s+)?wallpapers?\b"),
)

_THEMES: tuple[tuple[str, str], ...] = (
    ("birthday", r"\bbirthday|\bb-?day\b"),
    (
        "bakery",
        r"\bbaker(?:y|ies)\b|\bbread|\bpastr(?:y|ies)\b|\bcakes?\b|\bcupcakes?\b|\bcroissants?\b"
        r"|\bpatisserie\b|\bdonuts?\b|\bdoughnuts?\b|\bbak(?:e|ing)\b",
    ),
    ("coffee", r"\bcoffee\b|\bcaf[eé]s?\b|\bespresso\b|\blatte\b|\btea\s*(?:house|room|shop)\b"),
    ("sale", r"\bsales?\b|\bdiscounts?\b|%\s*off\b|\bclearance\b|\bdeals?\b|\bblack\s+friday\b|\bpromo\b"),
    ("wedding", r"\bwedding\b|\bengagement\b|\bbridal\b|\banniversary\b"),
    ("halloween", r"\bhalloween\b|\bspooky\b"),
    ("holiday", r"\bchristmas\b|\bxmas\b|\bholidays?\b|\bnew\s+year\b|\bhanukkah\b|\bwinter\b"),
    ("kids", r"\bkids?\b|\bchildren\b|\btoys?\b|\bbaby\b|\bplaygroup\b"),
    ("wellness", r"\byoga\b|\bmeditation\b|\bspa\b|\bwellness\b|\bpilates\b|\bmassage\b|\bmindful"),
    (
        "tech",
        r"\btech\b|\bcoding\b|\bsoftware\b|\bai\b|\bstartup\b|\bhackathon\b|\bwebinar\b|\bgaming\b"
        r"|\bvideo\s+games?\b|\bdevelopers?\b|\bcrypto\b|\bapp\b",
    ),
    ("night", r"\bsleep\b|\bstars\b|\bmoon\b|\bdreams?\b|\binsomnia\b"),
    ("summer", r"\bsummer\b|\bbeach\b|\bpool\b|\bsurf|\btropical\b|\bluau\b"),
    (
        "music",
        r"\bmusic\b|\bconcert\b|\bdj\b|\bband\b|\bfestival\b|\bgig\b|\bnight\s*club\b|\bclub\s+night\b|\bdance\b|\bkaraoke\b"
        r"|\bjazz\b|\brock\b|\bparty\b",
    ),
    ("outdoors", r"\bhik(?:e|es|ing)\b|\bcamping\b|\boutdoors?\b|\btrails?\b|\bclimbing\b|\bnature\s+walk\b"),
    ("autumn", r"\bautumn\b|\bharvest\b|\bthanksgiving\b|\bpumpkins?\b"),
    (
        "garden",
        r"\bgardens?\b|\bplants?\b|\bflowers?\b|\bfarmers\W*\s*market\b|\bspring\b|\beco\b|\bnature\b",
    ),
    (
        "food",
        r"\bfood\b|\bpizza|\bburgers?\b|\brestaurant\b|\bbbq\b|\bbarbecue\b|\btacos?\b|\bdinner\b"
        r"|\blunch\b|\bbrunch\b|\bgrill\b|\bkitchen\b|\bbistro\b|\bdiner\b",
    ),
    (
        "sport",
        r"\bsports?\b|\bmarathon\b|\brace\b|\bfitness\b|\bgym\b|\bfootball\b|\bsoccer\b|\bbasketball\b"
        r"|\btournament\b|\bfun\s+run\b",
    ),
    (
        "education",
        r"\bworkshop\b|\bclass(?:es)?\b|\bcourse\b|\blecture\b|\bseminar\b|\bconference\b"
        r"|\btutoring\b|\bbooks?\b|\blibrary\b|\btips\b|\bschool\b",
    ),
)

_GREETINGS: tuple[tuple[str, str], ...] = (
    (r"\bbirthday\b|\bb-?day\b", "Happy Birthday"),
    (r"\bthank(?:s|\s*-?\s*you)\b", "Thank You"),
    (r"\bchristmas\b|\bxmas\b", "Merry Christmas"),
    (r"\bnew\s+year\b", "Happy New Year"),
    (r"\bget\s+well\b", "Get Well Soon"),
    (r"\banniversary\b", "Happy Anniversary"),
    (r"\bvalentine", "Happy Valentine's Day"),
    (r"\bmother'?s\s+day\b", "Happy Mother's Day"),
    (r"\bfather'?s\s+day\b", "Happy Father's Day"),
    (r"\bcongratulations\b|\bcongrats\b|\bgraduation\b", "Congratulations"),
    (r"\bholiday", "Happy Holidays"),
)

_LANDSCAPES: tuple[tuple[str, str], ...] = (
    ("city", r"\bcity(?:scape)?\b|\bskyline\b|\bdowntown\b|\bskyscrapers?\b"),
    ("mountains", r"\bmountains?\b|\bpeaks?\b|\balps\b|\bhills\b|\bvalley\b"),
    ("forest", r"\bforests?\b|\bwoods\b|\bwoodland\b|\bpine\s+trees\b|\bjungle\b"),
    ("field", r"\bfields?\b|\bmeadows?\b|\bwildflowers\b|\bflower\s+field\b|\bprairie\b"),
    ("beach", r"\bbeach(?:es)?\b|\bshore\b|\bcoast\b|\bseaside\b"),
    ("sea", r"\bsea\b|\bocean\b|\bwaves\b|\blake\b|\bwater\b"),
    ("desert", r"\bdeserts?\b|\bdunes?\b"),
    ("sky", r"\bsky\b|\bstars\b|\bstarry\b|\bgalaxy\b|\bmilky\s+way\b|\bspace\b"),
)

_TIMES_OF_DAY: tuple[tuple[str, str], ...] = (
    ("sunset", r"\bsunsets?\b|\bdusk\b|\bgolden\s+hour\b|\bevening\b|\btwilight\b"),
    ("dawn", r"\bdawn\b|\bsunrise\b|\bdaybreak\b|\bmorning\b"),
    (
        "night",
        r"\bnight\b|\bstars\b|\bstarry\b|\bmoon(?:lit|light)?\b|\bmidnight\b|\bgalaxy\b|\bmilky\s+way\b",
    ),
)

_REQUEST = re.compile(
    r"^(?:(?:please|pls|kindly|hey|hi|ok(?:ay)?)\b[\s,]*)*"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:need|want|would\s+like|'d\s+like)\s+"
    r"|(?:let'?s|help\s+me)\s+)?"
    r"(?:(?:make|create|design|generate|draw|paint|render|produce|build|give\s+me|show\s+me|do)\b\s*(?:me\s+)?)?",
    re.IGNORECASE,
)
_ARTICLES = {"a", "an", "the", "my", "our", "his", "her", "their", "your", "some", "this", "that"}
_STYLE_WORDS = {
    "beautiful",
    "nice",
    "pretty",
    "stunning",
    "gorgeous",
    "simple",
    "cute",
    "big",
    "large",
    "small",
    "tiny",
    "eye-catching",
    "eye",
    "catching",
    "professional",
    "creative",
    "cool",
    "awesome",
    "stylish",
    "fancy",
    "new",
    "quick",
    "great",
    "amazing",
    "lovely",
    "bright",
    "colorful",
    "colourful",
    "modern",
    "minimalist",
    "minimal",
    "clean",
    "elegant",
    "vintage",
    "retro",
    "bold",
    "square",
    "vertical",
    "horizontal",
    "landscape",
    "portrait",
    "printable",
    "digital",
    "social",
    "media",
    "post",
    "design",
    "graphic",
    "image",
    "picture",
}
_EDGE_WORDS = {
    "on",
    "at",
    "in",
    "from",
    "by",
    "with",
    "and",
    "for",
    "of",
    "to",
    "the",
    "a",
    "an",
    "that",
    "which",
    "is",
    "are",
    "about",
    "featuring",
    "announcing",
    "advertising",
    "promoting",
    "celebrating",
    "saying",
    "says",
    "my",
    "our",
    "your",
    "their",
    "its",
    "this",
    "every",
    "next",
    "&",
    "-",
    "it",
    "me",
}
_SMALL_WORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "for",
    "of",
    "on",
    "in",
    "at",
    "to",
    "by",
    "with",
    "from",
    "vs",
}
_RELATIVES = {
    "mom": "Mom",
    "mum": "Mum",
    "dad": "Dad",
    "mother": "Mother",
    "father": "Father",
    "grandma": "Grandma",
    "grandpa": "Grandpa",
    "sister": "Sister",
    "brother": "Brother",
    "wife": "Wife",
    "husband": "Husband",
    "son": "Son",
    "daughter": "Daughter",
    "friend": "Friend",
    "teacher": "Teacher",
    "boss": "Boss",
    "grandmother": "Grandmother",
    "grandfather": "Grandfather",
    "aunt": "Aunt",
    "uncle": "Uncle",
}

_DEFAULT_MENUS: dict[str, tuple[tuple[str, str], ...]] = {
    "coffee": (
        ("Espresso", "3.00"),
        ("Americano", "3.50"),
        ("Cappuccino", "4.00"),
        ("Latte", "4.50"),
        ("Mocha", "4.75"),
        ("Chai Latte", "4.50"),
        ("Croissant", "3.25"),
        ("Blueberry Muffin", "3.50"),
    ),
    "bakery": (
        ("Sourdough Loaf", "7.00"),
        ("Baguette", "3.50"),
        ("Croissant", "3.25"),
        ("Pain au Chocolat", "3.75"),
        ("Cinnamon Roll", "4.00"),
        ("Carrot Cake Slice", "4.50"),
        ("Fruit Tart", "5.00"),
    ),
    "food": (
        ("Soup of the Day", "6.50"),
        ("Garden Salad", "8.00"),
        ("Margherita Pizza", "12.00"),
        ("Grilled Chicken", "15.50"),
        ("Pasta Primavera", "13.00"),
        ("Chocolate Cake", "6.00"),
    ),
    "music": (
        ("House Lager", "5.00"),
        ("Craft IPA", "6.50"),
        ("Red Wine", "7.00"),
        ("Mojito", "9.00"),
        ("Old Fashioned", "10.00"),
        ("Lemonade", "3.50"),
    ),
}


# ---------------------------------------------------------------- helpers


def title_case(text: str) -> str:
    """Capitalise words for a headline; words already holding capitals or digits are kept as written."""
    words = text.split()
    out = []
    for index, word in enumerate(words):
        if any(ch.isupper() for ch in word) or any(ch.isdigit() for ch in word):
            out.append(word)
        elif index and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


class _Reader:
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
    while words and words[0].lower().strip(",.") in _EDGE_WORDS:
        words.pop(0)
    words = _MEDIA_LEAD.sub("", " ".join(words)).split()
    words = _GENERIC_LEAD.sub("", " ".join(words)).split()
    while words and words[-1].lower().strip(",.") in _EDGE_WORDS:
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


def _find_kind(text: str) -> tuple[str | None, re.Match[str] | None]:
    for kind, pattern in _KINDS:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return kind, match
    return None, None


def _find_theme(text: str, kind: str | None) -> str:
    if kind == "certificate":
        return "certificate"
    if kind == "business-card":
        return "business"
    for theme, pattern in _THEMES:
        if re.search(pattern, text, re.IGNORECASE):
            return theme
    return ""


def _describes_scene(text: str) -> bool:
    """True when `text` only names a landscape and a time of day ("mountains at sunset")."""
    rest = text
    for _, pattern in (*_LANDSCAPES, *_TIMES_OF_DAY):
        rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    return rest != text and all(w.lower() in _EDGE_WORDS | _ARTICLES | {"over", "under", "full"} for w in rest.split())


def _find_scene(text: str) -> Scene | None:
    landscape = next((name for name, p in _LANDSCAPES if re.search(p, text, re.IGNORECASE)), None)
    time = next((name for name, p in _TIMES_OF_DAY if re.search(p, text, re.IGNORECASE)), None)
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


def _take_quotes(reader: _Reader) -> list[str]:
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


def _take_details(reader: _Reader) -> tuple[list[tuple[int, str]], str, list[str]]:
    """Dates, times, places, prices and contacts, each with its position so they keep the prompt's order."""
    found: list[tuple[int, str]] = []
    contacts: list[str] = []
    for m in reader.take(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"):
        contacts.append(m.group(0))
    for m in reader.take(r"\b(?:https?://)?(?:www\.)?[\w-]+\.(?:com|org|net|io|co|dev|app|shop|store|me)(?:/\S*)?"):
        contacts.append(m.group(0))
    phone = r"(?:\b(?:call|phone|tel|text|whatsapp)(?:\s+[A-Z][a-z]+)?:?\s+)?(?<![\w/])\+?\d[\d ().-]{6,}\d\b"
    for m in reader.take(phone):
        contacts.append(_sentence_case(m.group(0).strip()))
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
        rf"(?:\b(?:on|this\s+coming)\s+)?(?:{_WEEKDAY},?\s+)?{_MONTH}\s+\d{{1,2}}{_ORDINAL}?"
        rf"(?:\s*(?:-|\u2013|to)\s*\d{{1,2}}{_ORDINAL}?\b)?(?:,?\s+\d{{4}})?\b",
        rf"(?:\b(?:on|this\s+coming)\s+)?(?:{_WEEKDAY},?\s+)?(?:the\s+)?\d{{1,2}}{_ORDINAL}?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?\b",
        r"(?:\bon\s+)?\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b",
        rf"(?<!black\s)(?<!cyber\s)\b(?:(?:next|this(?:\s+coming)?|every|on|each)\s+)?(?:{_WEEKDAY}|weekend|week)\b(?:\s+(?:night|morning|evening|afternoon)s?)?",
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
        rf"(?:-|\u2013|to|until|till)\s*{_CLOCK}|{_CLOCK}|\b(?:noon|midnight)\b|\b[01]?\d:[0-5]\d\b|\b2[0-3]:[0-5]\d\b)"
    )
    for m in reader.take(time_pattern):
        found.append((m.start(), _format_time(m)))
    street = (
        r"(?:\b(?:at|in|on)\s+)?\b\d{1,5}\s+(?:[A-Z][\w'\u2019]*\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln"
        r"|Drive|Dr|Boulevard|Blvd|Way|Place|Pl|Square|Sq|Court|Ct|Terrace)\b\.?"
    )
    for m in reader.take(street, flags=0):
        found.append((m.start(), re.sub(r"^(?:at|in|on)\s+", "", m.group(0))))
    proper = rf"(?!(?i:{_WEEKDAY}|{_MONTH})\b)[A-Z][\w'\u2019&.]*"
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


def _take_colours(reader: _Reader) -> tuple[list[str], str | None]:
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


def _take_mood(reader: _Reader, before_kind: int) -> str | None:
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


def _take_size(reader: _Reader, kind: str | None) -> tuple[int, int] | None:
    # A named format first, so that "210 x 297 mm" is not read as pixels.
    named = format_size(reader.take, reader.text, DEFAULT_SIZES.get(kind or "poster", DEFAULT_SIZES["poster"]))
    if named is not None:
        return named
    for m in reader.take(r"\b(\d{2,5})\s*[x\u00d7]\s*(\d{2,5})(?:\s*(?:px|pixels))?\b"):
        return int(m.group(1)), int(m.group(2))
    return None


def _take_age(reader: _Reader) -> str:
    numbers = r"\d{1,3}|" + "|".join(NUMBER_WORDS)
    for m in reader.take(
        rf"\b(?:who\s+is\s+|is\s+)?(?:turning|turns|turned)\s+({numbers})\b|\b({numbers})(?:st|nd|rd|th)?\s+birthday\b"
        rf"|\b({numbers})\s+years?\s+old\b|\bage\s+({numbers})\b"
    ):
        value = next(g for g in m.groups() if g)
        # the match may have taken "birthday" itself, which the title still needs
        return str(NUMBER_WORDS.get(value.lower(), value))
    return ""


def _take_name(reader: _Reader, kind: str) -> str:
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
            if word in _RELATIVES:
                return _RELATIVES[word]
            if (
                word not in _EDGE_WORDS
                and word not in _ARTICLES
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


def _menu_items(reader: _Reader, theme: str) -> tuple[MenuItem, ...]:
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
    defaults = _DEFAULT_MENUS.get(theme, _DEFAULT_MENUS["food"])
    return tuple(MenuItem(name, price) for name, price in defaults)


_STYLE_SUFFIXES = {"themed", "theme", "style", "styled", "looking", "inspired", "coloured", "colored", "toned"}


def _is_style_word(word: str) -> bool:
    """Words before the kind that only describe the look: "bold", "night-themed", "retro-style", "blue"."""
    parts = [p for p in word.lower().strip(",.:;!?").split("-") if p]
    plain = _STYLE_WORDS | _ARTICLES | _EDGE_WORDS | _STYLE_SUFFIXES
    return not parts or all(p in plain or p in MOOD_WORDS for p in parts)


def _subject(reader: _Reader, kind_match: re.Match[str] | None) -> tuple[str, list[str]]:
    """The leftover words before the kind noun, and the chunks after it (the subject first)."""
    if kind_match is None:
        return "", _chunks(reader.remainder())
    before = [w for w in reader.remainder(0, kind_match.start()).split() if w != "|" and not _is_style_word(w)]
    reader.mark(*kind_match.span())
    return _clean_chunk(" ".join(before)), _chunks(reader.remainder(kind_match.end()))


def _merge_subject(reader: _Reader, kind_match: re.Match[str] | None, prefix: str, after: list[str]) -> list[str]:
    """Words before the kind noun lead the subject: "a bakery poster for the grand opening"."""
    if not prefix:
        return after
    joined = kind_match is not None and re.match(
        r"\s*(?:for|about|of|announcing|advertising|promoting|celebrating)\b", reader.text[kind_match.end() :]
    )
    if after and joined and len(prefix.split()) <= 2:
        return [f"{prefix} {after[0]}", *after[1:]]
    return [prefix, *after]


def _certificate_title(reader: _Reader) -> str:
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
    request = _REQUEST.match(text)
    if request and request.end() < len(text):
        text = text[request.end() :].lstrip(" ,:")
    text = re.sub(r"\b(my|our|your|their)\s+([\w-]+)['\u2019]s\b", r"\1 \2", text, flags=re.IGNORECASE)
    reader = _Reader(text)
    quotes = _take_quotes(reader)
    kind, kind_match = _find_kind(text)
    theme = _find_theme(text, kind)
    size = _take_size(reader, kind)
    items = _menu_items(reader, theme) if kind == "menu" else ()
    colours, background = _take_colours(reader)
    mood = _take_mood(reader, kind_match.start() if kind_match else 0)
    age = _take_age(reader)
    found, price, contacts = _take_details(reader)
    # places and dates are taken first, so "the City Gallery" or "Saturday night" draw no scene
    scene = _find_scene(reader.remainder())
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
    name = _take_name(reader, kind)
    preset_title = _certificate_title(reader) if kind == "certificate" else ""
    prefix, after = _subject(reader, kind_match) if kind != "scene" else ("", [])
    preset_kicker = ""
    if kind == "menu":
        preset_kicker = title_case(f"{prefix} menu") if prefix and after else "Menu"
        chunks = after or ([prefix] if prefix else [])
    else:
        chunks = _merge_subject(reader, kind_match, prefix, after)
    theme = _find_theme(" ".join([*quotes, *chunks[:1]]), kind) or theme
    if quotes and chunks and _describes_scene(chunks[0]):
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
    rest = [_sentence_case(c) for c in chunks[1:]]
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
    greeting = next((g for p, g in _GREETINGS if re.search(p, text, re.IGNORECASE)), "")
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
        details = [*[_sentence_case(c) for c in others[0 if name else 1 :]], *details]
    elif kind == "certificate":
        title = base.title or "Certificate"
        kicker = "This certificate is proudly presented to" if name else ""
        subtitle = name or subject
        details = [*([subject] if name and subject else []), *rest, *details]
    elif kind == "business-card":
        title = name or subject or "Your Name"
        roles = chunks if name else chunks[1:]
        subtitle = title_case(roles[0]) if roles else ""
        details = [*[_sentence_case(c) for c in roles[1:]], *details]
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
