"""Export my data: the archive holds every live item of its owner and nothing else; link, limit, expiry, mail."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from nanobananas.audit.models import AuditEvent
from nanobananas.core.exceptions import NotFound
from nanobananas.privacy import export as exports
from nanobananas.privacy.export import (
    LINK_MAX_AGE,
    export_build,
    export_download_url,
    export_for_operator,
    export_request,
)
from nanobananas.privacy.models import DataExport, DeletionReceipt, PendingBlobDeletion
from nanobananas.privacy.services import retention_purge
from nanobananas.privacy.tasks import rescue_stalled_exports
from nanobananas.studio.models import Asset
from nanobananas.vault.keyring import data_key_get
from nanobananas.vault.models import DataKey
from tests.conftest import blob_path
from tests.privacy.export_seed import Person, seed_person

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
TOP_LEVEL = {
    "README.txt", "manifest.json", "account.json", "billing.json", "analytics.json", "feedback.json", "reports.json",
    "preferences.json",
}  # fmt: skip


@pytest.fixture
def alice() -> Person:
    return seed_person("alice", "MARKERALICE7f3c", (10, 200, 30))


@pytest.fixture
def bob() -> Person:
    return seed_person("bob", "MARKERBOBq81z", (220, 5, 140))


def _build(person: Person) -> DataExport:
    export = export_request(user=person.user)
    export_build(export_id=export.id)
    export.refresh_from_db()
    return export


def _stored(export: DataExport) -> bytes:
    with default_storage.open(export.blob_name, "rb") as handle:
        return bytes(handle.read())


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert bundle.testzip() is None
        return {name: bundle.read(name) for name in bundle.namelist()}


def _read_stream(response: Any) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _image_path(asset: Asset) -> str:
    label = "version" if asset.kind == Asset.Kind.RESULT else "picture"
    extension = {"image/png": "png", "image/jpeg": "jpg"}[asset.content_type]
    return f"images/{asset.conversation_id}/{label}-{asset.number}.{extension}"


def test_the_archive_holds_every_live_item_of_its_owner_with_checksums(alice: Person, bob: Person) -> None:
    export = _build(alice)
    assert (export.status, export.progress, export.stage, export.error) == ("ready", 100, "Ready", "")
    assert export.ready_at is not None
    assert export.expires_at == export.ready_at + timedelta(days=7)
    audited = AuditEvent.objects.filter(target_type="export", target_id=str(export.id)).order_by("id")
    assert [(e.kind, e.actor, e.owner_key) for e in audited] == [
        ("export.requested", f"user:{alice.user.pk}", f"u{alice.user.pk}"),
        ("export.ready", "system", f"u{alice.user.pk}"),
    ]
    assert audited[1].details == {"sha256": export.sha256, "bytes": export.byte_size}
    stored = _stored(export)
    assert (export.byte_size, export.sha256) == (len(stored), _sha(stored))
    files = _unzip(stored)

    manifest = json.loads(files["manifest.json"])
    assert (manifest["format"], manifest["schema_version"], manifest["user_id"]) == (
        "nanobananas-export",
        1,
        alice.user.pk,
    )
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(files) - {"manifest.json"}
    for path, entry in listed.items():
        assert (entry["sha256"], entry["bytes"]) == (_sha(files[path]), len(files[path])), path

    # Version 1 and its black-and-white version 2, an upload, an image stored as is, a card in the second talk.
    assert len(alice.live_assets) == 5
    version_1, version_2 = alice.live_assets[:2]
    assert (version_2.number, version_2.parent_id) == (2, version_1.id)
    for asset in alice.live_assets:
        path = _image_path(asset)
        assert _sha(files[path]) == listed[path]["sha256"] == asset.sha256
    conversation_files = {f"conversations/{cid}.json" for cid in alice.conversation_ids}
    image_files = {_image_path(asset) for asset in alice.live_assets}
    assert set(files) == TOP_LEVEL | conversation_files | image_files

    first = json.loads(files[f"conversations/{alice.conversation_ids[0]}.json"])
    assert first["id"] == str(alice.conversation_ids[0])
    texts = [turn["text"] for turn in first["turns"]]
    assert f"a poster saying {alice.marker}" in texts
    assert f"another poster {alice.marker} to delete" in texts  # the text stays; only its image was deleted
    jobs = [turn["job"] for turn in first["turns"] if turn["job"]]
    assert [job["status"] for job in jobs] == ["done", "done", "done"]
    by_id = {image["id"]: image for image in first["images"]}
    in_first = [a for a in alice.live_assets if a.conversation_id == alice.conversation_ids[0]]
    assert set(by_id) == {str(a.id) for a in in_first}
    for asset in in_first:
        record = by_id[str(asset.id)]
        assert record["file"] == _image_path(asset)
        assert record["parent_id"] == (str(asset.parent_id) if asset.parent_id else None)
        assert (record["sha256"], record["provider"], record["model"]) == (asset.sha256, asset.provider, asset.model)
        assert record["message_id"] == str(asset.message_id)
    upload = next(a for a in in_first if a.kind == Asset.Kind.UPLOAD)
    assert by_id[str(upload.id)]["original_name"] == f"holiday-{alice.marker}.png"

    account = json.loads(files["account.json"])
    assert account["user"]["email"] == "alice@example.org"
    assert account["profile"]["display_name"] == f"alice {alice.marker}"
    assert account["plan"]["code"] == "free"
    assert account["settings"]["image_retention_hours"] == 48
    assert [t["name"] for t in account["api_tokens"]] == [f"script {alice.marker}"]
    assert [s["device"] for s in account["sessions"]] == [""]
    assert (account["consents"], account["policy_acceptances"]) == ([], [])
    billing = json.loads(files["billing.json"])
    assert [i["external_id"] for i in billing["invoices"]] == [f"in_{alice.marker}"]
    assert [s["external_id"] for s in billing["subscriptions"]] == [f"sub_{alice.marker}"]
    assert json.loads(files["analytics.json"]) == []

    readme = files["README.txt"].decode()
    for heading in ("Files (schema version 1", "Why we process", "Who received", "How long", "Your rights", "complain"):
        assert heading in readme
    for recipient in ("  - fake:", "  - openai: OpenAI", "  - stripe: Stripe"):
        assert recipient in readme


def test_the_archive_holds_nothing_of_anyone_else_no_secrets_and_no_deleted_items(alice: Person, bob: Person) -> None:
    export = _build(alice)
    files = _unzip(_stored(export))
    everything = b"".join(files.values())
    assert alice.marker.encode() in everything

    data_key = data_key_get(owner_key=f"u{alice.user.pk}")
    wrapped = bytes(DataKey.objects.get(owner_key=f"u{alice.user.pk}").wrapped_key)
    forbidden: list[bytes] = [
        bob.marker.encode(),
        bob.user.email.encode(),
        *(str(a.id).encode() for a in bob.live_assets),
        *(a.sha256.encode() for a in bob.live_assets),
        *(str(cid).encode() for cid in bob.conversation_ids),
        alice.user.password.encode(),
        alice.user.password.rsplit("$", 1)[-1].encode(),
        alice.session_key.encode(),
        alice.token_digest.encode(),
        alice.raw_token.encode(),
        alice.raw_token.split("_", 2)[2].encode(),  # the secret part (it may itself contain "_")
        data_key.key,
        wrapped,
        alice.gone_marker.encode(),
        *(str(i).encode() for i in alice.gone_asset_ids),
    ]
    for asset in bob.live_assets:
        with default_storage.open(asset.blob_name, "rb") as handle:
            forbidden.append(bytes(handle.read()))
    for name, content in files.items():
        for needle in forbidden:
            assert needle not in content, (name, needle[:40])
    gone = Asset.objects.filter(id__in=alice.gone_asset_ids)
    assert gone.count() == len(alice.gone_asset_ids) == 2
    assert all(asset.state == "queued" for asset in gone)


def test_the_stored_archive_is_ciphertext_under_its_owner(alice: Person) -> None:
    export = _build(alice)
    assert export.blob_name == f"exports/u{alice.user.pk}/{export.id}.zip"
    raw = blob_path(export.blob_name).read_bytes()
    assert not raw.startswith(b"PK\x03\x04")
    assert alice.marker.encode() not in raw
    assert _stored(export).startswith(b"PK\x03\x04")


def test_export_through_the_api_with_progress_mail_and_download(
    alice: Person, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.post("/api/v1/me/exports")
    assert response.status_code == 202, response.content
    created = response.json()
    assert (created["status"], created["download_url"]) == ("queued", None)

    listing = alice.client.get("/api/v1/me/exports").json()
    assert [e["id"] for e in listing] == [created["id"]]
    detail = alice.client.get(f"/api/v1/me/exports/{created['id']}").json()
    assert (detail["status"], detail["progress"], detail["stage"]) == ("ready", 100, "Ready")
    assert detail["download_url"].startswith("/api/v1/exports/download/")
    export = DataExport.objects.get(id=created["id"])
    assert (detail["sha256"], detail["byte_size"]) == (export.sha256, export.byte_size)

    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "Your Nanobananas data export is ready"
    match = re.search(r"http://testserver(/api/v1/exports/download/\S+)", str(message.body))
    assert match is not None
    download = alice.client.get(match.group(1))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith('attachment; filename="nanobananas-export-')
    body = _read_stream(download)
    assert _sha(body) == export.sha256
    assert "README.txt" in _unzip(body)


def test_a_download_link_works_for_its_owner_only_and_for_24_hours(alice: Person, bob: Person) -> None:
    with time_machine.travel(START, tick=False):
        export = _build(alice)
        url = export_download_url(export=export)
    assert url is not None

    with time_machine.travel(START + LINK_MAX_AGE - timedelta(seconds=1), tick=False):
        assert _sha(_read_stream(alice.client.get(url))) == export.sha256
        guest = Client().get(url)
        assert (guest.status_code, guest.json()["error"]["code"]) == (401, "unauthenticated")
        stranger = bob.client.get(url)
        assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "not_found")
        for bad in (url[:-1] + ("A" if url[-1] != "A" else "B"), "/api/v1/exports/download/nonsense"):
            tampered = alice.client.get(bad)
            assert (tampered.status_code, tampered.json()["error"]["code"]) == (410, "link_expired")

    with time_machine.travel(START + LINK_MAX_AGE + timedelta(seconds=1), tick=False):
        expired = alice.client.get(url)
        assert (expired.status_code, expired.json()["error"]["code"]) == (410, "link_expired")
        fresh = alice.client.get(f"/api/v1/me/exports/{export.id}").json()["download_url"]
        assert _sha(_read_stream(alice.client.get(fresh))) == export.sha256


def test_guests_and_other_users_see_no_exports(alice: Person, bob: Person) -> None:
    export = _build(alice)
    guest = Client()
    for response in (
        guest.post("/api/v1/me/exports"),
        guest.get("/api/v1/me/exports"),
        guest.get(f"/api/v1/me/exports/{export.id}"),
    ):
        assert (response.status_code, response.json()["error"]["code"]) == (401, "unauthenticated")
    assert bob.client.get("/api/v1/me/exports").json() == []
    stranger = bob.client.get(f"/api/v1/me/exports/{export.id}")
    assert (stranger.status_code, stranger.json()["error"]["code"]) == (404, "not_found")
    assert DataExport.objects.count() == 1


def test_one_export_per_day_with_the_time_of_the_next(alice: Person) -> None:
    with time_machine.travel(START, tick=False):
        export_request(user=alice.user)
    with time_machine.travel(START + timedelta(hours=23, minutes=59), tick=False):
        response = alice.client.post("/api/v1/me/exports")
        assert response.status_code == 429
        error = response.json()["error"]
        assert error["code"] == "export_limited"
        assert error["resets_at"] == "2026-06-02T12:00:00+00:00"
        assert "2026-06-02 12:00 UTC" in error["message"]
        assert response["Retry-After"] == "60"
        assert DataExport.objects.count() == 1
    with time_machine.travel(START + timedelta(hours=24, seconds=1), tick=False):
        assert alice.client.post("/api/v1/me/exports").status_code == 202
    assert DataExport.objects.count() == 2


def test_a_failing_build_is_tried_three_times_then_reported_and_the_operator_alerted(
    alice: Person, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.ADMINS = [("Operator", "ops@example.org")]
    builds: list[int] = []

    def broken(**kwargs: Any) -> None:
        builds.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(exports, "_archive_write", broken)
    with time_machine.travel(START, tick=False):
        export = _build(alice)
    assert (export.status, export.stage, export.attempts, export.error) == ("queued", "Waiting to try again", 1, "")
    assert mail.outbox == []
    with time_machine.travel(START + timedelta(minutes=15), tick=False):
        assert exports.exports_stalled() == [export.id]
        rescue_stalled_exports()
    export.refresh_from_db()
    assert (export.status, export.attempts) == ("queued", 2)
    assert mail.outbox == []
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        rescue_stalled_exports()
    export.refresh_from_db()
    assert (export.status, export.stage, export.blob_name, export.attempts) == ("failed", "Failed", "", 3)
    assert export.error == "The archive could not be built. Please ask for a new export."
    assert "disk full" in caplog.text
    [alert_mail] = mail.outbox
    assert (alert_mail.to, alert_mail.subject) == (["ops@example.org"], "[Nanobananas] Data export failed 3 times")
    assert f"Data export {export.id} of user {alice.user.pk} failed 3 times" in mail.outbox[0].body
    assert "MARKERALICE" not in mail.outbox[0].body
    alert = AuditEvent.objects.get(kind="export.failed")
    assert (alert.target_id, alert.details) == (str(export.id), {"attempts": 3, "cause": "the build raised an error"})
    with time_machine.travel(START + timedelta(hours=3), tick=False):
        assert exports.exports_stalled() == []
        rescue_stalled_exports()
        export_build(export_id=export.id)  # a late duplicate job: the cap holds
    assert len(builds) == 3
    assert len(mail.outbox) == 1
    assert export_request(user=alice.user).status == "queued"  # a failed export does not use up the day


def test_a_build_whose_worker_keeps_dying_is_given_up_after_three_and_alerted(alice: Person, settings: Any) -> None:
    settings.ADMINS = [("Operator", "ops@example.org")]
    with time_machine.travel(START, tick=False):
        export = export_request(user=alice.user)
        DataExport.objects.filter(id=export.id).update(status="running", started_at=START, attempts=3)
    with time_machine.travel(START + timedelta(minutes=59), tick=False):
        rescue_stalled_exports()
        assert DataExport.objects.get(id=export.id).status == "running"
        assert mail.outbox == []
    with time_machine.travel(START + timedelta(hours=1, seconds=1), tick=False):
        rescue_stalled_exports()
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == ("failed", 3, exports.FAILED_MESSAGE)
    assert [m.subject for m in mail.outbox] == ["[Nanobananas] Data export failed 3 times"]
    assert AuditEvent.objects.get(kind="export.failed").details == {"attempts": 3, "cause": "its worker stopped"}


def test_building_twice_changes_nothing(alice: Person) -> None:
    export = _build(alice)
    export_build(export_id=export.id)
    again = DataExport.objects.get(id=export.id)
    assert (again.status, again.sha256, again.ready_at) == ("ready", export.sha256, export.ready_at)


def test_a_lost_or_crashed_build_is_rescued_after_an_hour(alice: Person) -> None:
    with time_machine.travel(START, tick=False):
        lost = export_request(user=alice.user)  # its job never ran
    with time_machine.travel(START + timedelta(minutes=59), tick=False):
        assert exports.exports_stalled() == []
    with time_machine.travel(START + timedelta(hours=1, seconds=1), tick=False):
        assert exports.exports_stalled() == [lost.id]
        DataExport.objects.filter(id=lost.id).update(status="running", started_at=timezone.now())
        export_build(export_id=lost.id)  # another worker holds it: nothing happens
        assert DataExport.objects.get(id=lost.id).status == "running"
    with time_machine.travel(START + timedelta(hours=2, seconds=2), tick=False):
        rescue_stalled_exports()
        lost.refresh_from_db()
        assert (lost.status, lost.progress) == ("ready", 100)
        assert exports.exports_stalled() == []


def test_progress_is_recorded_while_the_images_are_copied(alice: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    export = export_request(user=alice.user)
    seen: list[tuple[str, int, str]] = []

    class WatchingStorage:
        def open(self, name: str, mode: str = "rb") -> Any:
            row = DataExport.objects.get(id=export.id)
            seen.append((row.status, row.progress, row.stage))
            return default_storage.open(name, mode)

        def __getattr__(self, name: str) -> Any:
            return getattr(default_storage, name)

    monkeypatch.setattr(exports, "default_storage", WatchingStorage())
    export_build(export_id=export.id)
    assert len(seen) == len(alice.live_assets)
    assert all(status == "running" and 0 < progress < 100 for status, progress, _ in seen)
    assert [p for _, p, _ in seen] == sorted(p for _, p, _ in seen)
    assert seen[-1][1] > seen[0][1]


def test_the_purge_deletes_an_archive_7_days_after_it_is_ready(alice: Person) -> None:
    with time_machine.travel(START, tick=False):
        export = _build(alice)
        url = export_download_url(export=export)
    name = export.blob_name
    assert url is not None

    with time_machine.travel(START + timedelta(days=7) - timedelta(seconds=1), tick=False):
        assert "export" not in retention_purge().purged
        assert blob_path(name).exists()

    with time_machine.travel(START + timedelta(days=7, seconds=1), tick=False):
        result = retention_purge()
        assert result.purged["export"] == 1
        assert not default_storage.exists(name)
        assert not blob_path(name).exists()
        assert not PendingBlobDeletion.objects.exists()
        export.refresh_from_db()
        assert (export.status, export.blob_name) == ("expired", "")
        assert export_download_url(export=export) is None
        receipt = DeletionReceipt.objects.get(kind="export")
        assert (receipt.item_id, receipt.owner_key, receipt.content_sha256, receipt.reason) == (
            str(export.id),
            f"u{alice.user.pk}",
            export.sha256,
            "retention",
        )
        assert receipt.purged_at == START + timedelta(days=7, seconds=1)
        assert alice.client.get(url).status_code == 410
        assert "export" not in retention_purge().purged


def test_the_operator_export_writes_the_same_archive_to_a_file(alice: Person, bob: Person, tmp_path: Path) -> None:
    output = export_for_operator(email="ALICE@example.org", output=tmp_path / "out" / "alice.zip")
    assert output == tmp_path / "out" / "alice.zip"
    assert [p.name for p in output.parent.iterdir()] == ["alice.zip"]
    files = _unzip(output.read_bytes())
    assert set(files) == set(_unzip(_stored(_build(alice))))
    assert all(bob.marker.encode() not in content for content in files.values())
    assert not DataExport.objects.exclude(status="ready").exists()
    event = AuditEvent.objects.get(kind="export.operator")
    assert (event.actor, event.target_id, event.details) == (
        "operator",
        str(alice.user.pk),
        {"sha256": _sha(output.read_bytes())},
    )

    with pytest.raises(NotFound):
        export_for_operator(email="nobody@example.org", output=tmp_path / "nobody.zip")
    assert not (tmp_path / "nobody.zip").exists()


def test_operator_alerts_go_to_the_addresses_in_nanobananas_operator_email(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from nanobananas.config.environment import read_environment

    monkeypatch.setenv("NANOBANANAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NANOBANANAS_SECRET_KEY", "k" * 50)
    monkeypatch.delenv("NANOBANANAS_OPERATOR_EMAIL", raising=False)
    assert read_environment().operator_emails == []
    monkeypatch.setenv("NANOBANANAS_OPERATOR_EMAIL", " ops@example.org, oncall@example.org ,")
    assert read_environment().operator_emails == ["ops@example.org", "oncall@example.org"]
