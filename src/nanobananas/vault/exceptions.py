"""Vault exceptions (pure Python, no Django), raised by the ciphertext formats, the key ring and the storage.

VaultError                          base of the vault's own errors (a bad OPTIONS or VAULT setting raises
|                                   Django's ImproperlyConfigured instead)
+-- MasterKeyError                  the master key is missing, malformed, or does not unwrap a data key
+-- DataKeyMissing                  the owner has no data key (never stored anything, or crypto-shredded):
|                                   their blobs and texts can no longer be decrypted
+-- InvalidBlobName (ValueError)    a blob name is not `<kind>/<owner key>/<file>`
+-- BlobExists (FileExistsError)    the name is taken; the vault never renames (delete, then save)
+-- DecryptionError                 a blob or text is not authentic for this owner, name and key: altered,
    |                               truncated, reordered, renamed, moved to another owner, or a shredded key
    +-- FormatError                 not vault ciphertext at all, or a format version this code cannot read
"""

from __future__ import annotations

__all__ = [
    "BlobExists",
    "DataKeyMissing",
    "DecryptionError",
    "FormatError",
    "InvalidBlobName",
    "MasterKeyError",
    "VaultError",
]


class VaultError(Exception):
    pass


class MasterKeyError(VaultError):
    pass


class DataKeyMissing(VaultError):
    pass


class InvalidBlobName(VaultError, ValueError):
    pass


class BlobExists(VaultError, FileExistsError):
    pass


class DecryptionError(VaultError):
    pass


class FormatError(DecryptionError):
    pass
