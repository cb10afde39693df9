"""The vault on S3-compatible storage: a local moto server speaks the S3 REST API; what lands in the
bucket is ciphertext, and the studio's full cycle (store, read, purge) works against it."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_endpoint: str) -> dict[str, Any]:
    import boto3

    name = f"nanobananas-{uuid.uuid4().hex[:12]}"
    options = {
        "bucket_name": name,
        "endpoint_url": s3_endpoint,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
        "file_overwrite": True,
    }
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket=name)
    return {"client": client, "options": options, "name": name}


def _storage(bucket: dict[str, Any]) -> Any:
    from nanobananas.vault.storage import EncryptedStorage

    return EncryptedStorage(inner={"BACKEND": "nanobananas.vault.s3.S3BlobStorage", "OPTIONS": bucket["options"]})


def _versioning(bucket: dict[str, Any], status: str) -> None:
    bucket["client"].put_bucket_versioning(Bucket=bucket["name"], VersioningConfiguration={"Status": status})


def _versions(bucket: dict[str, Any]) -> list[tuple[str, str]]:
    """Everything the bucket still holds: every object version and delete marker, by key."""
    answer = bucket["client"].list_object_versions(Bucket=bucket["name"])
    held = [("version", entry["Key"]) for entry in answer.get("Versions", [])]
    held += [("delete marker", entry["Key"]) for entry in answer.get("DeleteMarkers", [])]
    return sorted(held)


def _use_bucket(settings: Any, bucket: dict[str, Any]) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "nanobananas.vault.storage.EncryptedStorage",
            "OPTIONS": {"inner": {"BACKEND": "nanobananas.vault.s3.S3BlobStorage", "OPTIONS": bucket["options"]}},
        },
    }


def test_blobs_round_trip_through_s3_as_ciphertext(bucket: dict[str, Any]) -> None:
    storage = _storage(bucket)
    data = b"\x89PNG\r\n\x1a\n" + b"SECRET-PIXELS" * 1000
    name = storage.save("assets/g00000000-0000-0000-0000-000000000007/one.png", ContentFile(data))
    raw = bucket["client"].get_object(Bucket=bucket["name"], Key=name)["Body"].read()
    assert not raw.startswith(b"\x89PNG")
    assert b"SECRET-PIXELS" not in raw
    with storage.open(name) as handle:
        assert handle.read() == data
    assert storage.exists(name)
    assert storage.size(name) == len(data)
    assert storage.listdir("assets/g00000000-0000-0000-0000-000000000007")[1] == ["one.png"]
    storage.delete(name)
    assert not storage.exists(name)
    assert bucket["client"].list_objects_v2(Bucket=bucket["name"]).get("KeyCount") == 0


def test_a_chat_turn_stores_on_s3_and_the_purge_removes_it(bucket: dict[str, Any], settings: Any) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from nanobananas.accounts.identity import Owner
    from nanobananas.accounts.services import guest_create
    from nanobananas.privacy.services import cleanup_run
    from nanobananas.studio.conversations import conversation_create
    from nanobananas.studio.jobs import job_run
    from nanobananas.studio.models import Asset
    from nanobananas.studio.services import message_send

    _use_bucket(settings, bucket)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        owner = Owner(guest_id=guest_create().id)
        conversation = conversation_create(owner=owner)
        _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
        assert job is not None
        job_run(job_id=job.id)
    asset = Asset.objects.get(job=job)
    keys = [o["Key"] for o in bucket["client"].list_objects_v2(Bucket=bucket["name"])["Contents"]]
    assert keys == [asset.blob_name]
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        cleanup_run()
    assert bucket["client"].list_objects_v2(Bucket=bucket["name"]).get("KeyCount") == 0


def test_the_environment_selects_s3(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from nanobananas.config.environment import read_environment

    monkeypatch.setenv("NANOBANANAS_HOME", str(tmp_path))
    monkeypatch.setenv("NANOBANANAS_S3_BUCKET", "studio-blobs")
    monkeypatch.setenv("NANOBANANAS_S3_ENDPOINT_URL", "http://minio.internal:9000")
    monkeypatch.setenv("NANOBANANAS_S3_PREFIX", "prod")
    assert read_environment().s3 == {
        "bucket_name": "studio-blobs",
        "endpoint_url": "http://minio.internal:9000",
        "location": "prod",
    }
    monkeypatch.delenv("NANOBANANAS_S3_BUCKET")
    assert read_environment().s3 is None


def _chat_turn_stored() -> str:
    """A guest's chat turn stored through the default storage; returns the image's blob name."""
    from nanobananas.accounts.identity import Owner
    from nanobananas.accounts.services import guest_create
    from nanobananas.studio.conversations import conversation_create
    from nanobananas.studio.jobs import job_run
    from nanobananas.studio.models import Asset
    from nanobananas.studio.services import message_send

    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text="a poster")
    assert job is not None
    job_run(job_id=job.id)
    return str(Asset.objects.get(job=job).blob_name)


@pytest.mark.parametrize("versioning", ["never", "Enabled", "Suspended"])
def test_the_purge_leaves_no_version_of_an_image_in_the_bucket(
    bucket: dict[str, Any], settings: Any, versioning: str
) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from nanobananas.privacy.services import cleanup_run
    from nanobananas.vault.storage import blob_storage_ready

    if versioning != "never":
        _versioning(bucket, "Enabled")
    _use_bucket(settings, bucket)
    blob_storage_ready()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        name = _chat_turn_stored()
    # An earlier copy of the same object, as a rewrite (a retried job) leaves in a versioned bucket.
    bucket["client"].put_object(Bucket=bucket["name"], Key=name, Body=b"an earlier copy")
    if versioning == "Suspended":
        _versioning(bucket, "Suspended")
    copies = 1 if versioning == "never" else 2
    assert _versions(bucket) == [("version", name)] * copies
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        cleanup_run()
    assert _versions(bucket) == []


def test_the_pending_deletion_queue_deletes_every_version(bucket: dict[str, Any], settings: Any) -> None:
    from django.core.files.storage import default_storage

    from nanobananas.privacy.models import PendingBlobDeletion
    from nanobananas.privacy.services import blobs_delete_pending

    _versioning(bucket, "Enabled")
    _use_bucket(settings, bucket)
    name = "exports/u7/archive.zip"
    default_storage.save(name, ContentFile(b"an archive"))
    bucket["client"].put_object(Bucket=bucket["name"], Key=name, Body=b"a later copy")
    assert _versions(bucket) == [("version", name)] * 2
    PendingBlobDeletion.objects.create(blob_name=name)
    assert blobs_delete_pending() == (1, 0)
    assert _versions(bucket) == []
    assert not PendingBlobDeletion.objects.exists()


def test_only_the_deleted_key_loses_its_versions(bucket: dict[str, Any]) -> None:
    storage = _storage(bucket)
    _versioning(bucket, "Enabled")
    client, name = bucket["client"], bucket["name"]
    for key in ("assets/u7/one.png", "assets/u7/one.png.old", "assets/u7/one.png"):
        client.put_object(Bucket=name, Key=key, Body=b"ciphertext")
    storage.delete("assets/u7/one.png")
    assert _versions(bucket) == [("version", "assets/u7/one.png.old")]


def test_versioning_switched_on_after_start_up_is_noticed_at_the_next_delete(bucket: dict[str, Any]) -> None:
    storage = _storage(bucket)
    assert storage.inner.versioning_detect() is False
    _versioning(bucket, "Enabled")
    client, name = bucket["client"], bucket["name"]
    for body in (b"first", b"second"):
        client.put_object(Bucket=name, Key="assets/u7/one.png", Body=body)
    storage.delete("assets/u7/one.png")
    assert _versions(bucket) == []
    assert storage.inner.versioned is True


def test_an_object_lock_bucket_is_refused(bucket: dict[str, Any]) -> None:
    from django.core.exceptions import ImproperlyConfigured

    locked = f"{bucket['name']}-locked"
    bucket["client"].create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    storage = _storage({**bucket, "options": {**bucket["options"], "bucket_name": locked}})
    with pytest.raises(ImproperlyConfigured, match=rf"S3 bucket '{locked}' has Object Lock enabled: purged images"):
        storage.inner.versioning_detect()
    assert storage.inner.versioned is None


def _start(command: list[str], tmp_path: Any, endpoint: str, bucket_name: str) -> Any:
    import subprocess
    import sys

    from tests.live_server import server_environment

    env = server_environment(tmp_path / "home")
    env.update({
        "NANOBANANAS_S3_BUCKET": bucket_name, "NANOBANANAS_S3_ENDPOINT_URL": endpoint,
        "NANOBANANAS_S3_REGION": "us-east-1", "NANOBANANAS_S3_ACCESS_KEY_ID": "testing",
        "NANOBANANAS_S3_SECRET_ACCESS_KEY": "testing",
    })  # fmt: skip
    # A server or worker that started would run until stopped: the timeout fails the test then.
    return subprocess.run(
        [sys.executable, "-m", "nanobananas.cli", *command], env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip


@pytest.mark.parametrize("command", [["worker"], ["serve", "--no-worker", "--no-migrate", "--port", "0"]])
def test_serve_and_worker_refuse_to_start_when_the_bucket_versioning_cannot_be_read(
    s3_endpoint: str, tmp_path: Any, command: list[str]
) -> None:
    result = _start(command, tmp_path, s3_endpoint, "nanobananas-no-such-bucket")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: cannot read the versioning setting of S3 bucket 'nanobananas-no-such-bucket' (NoSuchBucket): "
        "the purge must know it to delete old object versions; allow s3:GetBucketVersioning for these credentials"
    )


def test_the_settings_keep_s3_blobs_in_the_version_aware_storage(tmp_path: Any) -> None:
    import subprocess
    import sys

    from tests.live_server import server_environment

    env = server_environment(tmp_path / "home")
    env["NANOBANANAS_S3_BUCKET"] = "studio-blobs"
    script = "from nanobananas.config.settings import STORAGES as s; print(s['default']['OPTIONS']['inner']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "nanobananas.vault.s3.S3BlobStorage"
