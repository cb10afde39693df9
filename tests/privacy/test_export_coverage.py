"""Every table that points at a user is in the data export, or is left out of it for a stated reason.

Where each one is (or why it is not) is declared next to its model, in the app's `personal_data.py`; the
places declared are checked against a real archive.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

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
