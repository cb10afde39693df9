"""`nanobananas training-set`: each exclusion proved with exact file lists; pseudonyms, scrubbed prompts, PNGs."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.cli import main
from nanobananas.privacy.services import commercial_image_set, legal_hold_place, privacy_settings_update
from nanobananas.privacy.training import (
    EXCLUSION_REASONS,
    owner_pseudonym,
    prompt_scrub,
    training_file_name,
    training_set_write,
)
from nanobananas.studio.assets import asset_delete
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset
from nanobananas.studio.services import IncomingFile, message_send
from tests.privacy.builders import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _user(name: str, **choices: bool) -> Owner:
    account = get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password="x" * 12)
    owner = Owner(user_id=account.pk)
    if choices:
        privacy_settings_update(owner, **choices)
    return owner


def _image(owner: Owner) -> Asset:
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster for a bakery")
    assert job is not None
    job_run(job_id=job.id)
    return Asset.objects.get(job=job)


def _upload(owner: Owner) -> Asset:
    conversation = conversation_create(owner=owner)
    message_send(
        owner=owner,
        conversation_id=conversation.id,
        text="",
        files=[IncomingFile(name="holiday at anna@example.org.png", data=png_bytes(color=(10, 200, 30)))],
    )
    return Asset.objects.get(conversation=conversation, kind=Asset.Kind.UPLOAD)


def _files(output: Path) -> set[str]:
    return {str(p.relative_to(output)) for p in output.rglob("*") if p.is_file()}


def _manifest(output: Path) -> dict[str, Any]:
    return json.loads((output / "manifest.json").read_text())


def _counts(written: int, **excluded: int) -> dict[str, Any]:
    return {"written": written, "excluded": {reason: excluded.get(reason, 0) for reason in EXCLUSION_REASONS}}


def test_only_opted_in_images_are_written_and_each_exclusion_is_counted(tmp_path: Path) -> None:
    opted = _user("ana", improve_ai=True)
    written = [_image(opted), _upload(opted)]
    queued = _image(opted)
    asset_delete(owner=opted, asset_id=queued.id)
    overdue = _image(opted)
    Asset.objects.filter(id=overdue.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    marked = _image(opted)
    commercial_image_set(owner=opted, asset_id=marked.id, commercial=True)
    held = _image(opted)
    legal_hold_place(reason="evidence", placed_by_id=None, asset_id=held.id)

    never = _user("ben")
    never_image = _image(never)
    changed_mind = _user("cai", improve_ai=True)
    privacy_settings_update(changed_mind, improve_ai=False)
    changed_image = _image(changed_mind)
    whole_account = _user("dov", improve_ai=True, commercial_use=True)
    whole_account_image = _image(whole_account)
    consented = _user("eva", improve_ai=True, commercial_use=True, commercial_training=True)
    consented_account_image = _image(consented)
    consented_marked = _image(consented)
    commercial_image_set(owner=consented, asset_id=consented_marked.id, commercial=True)
    written += [consented_account_image, consented_marked]
    on_hold = _user("fin", improve_ai=True)
    on_hold_image = _image(on_hold)
    legal_hold_place(reason="investigation", placed_by_id=None, owner_user_id=on_hold.user_id)
    guest = Owner(guest_id=guest_create().id)
    privacy_settings_update(guest, improve_ai=True, commercial_training=True)
    guest_image = _image(guest)

    result = training_set_write(output=tmp_path / "set")

    output = tmp_path / "set"
    assert _files(output) == {"manifest.json"} | {training_file_name(a.id) for a in written}
    manifest = _manifest(output)
    expected = _counts(4, queued_for_deletion=2, guest=1, legal_hold=2, not_opted_in=2, commercial_without_consent=2)
    assert manifest["counts"] == expected
    assert (result.written, result.excluded) == (4, expected["excluded"])
    assert [f["file"] for f in manifest["files"]] == [training_file_name(a.id) for a in written]
    for excluded in (queued, overdue, marked, held, never_image, changed_image, whole_account_image, on_hold_image,
                     guest_image):  # fmt: skip
        assert not (output / training_file_name(excluded.id)).exists()


def test_owners_are_pseudonymized_prompts_scrubbed_and_images_decrypted_png(tmp_path: Path) -> None:
    owner = _user("gil", improve_ai=True)
    image = _image(owner)
    # Written into the stored request directly: this test is about the export, not the content review.
    request = image.job.request  # type: ignore[union-attr]
    request.text = "a poster for gil.baker@example.org, call +44 20 7946 0958 or 555-123-4567"
    request.save(update_fields=["sealed_text"])
    upload = _upload(owner)
    output = tmp_path / "set"
    training_set_write(output=output)
    manifest = _manifest(output)
    by_file = {entry["file"]: entry for entry in manifest["files"]}
    entry = by_file[training_file_name(image.id)]
    assert entry["prompt"] == "a poster for [email], call [phone] or [phone]"
    assert entry["owner"] == owner_pseudonym(f"u{owner.user_id}")
    assert len(entry["owner"]) == 64
    assert by_file[training_file_name(upload.id)]["prompt"] == ""
    assert (entry["kind"], entry["operation"], entry["width"], entry["height"]) == (
        "result", image.operation, image.width, image.height
    )  # fmt: skip
    text = (output / "manifest.json").read_text()
    # Whole numbers, not fragments: a four-digit fragment can turn up inside a SHA-256 by chance.
    for secret in ("gil", "example.org", "7946 0958", "555-123-4567", str(image.id), str(upload.id), "holiday"):
        assert secret not in text
    for name, entry in by_file.items():
        data = (output / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["bytes"] == len(data)
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with default_storage.open(image.blob_name, "rb") as handle:
        original = Image.open(io.BytesIO(handle.read()))
        original.load()
    written = Image.open(output / training_file_name(image.id))
    assert written.size == original.size
    assert written.tobytes() == original.tobytes()
    assert manifest["consent_snapshot_at"] <= manifest["generated_at"]
    assert (manifest["format"], manifest["schema_version"]) == ("nanobananas-training-set", 1)


def test_the_owner_pseudonym_is_keyed_by_the_deployment_secret(settings: Any) -> None:
    first = owner_pseudonym("u7")
    assert first == owner_pseudonym("u7") != owner_pseudonym("u8")
    assert first not in {hashlib.sha256(b"u7").hexdigest(), hashlib.sha256(b"7").hexdigest()}
    settings.SECRET_KEY = "another deployment's secret key, long enough to be a key"
    assert owner_pseudonym("u7") != first


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("mail me at a.b+c@mail.example.co.uk please", "mail me at [email] please"),
        ("phone (555) 010-9999 now", "phone [phone] now"),
        ("+49 30 1234567", "[phone]"),
        ("a 1024x768 poster, 3 cats, version 2, 50% off", "a 1024x768 poster, 3 cats, version 2, 50% off"),
    ],
)
def test_prompt_scrub(text: str, clean: str) -> None:
    assert prompt_scrub(text) == clean


def test_the_command_writes_the_set_with_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    owner = _user("hao", improve_ai=True)
    image = _image(owner)
    _image(_user("ida"))
    assert main(["training-set", "-o", str(tmp_path / "out")]) == 0
    assert _files(tmp_path / "out") == {"manifest.json", training_file_name(image.id)}
    assert "wrote 1 images" in capsys.readouterr().out


def test_a_bad_output_directory_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _image(_user("jai", improve_ai=True))
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep me")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.png").write_bytes(b"old")
    assert main(["training-set", "-o", str(a_file)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["training-set", "-o", str(busy)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(["training-set", "-o", str(a_file / "inside")]) == 2
    assert a_file.read_text() == "keep me"
    assert _files(busy) == {"old.png"}
