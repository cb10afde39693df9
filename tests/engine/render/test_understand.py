"""Reading prompts: kind, title, subtitle, details, colours, mood and scene, with exact expectations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nanobananas.engine.errors import EngineError, NeedsProviderError
from nanobananas.engine.render.understand import (
    DEFAULT_SIZES,
    Brief,
    DesignPromptError,
    MenuItem,
    Scene,
    title_case,
    understand,
)


@pytest.mark.parametrize(
    ("prompt", "kind", "title", "subtitle", "details"),
    [
        ("a poster for a bakery grand opening on June 5", "poster", "Bakery Grand Opening", "", ("June 5",)),
        ("an instagram post that says SUMMER SALE", "instagram-post", "SUMMER SALE", "", ()),
        ("birthday card for Mia turning 7", "birthday-card", "Happy Birthday", "Mia is turning 7!", ()),
        (
            "flyer for a yoga class every Tuesday at 6pm in the park",
            "flyer",
            "Yoga Class",
            "",
            ("Every Tuesday", "6 PM", "In the Park"),
        ),
        ("YouTube thumbnail: 10 tips for better sleep", "youtube-thumbnail", "10 Tips for Better Sleep", "", ()),
        (
            "business card for Ana Silva, architect, ana@example.com",
            "business-card",
            "Ana Silva",
            "Architect",
            ("ana@example.com",),
        ),
        ("menu for a coffee shop", "menu", "Coffee Shop", "", ()),
        ("certificate of achievement for Sam Lee", "certificate", "Certificate of Achievement", "Sam Lee", ()),
        (
            "a poster for a jazz night at Rosa's Bakery on Saturday, June 5th at 7:30pm, $5 entry",
            "poster",
            "Jazz Night",
            "",
            ("Rosa's Bakery", "Saturday, June 5th", "7:30 PM", "$5 Entry"),
        ),
        ('a flyer with the text "Hello" in blue and gold', "flyer", "Hello", "", ()),
        (
            "invitation to our wedding, Anna and Tom, May 3 2027 at the Old Mill",
            "invitation",
            "Anna & Tom",
            "Wedding",
            ("May 3 2027", "The Old Mill"),
        ),
        (
            "a pastel instagram story for a spring market next Saturday 10am-2pm",
            "instagram-story",
            "Spring Market",
            "",
            ("Next Saturday", "10 AM\u20132 PM"),
        ),
        ("a facebook cover for a coffee shop called Bean There", "facebook-cover", "Bean There", "Coffee Shop", ()),
        ("a sale banner: 20% off all shoes this weekend", "sale-banner", "Sale", "All shoes", ("This Weekend",)),
        (
            "please make a poster about a farmers market in Central Park",
            "poster",
            "Farmers Market",
            "",
            ("Central Park",),
        ),
        ("a thank you card for my teacher", "card", "Thank You", "Teacher", ()),
        ("a poster for a concert on 5/6 at 8pm", "poster", "Concert", "", ("5/6", "8 PM")),
        (
            "Create an Instagram post for my bakery's 20% off croissants this Friday",
            "instagram-post",
            "Bakery",
            "Croissants",
            ("This Friday",),
        ),
        ("a poster saying Lost Cat, call 555-1234", "poster", "Lost Cat", "", ("Call 555-1234",)),
        (
            "flyer for piano lessons, $30/hour, call Maria 555-0100",
            "flyer",
            "Piano Lessons",
            "",
            ("$30/hour", "Call Maria 555-0100"),
        ),
        (
            "invitation for Emma's baby shower on Sunday, March 3rd at 2pm at 14 Oak Street",
            "invitation",
            "Emma's Baby Shower",
            "",
            ("Sunday, March 3rd", "2 PM", "14 Oak Street"),
        ),
        ("make me a poster", "poster", "Your Headline", "", ()),
        ("a flyer for a quiz night from 6 to 9pm", "flyer", "Quiz Night", "", ("6\u20139 PM",)),
        ("lunch meetup poster at noon on Friday", "poster", "Lunch Meetup", "", ("Noon", "Friday")),
        ("a poster for a run at 19:00 on 12/06/2026", "poster", "Run", "", ("19:00", "12/06/2026")),
        ("a poster for a show at 7 p.m. tomorrow", "poster", "Show", "", ("7 PM", "Tomorrow")),
        ("a poster for a sale on the 3rd of March", "poster", "Sale", "", ("3rd of March",)),
        ("a poster for a sale this coming Monday", "poster", "Sale", "", ("This Coming Monday",)),
        (
            "an instagram story for a yoga retreat in Bali, May 10-14",
            "instagram-story",
            "Yoga Retreat",
            "",
            ("Bali", "May 10-14"),
        ),
        (
            "a kids party invitation for Leo turning 5 on Sunday at 3pm",
            "invitation",
            "Leo",
            "Kids Party \u00b7 Turning 5",
            ("Sunday", "3 PM"),
        ),
        (
            "a poster for a tech meetup about AI on Thursday 6:30pm at Hub 21",
            "poster",
            "Tech Meetup About AI",
            "",
            ("Thursday", "6:30 PM", "Hub 21"),
        ),
        ("a flyer for our bakery Sweet Crumbs opening on Monday", "flyer", "Sweet Crumbs Opening", "", ("Monday",)),
        (
            "an employee of the month certificate for Priya Patel",
            "certificate",
            "Employee of the Month",
            "Priya Patel",
            (),
        ),
        ("a completion certificate", "certificate", "Certificate of Completion", "", ()),
        (
            "business card: Dr. Lena Park, Dentist, Smile Studio, +1 555 010 2030, www.smilestudio.com",
            "business-card",
            "Dr. Lena Park",
            "Dentist",
            ("Smile Studio", "www.smilestudio.com", "+1 555 010 2030"),
        ),
        ("a dinner menu for an Italian restaurant", "menu", "Italian Restaurant", "", ()),
        (
            "Poster: LOST DOG - answers to Max - call 555 0199",
            "poster",
            "LOST DOG",
            "Answers to Max",
            ("Call 555 0199",),
        ),
        ("a night-themed poster for a bakery grand opening", "poster", "Bakery Grand Opening", "", ()),
        ("a bakery poster for the grand opening", "poster", "Bakery Grand Opening", "", ()),
        ("a retro-style flyer for a vinyl fair", "flyer", "Vinyl Fair", "", ()),
        ("Summer Sale instagram post", "instagram-post", "Summer Sale", "", ()),
        (
            "poster for my band The Rollers live at The Blue Note on Friday",
            "poster",
            "The Rollers Live",
            "",
            ("The Blue Note", "Friday"),
        ),
        ("a black friday sale banner up to 70% off", "sale-banner", "Black Friday Sale", "", ()),
        (
            "a minimalist poster for a photography exhibition opening 12 March 2027 at the City Gallery",
            "poster",
            "Photography Exhibition Opening",
            "",
            ("12 March 2027", "The City Gallery"),
        ),
        ("happy new year card", "card", "Happy New Year", "", ()),
        ("a christmas card for the Smith family", "card", "Merry Christmas", "Smith Family", ()),
        (
            "a thumbnail for my video about how to bake sourdough bread",
            "youtube-thumbnail",
            "How to Bake Sourdough Bread",
            "",
            (),
        ),
    ],
)
def test_prompt_is_read_into_kind_title_and_details(
    prompt: str, kind: str, title: str, subtitle: str, details: tuple[str, ...]
) -> None:
    brief = understand(prompt)
    assert (brief.kind, brief.title, brief.subtitle, brief.details) == (kind, title, subtitle, details)


def test_quoted_text_is_kept_verbatim() -> None:
    brief = understand("an instagram post with the text 'Hello, World!' on a black background")
    assert brief.title == "Hello, World!"
    assert brief.verbatim is True
    assert brief.background == "black"


def test_curly_quotes_are_text_to_show() -> None:
    assert understand("a poster that says \u201cStay Curious\u201d").title == "Stay Curious"


def test_sale_price_becomes_the_headline_offer() -> None:
    brief = understand("a sale banner: 20% off all shoes this weekend")
    assert brief.price == "20% OFF"
    assert brief.theme == "sale"


def test_birthday_card_knows_the_name_and_age() -> None:
    brief = understand("birthday card for Mia turning 7")
    assert (brief.name, brief.age, brief.theme) == ("Mia", "7", "birthday")


def test_ages_in_words_become_digits() -> None:
    assert understand("a birthday card for Leo who is turning seven").age == "7"


def test_menu_gets_items_from_the_prompt_when_listed() -> None:
    brief = understand("a menu for a juice bar with orange juice $4, smoothie $6 and green tea $3")
    assert brief.items == (
        MenuItem("Orange Juice", "$4"),
        MenuItem("Smoothie", "$6"),
        MenuItem("Green Tea", "$3"),
    )


def test_words_before_menu_become_its_heading() -> None:
    assert understand("a dinner menu for an Italian restaurant").kicker == "Dinner Menu"
    assert understand("a coffee shop menu").kicker == "Menu"


def test_menu_without_items_gets_sample_items_for_its_subject() -> None:
    items = understand("menu for a coffee shop").items
    assert items[0] == MenuItem("Espresso", "3.00")
    assert len(items) == 8


@pytest.mark.parametrize(
    ("prompt", "colours", "mood"),
    [
        ("a poster for a gala in blue and gold", ("blue", "gold"), None),
        ("a warm poster for a book fair", (), "warm"),
        ("a flyer for a picnic in a pastel style", (), "pastel"),
        ("a bold poster for a boxing match", (), "bold"),
        ("an elegant invitation to a dinner party", (), "elegant"),
    ],
)
def test_colour_and_mood_words(prompt: str, colours: tuple[str, ...], mood: str | None) -> None:
    brief = understand(prompt)
    assert (brief.colours, brief.mood) == (colours, mood)


def test_colour_words_do_not_end_up_in_the_title() -> None:
    assert understand("a poster for a gala in blue and gold").title == "Gala"


@pytest.mark.parametrize(
    ("prompt", "scene"),
    [
        ("a sunset over the sea", Scene("sea", "sunset")),
        ("a night sky full of stars", Scene("sky", "night")),
        ("mountains at dawn", Scene("mountains", "dawn")),
        ("a forest", Scene("forest", "day")),
        ("a beach", Scene("beach", "day")),
        ("a city skyline at night", Scene("city", "night")),
        ("a field of flowers", Scene("field", "day")),
    ],
)
def test_scenes_named_without_text_have_no_title(prompt: str, scene: Scene) -> None:
    brief = understand(prompt)
    assert brief == Brief(kind="scene", title="", scene=scene, theme=brief.theme, mood=brief.mood)


def test_a_design_set_in_a_scene_keeps_its_text_and_the_scene() -> None:
    brief = understand("poster for a beach party at sunset on 5/6")
    assert (brief.kind, brief.title, brief.scene) == ("poster", "Beach Party at Sunset", Scene("beach", "sunset"))


def test_a_night_event_is_not_a_night_sky() -> None:
    assert understand("a poster for a jazz night").scene is None
    assert understand("a flyer for a quiz on Saturday night").scene is None


def test_a_place_name_draws_no_scene() -> None:
    assert understand("a poster for an exhibition at the City Gallery").scene is None


def test_size_in_the_prompt_is_read() -> None:
    assert understand("a poster for a bake sale 800x600").size == (800, 600)


def test_title_case_keeps_capitals_and_numbers() -> None:
    assert title_case("10 tips for the iPhone and a SALE") == "10 Tips for the iPhone and a SALE"


@pytest.mark.parametrize("prompt", ["", "   ", "!!! ...", "\n\t"])
def test_a_prompt_without_words_is_refused_with_an_engine_error(prompt: str) -> None:
    with pytest.raises(DesignPromptError, match="Describe the image"):
        understand(prompt)
    assert issubclass(DesignPromptError, EngineError)


def test_emoji_and_invisible_characters_are_dropped_before_reading() -> None:
    brief = understand("\U0001f389 a poster\u200b for a pool party \U0001f3ca on\tSaturday \u2728")
    assert (brief.title, brief.details) == ("Pool Party", ("Saturday",))


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=200))
def test_any_text_is_read_or_refused(prompt: str) -> None:
    try:
        brief = understand(prompt)
    except (DesignPromptError, NeedsProviderError):
        return
    assert brief.kind in DEFAULT_SIZES
    assert (brief.title == "") == (
        brief.kind in {"scene", "wallpaper"} and brief.scene is not None and not brief.verbatim
    )
    shown = [brief.title, brief.subtitle, brief.kicker, *brief.details]
    assert not any("\0" in text or " | " in text for text in shown if "|" not in prompt)


@pytest.mark.parametrize("prompt", ["a photo of a cat", "draw a cat", "a realistic dog", "an illustration of a dragon"])
def test_pictures_of_things_need_a_generative_provider(prompt: str) -> None:
    with pytest.raises(NeedsProviderError, match="needs an image-generation provider"):
        understand(prompt)


@pytest.mark.parametrize(
    ("prompt", "kind"),
    [
        ("a picture of a sunset over the sea", "scene"),
        ("draw mountains at dawn", "scene"),
        ("a poster for a photography exhibition", "poster"),
        ("draw a poster for a bake sale", "poster"),
    ],
)
def test_pictures_the_engine_can_draw_are_not_refused(prompt: str, kind: str) -> None:
    assert understand(prompt).kind == kind
