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

    return EncryptedStorage(inner={"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": bucket["options"]})


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
    from nanobananas.studio.models import Asset
    from nanobananas.studio.services import conversation_create, job_run, message_send

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "nanobananas.vault.storage.EncryptedStorage",
            "OPTIONS": {"inner": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": bucket["options"]}},
        },
    }
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
