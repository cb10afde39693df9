"""The words a design prompt is read with (kinds, themes, greetings, scenes, style words) and headline casing."""

from __future__ import annotations

import re

__all__ = [
    "ARTICLES",
    "CLOCK",
    "DEFAULT_MENUS",
    "EDGE_WORDS",
    "GREETINGS",
    "KINDS",
    "LANDSCAPES",
    "MONTH",
    "ORDINAL",
    "RELATIVES",
    "REQUEST",
    "SMALL_WORDS",
    "STYLE_WORDS",
    "THEMES",
    "TIMES_OF_DAY",
    "WEEKDAY",
    "sentence_case",
    "title_case",
]


MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?"
ORDINAL = r"(?:st|nd|rd|th)"
CLOCK = r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"

KINDS: tuple[tuple[str, str], ...] = (
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

THEMES: tuple[tuple[str, str], ...] = (
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

GREETINGS: tuple[tuple[str, str], ...] = (
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

LANDSCAPES: tuple[tuple[str, str], ...] = (
    ("city", r"\bcity(?:scape)?\b|\bskyline\b|\bdowntown\b|\bskyscrapers?\b"),
    ("mountains", r"\bmountains?\b|\bpeaks?\b|\balps\b|\bhills\b|\bvalley\b"),
    ("forest", r"\bforests?\b|\bwoods\b|\bwoodland\b|\bpine\s+trees\b|\bjungle\b"),
    ("field", r"\bfields?\b|\bmeadows?\b|\bwildflowers\b|\bflower\s+field\b|\bprairie\b"),
    ("beach", r"\bbeach(?:es)?\b|\bshore\b|\bcoast\b|\bseaside\b"),
    ("sea", r"\bsea\b|\bocean\b|\bwaves\b|\blake\b|\bwater\b"),
    ("desert", r"\bdeserts?\b|\bdunes?\b"),
    ("sky", r"\bsky\b|\bstars\b|\bstarry\b|\bgalaxy\b|\bmilky\s+way\b|\bspace\b"),
)

TIMES_OF_DAY: tuple[tuple[str, str], ...] = (
    ("sunset", r"\bsunsets?\b|\bdusk\b|\bgolden\s+hour\b|\bevening\b|\btwilight\b"),
    ("dawn", r"\bdawn\b|\bsunrise\b|\bdaybreak\b|\bmorning\b"),
    (
        "night",
        r"\bnight\b|\bstars\b|\bstarry\b|\bmoon(?:lit|light)?\b|\bmidnight\b|\bgalaxy\b|\bmilky\s+way\b",
    ),
)

REQUEST = re.compile(
    r"^(?:(?:please|pls|kindly|hey|hi|ok(?:ay)?)\b[\s,]*)*"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:need|want|would\s+like|'d\s+like)\s+"
    r"|(?:let'?s|help\s+me)\s+)?"
    r"(?:(?:make|create|design|generate|draw|paint|render|produce|build|give\s+me|show\s+me|do)\b\s*(?:me\s+)?)?",
    re.IGNORECASE,
)
ARTICLES = {"a", "an", "the", "my", "our", "his", "her", "their", "your", "some", "this", "that"}
STYLE_WORDS = {
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
EDGE_WORDS = {
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
SMALL_WORDS = {
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
RELATIVES = {
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

DEFAULT_MENUS: dict[str, tuple[tuple[str, str], ...]] = {
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


def title_case(text: str) -> str:
    """Capitalise words for a headline; words already holding capitals or digits are kept as written."""
    words = text.split()
    out = []
    for index, word in enumerate(words):
        if any(ch.isupper() for ch in word) or any(ch.isdigit() for ch in word):
            out.append(word)
        elif index and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
