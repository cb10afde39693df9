"""Personalization: learned design defaults from kept results change what "make a poster" makes, under the
person's control (switch, reset), and go with the account, into the export and onto Me -> Privacy."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from nanobananas.accounts.identity import Owner
from nanobananas.analytics.models import Feedback, LearnedPreferences
from nanobananas.analytics.personalization import preferences_learned
from nanobananas.audit.models import AuditEvent
from nanobananas.engine.planner.preferences import DesignPreferences, learn_design_preferences
from nanobananas.engine.render import render_design
from nanobananas.privacy.services import privacy_settings_update
from nanobananas.studio.models import Asset
from nanobananas.workflows.account_delete import account_delete

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PASSWORD = "correct horse battery"
SQUARE_NAVY_GOLD = (
    "a 1080x1080 poster for the spring fair in navy and gold",
    "a 1080x1080 poster for our book club in navy and gold",
    "a 1080x1080 poster for the school concert in navy and gold",
)


@pytest.fixture(autouse=True)
def builtin_engine(settings: Any) -> None:
    """Designs drawn by the built-in renderer, whose descriptions say size, palette and fonts."""
    settings.NANOBANANAS = {**settings.NANOBANANAS, "IMAGE_PROVIDER": "builtin"}


@dataclass
class Person:
    """An account signed in to a test client, and how to wait for what runs once a request commits."""

    client: Client
    owner: Owner
    user_id: int
    after_commit: Callable[..., Any]


@pytest.fixture
def person(django_capture_on_commit_callbacks: Any) -> Callable[[str], Person]:
    def make(name: str) -> Person:
        account = get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password=PASSWORD)
        client = Client()
        client.force_login(account)
        return Person(client, Owner(user_id=account.pk), account.pk, django_capture_on_commit_callbacks)

    return make


def _design(someone: Person, text: str) -> Asset:
    """One design asked for through the API, its job run as the worker runs it once the request commits."""
    conversation = someone.client.post("/api/v1/conversations", data="{}", content_type="application/json").json()
    with someone.after_commit(execute=True):
        sent = someone.client.post(f"/api/v1/conversations/{conversation['id']}/messages", data={"text": text})
    assert sent.status_code == 202, sent.content
    return Asset.objects.get(conversation_id=conversation["id"], kind=Asset.Kind.RESULT)


def _made(asset: Asset) -> tuple[tuple[int, int], list[int], str]:
    assert asset.plan is not None
    return (asset.width, asset.height), asset.plan["size"], asset.plan["palette"]


def _keeps_square_navy_gold_posters(someone: Person) -> list[Asset]:
    return [_design(someone, text) for text in SQUARE_NAVY_GOLD]


def test_habits_are_counted_from_kept_designs_and_a_one_off_is_not_one() -> None:
    poster = {"kind": "poster", "size": [1080, 1080], "palette": "ocean", "fonts": ["Roboto Black", "Roboto Light"]}
    banner = {"kind": "banner", "size": [1920, 640], "palette": "warm", "fonts": ["Lato Black"]}
    learned = learn_design_preferences([("builtin", poster), ("builtin", poster), ("builtin", banner)])
    assert learned == DesignPreferences(
        sizes={"poster": (1080, 1080)}, palette="ocean", fonts="roboto", provider="builtin"
    )
    assert learn_design_preferences([("builtin", poster), ("gemini", None)]) == DesignPreferences()
    assert DesignPreferences.from_dict(learned.as_dict()) == learned


def test_the_renderer_fills_in_only_what_the_words_leave_open() -> None:
    learned = DesignPreferences(sizes={"poster": (1080, 1080)}, palette="ocean", fonts="roboto")
    usual = render_design("make a poster", preferences=learned).spec
    assert (usual.size, usual.palette, usual.fonts[0]) == ((1080, 1080), "ocean", "Roboto Black")
    said = render_design("make a 800x1200 poster in red", preferences=learned).spec
    assert (said.size, said.palette) == ((800, 1200), "colours:red")
    other_kind = render_design("make a flyer", preferences=learned).spec
    assert other_kind.size == (1240, 1754)
    assert render_design("make a poster").spec.size == (1414, 2000)


def test_make_a_poster_takes_the_persons_usual_size_and_palette(person: Callable[[str], Person]) -> None:
    owner = person("ines")
    kept = _keeps_square_navy_gold_posters(owner)
    assert [_made(asset)[1:] for asset in kept] == [([1080, 1080], "colours:navy-gold")] * 3
    assert _made(_design(owner, "make a poster")) == ((1080, 1080), [1080, 1080], "colours:navy-gold")
    stranger = person("otto")
    assert _made(_design(stranger, "make a poster")) == ((1414, 2000), [1414, 2000], "warm")


def test_a_size_or_colour_in_the_request_still_wins(person: Callable[[str], Person]) -> None:
    owner = person("jon")
    _keeps_square_navy_gold_posters(owner)
    assert _made(_design(owner, "make a 800x1200 poster")) == ((800, 1200), [800, 1200], "colours:navy-gold")
    assert _made(_design(owner, "make a poster in red")) == ((1080, 1080), [1080, 1080], "colours:red")


def test_designs_rated_down_or_deleted_are_not_kept(person: Callable[[str], Person]) -> None:
    owner = person("ruth")
    made = _keeps_square_navy_gold_posters(owner)
    rated = owner.client.put(
        f"/api/v1/assets/{made[0].id}/feedback", {"rating": "down"}, content_type="application/json"
    )
    assert rated.status_code == 200
    assert Feedback.objects.filter(rating="down").count() == 1
    assert owner.client.delete(f"/api/v1/assets/{made[1].id}").status_code == 204
    assert preferences_learned(user_id=owner.user_id) is None
    assert _made(_design(owner, "make a poster")) == ((1414, 2000), [1414, 2000], "warm")


def test_switched_off_plans_as_for_anyone_and_deletes_what_was_learned(person: Callable[[str], Person]) -> None:
    owner = person("karl")
    _keeps_square_navy_gold_posters(owner)
    assert preferences_learned(user_id=owner.user_id) is not None
    assert LearnedPreferences.objects.filter(owner_user_id=owner.user_id).count() == 1
    privacy_settings_update(owner.owner, personalization=False)
    assert _made(_design(owner, "make a poster")) == ((1414, 2000), [1414, 2000], "warm")
    assert LearnedPreferences.objects.count() == 0
    privacy_settings_update(owner.owner, personalization=True)
    assert _made(_design(owner, "make a poster")) == ((1080, 1080), [1080, 1080], "colours:navy-gold")


def test_me_privacy_shows_what_was_learned_and_the_reset_button_clears_it(person: Callable[[str], Person]) -> None:
    owner = person("lena")
    _keeps_square_navy_gold_posters(owner)
    page = owner.client.get("/me/").content.decode()
    assert "What we learned about your preferences" in page
    assert "<li>Poster: 1080 x 1080 (square)</li>" in page
    assert "<li>Colours: navy, gold</li>" in page
    assert "<li>Usually made by: builtin</li>" in page
    assert 'action="/me/preferences/reset/"' in page

    response = owner.client.post("/me/preferences/reset/")
    assert (response.status_code, response["Location"]) == (302, "/me/#preferences-heading")
    row = LearnedPreferences.objects.get(owner_user_id=owner.user_id)
    assert (row.learned, row.results_counted, row.learned_since is not None) == ({}, 0, True)
    assert AuditEvent.objects.filter(kind="analytics.preferences_reset", owner_key=owner.owner.key).count() == 1
    page = owner.client.get("/me/").content.decode()
    assert "Poster: 1080 x 1080" not in page
    assert "Nothing yet" in page
    # The results kept before the reset teach nothing any more.
    assert _made(_design(owner, "make a poster")) == ((1414, 2000), [1414, 2000], "warm")


def test_me_privacy_says_when_personalization_is_off(person: Callable[[str], Person]) -> None:
    owner = person("mara")
    _keeps_square_navy_gold_posters(owner)
    privacy_settings_update(owner.owner, personalization=False)
    page = owner.client.get("/me/").content.decode()
    assert "Personalization is off: nothing is learned or used." in page
    assert "Poster: 1080 x 1080" not in page
    assert owner.client.get("/api/v1/me/privacy").json()["personalization"] is False


def test_the_reset_needs_an_account_and_a_post(person: Callable[[str], Person]) -> None:
    anonymous = Client()
    response = anonymous.post("/me/preferences/reset/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client = person("nico").client
    assert client.get("/me/preferences/reset/").status_code == 405
    assert LearnedPreferences.objects.count() == 0


def test_the_export_holds_what_was_learned(tmp_path: Path, person: Callable[[str], Person]) -> None:
    from nanobananas.privacy.export import export_for_operator

    owner = person("olga")
    _keeps_square_navy_gold_posters(owner)
    archive = export_for_operator(email="olga@example.org", output=tmp_path / "olga.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        exported = json.loads(bundle.read("preferences.json"))
    assert exported["learned"] == {
        "sizes": {"poster": [1080, 1080]}, "palette": "colours:navy-gold", "fonts": "roboto", "provider": "builtin",
    }  # fmt: skip
    assert exported["results_counted"] == 3
    assert exported["learned_since"] is None
    privacy_settings_update(owner.owner, personalization=False)
    archive = export_for_operator(email="olga@example.org", output=tmp_path / "olga-off.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as bundle:
        assert json.loads(bundle.read("preferences.json")) is None
    assert LearnedPreferences.objects.count() == 0


def test_account_deletion_removes_what_was_learned(person: Callable[[str], Person]) -> None:
    owner = person("pia")
    other = person("quin")
    _keeps_square_navy_gold_posters(owner)
    _keeps_square_navy_gold_posters(other)
    preferences_learned(user_id=owner.user_id)
    preferences_learned(user_id=other.user_id)
    account_delete(user=get_user_model().objects.get(username="pia"), password=PASSWORD, phrase="delete my account")
    assert list(LearnedPreferences.objects.values_list("owner_user_id", flat=True)) == [other.user_id]
    event = AuditEvent.objects.get(kind="account.delete")
    assert event.details["learned_preferences"] == 1
