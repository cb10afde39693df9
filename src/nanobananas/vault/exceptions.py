"""Vault exceptions (pure Python, no Django), raised by the blob format, the key ring and the storage.

VaultError                      base of everything the vault raises
+-- MasterKeyError              the master key is missing, malformed, or does not unwrap a data key
+-- DataKeyMissing              the owner has no data key (never stored anything, or crypto-shredded):
|                               their blobs and texts can no longer be decrypted
+-- InvalidBlobName (ValueError)        a blob name is not `<kind>/<owner key>/<file>`
+-- BlobExists (FileExistsError)        the name is taken; the vault never renames (delete, then save)
+-- BlobDecryptionError         ciphertext is not authentic for this owner, name and key: tampered,
    |                           truncated, reordered, renamed, moved to another owner, wrong key
    +-- BlobFormatError         not a vault blob at all, or a format version this code cannot read
"""

from __future__ import annotations

__all__ = [
    "BlobDecryptionError",
    "BlobExists",
    "BlobFormatError",
    "DataKeyMissing",
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


class BlobDecryptionError(VaultError):
    pass


class BlobFormatError(BlobDecryptionError):
    pass
