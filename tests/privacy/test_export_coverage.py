"""Every table that points at a user is in the data export, or is left out of it for a stated reason.

Where each one is (or why it is not) is declared next to its model, in the app's `personal_data.py`; the
places declared are checked against a real archive.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import tempfile
import zipfile
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage

from nanobananas.privacy import export as exports
from nanobananas.privacy.export import export_build, export_request
from nanobananas.registry import personal_data as registry
from nanobananas.registry.personal_data import Link
from tests.privacy.export_seed import seed_person


def _user_references() -> dict[str, registry.Reference]:
    return {label: ref for label, ref in registry.references().items() if ref.link == Link.USER}


def test_every_model_that_references_a_user_is_exported_or_left_out_on_purpose() -> None:
    user_model = get_user_model()
    referencing = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created and field.related_model is user_model
    }
    declared = _user_references()
    assert len(referencing) > 30  # the walk found the product's tables, not nothing
    assert sorted(referencing - declared.keys()) == [], "declare them in the app's personal_data.py"
    assert sorted(declared.keys() - referencing) == [], "stale declarations"
    for label, ref in declared.items():
        assert (ref.exported is None) != (ref.left_out is None), label
        assert (ref.exported or ref.left_out or "").strip(), label


def _place(where: str) -> tuple[re.Pattern[str], list[str]]:
    """'account.json: sessions, profile (a comment)' -> the file name pattern and the top-level keys named."""
    path, _, keys = where.split(" (")[0].partition(":")
    pattern = re.compile(re.sub(r"<[^>]+>", "[^/]+", re.escape(path.strip())))
    names = [key.strip() for key in keys.split(",") if key.strip()]
    return pattern, names


@pytest.mark.django_db
@pytest.mark.database
def test_every_place_a_declaration_names_is_in_a_real_archive() -> None:
    person = seed_person("alice", "MARKERALICE7f3c", (10, 200, 30))
    export = export_request(user=person.user)
    export_build(export_id=export.id)
    export.refresh_from_db()
    with default_storage.open(export.blob_name, "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as bundle:
        files = {name: bundle.read(name) for name in bundle.namelist()}
    declared = [ref.exported for ref in _user_references().values() if ref.exported]
    assert len(declared) >= 13
    for where in declared:
        pattern, keys = _place(where)
        matching = [name for name in files if pattern.match(name)]
        assert matching, f"{where!r}: no such file in the archive ({sorted(files)[:12]} ...)"
        if keys and matching[0].endswith(".json"):
            content = json.loads(files[matching[0]])
            assert isinstance(content, dict), where
            for key in keys:
                assert key in content, f"{where!r}: {matching[0]} has no {key!r} ({sorted(content)})"


# Files of the archive that no column declares: the archive's own, and usage events, which name nobody (a
# monthly pseudonym) and so have no reference in the registry.
UNDECLARED_FILES = {"README.txt", "manifest.json", "analytics.json"}


def _archive_of(person_user: Any) -> dict[str, bytes]:
    export = export_request(user=person_user)
    export_build(export_id=export.id)
    export.refresh_from_db()
    assert export.status == "ready", export.error
    with default_storage.open(export.blob_name, "rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def test_every_app_that_says_its_data_is_exported_declares_the_exporter_that_does_it() -> None:
    assert registry.export_problems() == []
    exporting = {d.app_label for d in registry.declared() if any(ref.exported for ref in d.references)}
    assert {"accounts", "tokens", "privacy", "policies", "billing", "moderation", "studio"} <= exporting
    for declaration in registry.declared():
        if declaration.app_label in exporting:
            assert declaration.export is not None, declaration.app_label


def test_an_app_that_says_its_data_is_exported_without_an_exporter_fails_the_check() -> None:
    studio = next(d for d in registry.declared() if d.app_label == "studio")
    problems = registry.export_problems([dataclasses.replace(studio, export=None)])
    assert [p.id for p in problems] == ["privacy.E006"]
    assert "studio says its data is exported (conversations/<id>.json" in problems[0].msg


@pytest.mark.django_db
@pytest.mark.database
def test_every_file_of_a_real_archive_is_declared_by_a_reference() -> None:
    person = seed_person("alice", "MARKERALICE7f3c", (10, 200, 30))
    files = _archive_of(person.user)
    places = [_place(ref.exported)[0] for ref in registry.references().values() if ref.exported]
    undeclared = sorted(
        name for name in files if name not in UNDECLARED_FILES and not any(p.match(name) for p in places)
    )
    assert undeclared == []


@pytest.mark.django_db
@pytest.mark.database
def test_a_new_kind_of_data_is_in_the_archive_as_soon_as_its_app_declares_an_exporter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = seed_person("alice", "MARKERALICE7f3c", (10, 200, 30))

    def notes(user_id: int) -> list[registry.ExportFile]:
        return [registry.ExportFile("notes.json", {"owner": user_id, "notes": ["buy flour"]})]

    declaration = registry.PersonalData(app_label="notes", references=(), export=registry.Exporter(files=notes))
    monkeypatch.setitem(registry._REGISTRY, "notes", declaration)
    files = _archive_of(person.user)
    assert json.loads(files["notes.json"]) == {"owner": person.user.pk, "notes": ["buy flour"]}
    manifest = json.loads(files["manifest.json"])
    assert "notes.json" in {entry["path"] for entry in manifest["files"]}


@pytest.mark.django_db
@pytest.mark.database
def test_two_apps_exporting_the_same_file_or_key_is_an_error_and_no_archive_is_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = seed_person("alice", "MARKERALICE7f3c", (10, 200, 30))
    clash = registry.PersonalData(
        app_label="clash",
        references=(),
        export=registry.Exporter(files=lambda user_id: [registry.ExportFile("billing.json", {})]),
    )
    monkeypatch.setitem(registry._REGISTRY, "clash", clash)
    with (
        tempfile.TemporaryFile() as handle,
        pytest.raises(ImproperlyConfigured, match=r"clash exports billing\.json, which is already"),
    ):
        exports._archive_write(user=person.user, handle=handle, progress=lambda percent, stage: None)

    monkeypatch.delitem(registry._REGISTRY, "clash")
    section = registry.Exporter(files=lambda user_id: [registry.ExportSection("account.json", {"sessions": []})])
    monkeypatch.setitem(registry._REGISTRY, "twice", registry.PersonalData("twice", references=(), export=section))
    # Last in the archive: account.json is written before the first whole file, so adding to it later is an error.
    with (
        tempfile.TemporaryFile() as handle,
        pytest.raises(ImproperlyConfigured, match=r"twice adds to account\.json after"),
    ):
        exports._archive_write(user=person.user, handle=handle, progress=lambda percent, stage: None)
    # First: the same key from two apps is an error, never one silently replacing the other.
    monkeypatch.setattr(exports, "EXPORT_ORDER", ("twice", *exports.EXPORT_ORDER))
    with tempfile.TemporaryFile() as handle, pytest.raises(ImproperlyConfigured, match="twice both export"):
        exports._archive_write(user=person.user, handle=handle, progress=lambda percent, stage: None)
