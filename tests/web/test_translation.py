"""Translation-ready pages: every visible word in a template is marked for translation, and a language that has
a catalogue changes what a page says."""

from __future__ import annotations

import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client, override_settings

SRC = Path(__file__).resolve().parents[2] / "src" / "nanobananas"
TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))
# Attributes whose values a person reads or hears.
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
# Words that are not translated: the product's name.
KEPT_AS_IS = {"Nanobananas"}
BLOCK_TRANSLATE = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}.*?{%\s*endblocktrans(?:late)?\s*%}", re.S)
COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}", re.S)
# Blocks that fill an attribute of base.html's markup (<main{% block main_class %}>), not text.
MARKUP_BLOCK = re.compile(r"{%\s*block\s+main_class\s*%}.*?{%\s*endblock\s*%}", re.S)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        self.found.extend(value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value)
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"} and dict(attrs).get("value"):
            self.found.append(str(dict(attrs)["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.found.append(data)


def unmarked_text(source: str) -> list[str]:
    """The words of a template that reach a person without passing through a translation tag."""
    source = COMMENT.sub("", source)
    source = MARKUP_BLOCK.sub("", source)
    source = BLOCK_TRANSLATE.sub("\u00a7", source)
    source = TAG_OR_VARIABLE.sub("\u00a7", source)  # {% translate %}, variables and other tags alike
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    words = []
    for text in parser.found:
        for kept in KEPT_AS_IS:
            text = text.replace(kept, "")
        if re.search(r"[^\W\d_]", text):
            words.append(" ".join(text.replace("\u00a7", "…").split()))
    return words


def test_the_check_finds_unmarked_words_and_passes_marked_ones() -> None:
    assert unmarked_text('<p>Hello <b>{{ name }}</b></p><img alt="A cat">') == ["Hello", "A cat"]
    assert unmarked_text("<button>{% translate 'Send' %}</button> · 404 <script>go()</script>") == []
    assert unmarked_text("{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}<p>{# note #}</p>") == []
    assert unmarked_text('<input type="submit" value="Go"><input placeholder="{% translate "Search" %}">') == ["Go"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SRC)))
def test_every_visible_word_of_a_template_is_marked_for_translation(template: Path) -> None:
    source = template.read_text()
    assert unmarked_text(source) == []
    if re.search(r"{%\s*(translate|blocktranslate|trans|blocktrans)\b", source):
        assert re.search(r"{%\s*load\b[^%]*\bi18n\b", source), "uses translation tags without {% load i18n %}"


def _catalogue(messages: dict[str, str]) -> bytes:
    """A GNU gettext .mo file (what `compilemessages` writes) holding `messages`."""
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n > 1);\n"
    entries = {"": header, **messages}
    keys = sorted(entries)
    ids = [key.encode() for key in keys]
    strs = [entries[key].encode() for key in keys]
    start = 7 * 4 + 16 * len(keys)
    id_table, str_table, blob = [], [], b""
    for data in ids:
        id_table += [len(data), start + len(blob)]
        blob += data + b"\0"
    for data in strs:
        str_table += [len(data), start + len(blob)]
        blob += data + b"\0"
    table = struct.pack("<7I", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    return table + struct.pack(f"<{len(id_table)}I", *id_table) + struct.pack(f"<{len(str_table)}I", *str_table) + blob


@pytest.mark.django_db
def test_a_language_with_a_catalogue_changes_what_the_page_says(tmp_path: Path) -> None:
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.mo").write_bytes(
        _catalogue(
            {
                "Make and edit images by talking.": "Créez et retouchez des images en parlant.",
                "Start a new creation": "Commencer une création",
                "Page not found": "Page introuvable",
                # A string of Python code (the footer's tag) and a plural (accounts.forms.retention_label).
                "As a guest, your images are deleted %(time)s after they are made.": (
                    "Invité, vos images sont supprimées %(time)s après leur création."
                ),
                "%(count)d hour\x00%(count)d hours": "%(count)d heure\x00%(count)d heures",
            }
        )
    )
    languages = [("en", "English"), ("fr", "Français")]
    with override_settings(LOCALE_PATHS=[tmp_path], LANGUAGES=languages):
        english = Client().get("/").content.decode()
        french = Client(headers={"accept-language": "fr"}).get("/").content.decode()
        missing = Client(headers={"accept-language": "fr"}).get("/no-such-page/")
    assert "<h1>Make and edit images by talking.</h1>" in english
    assert "Commencer une création" not in english
    assert "<h1>Créez et retouchez des images en parlant.</h1>" in french
    assert ">Commencer une création</a>" in french
    assert '<html lang="fr">' in french
    assert "As a guest, your images are deleted 24 hours after they are made." in english
    assert "Invité, vos images sont supprimées 24 heures après leur création." in french
    assert missing.status_code == 404
    assert "Page introuvable" in missing.content.decode()
