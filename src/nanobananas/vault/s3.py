"""Blobs on S3-compatible storage: in a bucket that keeps object versions, a delete removes every version."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]  # django-storages has no type hints
from storages.utils import clean_name  # type: ignore[import-untyped]

__all__ = ["DELETE_BATCH", "S3BlobStorage"]

logger = logging.getLogger(__name__)

# DeleteObjects takes at most 1000 keys (or versions) per request.
DELETE_BATCH = 1000


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code") or type(exc).__name__)


@deconstructible(path="nanobananas.vault.s3.S3BlobStorage")
class S3BlobStorage(S3Storage):
    """django-storages' `S3Storage` whose `delete` leaves no copy behind, also when the bucket is versioned.

    With bucket versioning on (or suspended after it was on), a plain DELETE only adds a delete marker:
    every earlier version of the object stays in the bucket, readable with s3:GetObjectVersion. So the
    versioning setting is read at start-up (`versioning_detect`: `nanobananas serve` and `nanobananas
    worker` call it through `vault.storage.blob_storage_ready`, and refuse to start when it cannot be
    read) and, when it is on, `delete` lists the object's versions and delete markers and deletes each
    one by its version id. The purge and its pending-blob queue delete through here, so both are covered.
    A plain delete whose answer carries a delete marker or a version id (versioning was switched on while
    this process ran) goes on to delete every version too, and the process treats the bucket as versioned
    from then on.
    """

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.versioned: bool | None = None

    @property
    def _client(self) -> Any:
        return self.connection.meta.client

    def versioning_detect(self) -> bool:
        """Read the bucket's versioning setting (once per process); `ImproperlyConfigured` when the purge
        could not delete every copy: the setting cannot be read, versions cannot be listed, or Object Lock."""
        from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

        bucket = self.bucket_name
        try:
            status = str(self._client.get_bucket_versioning(Bucket=bucket).get("Status") or "Off")
        except (BotoCoreError, ClientError) as exc:
            raise ImproperlyConfigured(
                f"cannot read the versioning setting of S3 bucket {bucket!r} ({_error_code(exc)}): the purge must "
                "know it to delete old object versions; allow s3:GetBucketVersioning for these credentials"
            ) from None
        versioned = status in {"Enabled", "Suspended"}
        if versioned:
            try:
                lock = self._client.get_object_lock_configuration(Bucket=bucket)
            except ClientError:
                lock = {}  # ObjectLockConfigurationNotFoundError: the bucket has no Object Lock
            if lock.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") == "Enabled":
                raise ImproperlyConfigured(
                    f"S3 bucket {bucket!r} has Object Lock enabled: purged images would stay until their lock "
                    "expires, which breaks the deletion promise; use a bucket without Object Lock"
                )
            try:
                self._client.list_object_versions(Bucket=bucket, Prefix=self.location or "", MaxKeys=1)
            except (BotoCoreError, ClientError) as exc:
                raise ImproperlyConfigured(
                    f"S3 bucket {bucket!r} has versioning {status.lower()}, so the purge must delete every version "
                    f"of an object, but listing versions failed ({_error_code(exc)}): allow s3:ListBucketVersions "
                    "and s3:DeleteObjectVersion for these credentials, or use a bucket that never had versioning"
                ) from None
        logger.info("S3 bucket %s: versioning %s", bucket, status)
        self.versioned = versioned
        return versioned

    def delete(self, name: str) -> None:
        key = self._normalize_name(clean_name(name))
        if self.versioned is None:
            self.versioning_detect()
        if self.versioned:
            self._versions_delete(key)
            return
        answer = self._client.delete_object(Bucket=self.bucket_name, Key=key)
        if answer.get("DeleteMarker") or answer.get("VersionId"):
            logger.warning("S3 bucket %s became versioned after start-up; deleting every version", self.bucket_name)
            self.versioned = True
            self._versions_delete(key)

    def _versions_delete(self, key: str) -> None:
        """Delete every version and delete marker of exactly `key` (not of other keys it is a prefix of)."""
        doomed: list[dict[str, str]] = []
        for page in self._client.get_paginator("list_object_versions").paginate(Bucket=self.bucket_name, Prefix=key):
            doomed.extend(
                {"Key": entry["Key"], "VersionId": entry["VersionId"]}
                for entry in (*page.get("Versions", []), *page.get("DeleteMarkers", []))
                if entry["Key"] == key
            )
        for start in range(0, len(doomed), DELETE_BATCH):
            answer = self._client.delete_objects(
                Bucket=self.bucket_name, Delete={"Objects": doomed[start : start + DELETE_BATCH], "Quiet": True}
            )
            errors = answer.get("Errors") or []
            if errors:
                first = errors[0]
                raise OSError(
                    f"S3 kept {len(errors)} version(s) of {key}: {first.get('Code')} {first.get('Message', '')}".strip()
                )
