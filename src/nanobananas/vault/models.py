"""Vault tables: one data key per owner, stored only wrapped by the master key."""

from __future__ import annotations

import uuid

from django.db import models

__all__ = ["DataKey"]


class DataKey(models.Model):
    """The AES-256 key that seals one owner's blobs and texts; deleting the row crypto-shreds them.

    `key_id` is written into every blob header, so a blob names the key it needs and a key created
    after a shred never appears to match older blobs. `wrapped_key` is the key sealed by the master
    key (key-encryption key) named by `master_key_id`; rotation rewrites only these two columns.
    """

    owner_key = models.CharField(max_length=64, unique=True)
    key_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"data key {self.key_id} of {self.owner_key}"
