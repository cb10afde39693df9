"""The vault ciphertext formats (no Django): AES-256-GCM blobs sealed in chunks for streaming, and texts."""

from __future__ import annotations

import base64
import binascii
import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from nanobananas.vault.exceptions import DecryptionError, FormatError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "CHUNK_SIZE",
    "FORMAT_VERSION",
    "HEADER_SIZE",
    "KEY_ID_SIZE",
    "KEY_SIZE",
    "MAGIC",
    "TEXT_PREFIX",
    "BlobHeader",
    "BlobReader",
    "Readable",
    "Source",
    "StreamReader",
    "blob_encrypt",
    "blob_header_read",
    "plaintext_size",
    "text_open",
    "text_seal",
]

MAGIC = b"\x89NBV"
FORMAT_VERSION = 1
CHUNK_SIZE = 64 * 1024
KEY_SIZE = 32
KEY_ID_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16
# Bounds on the chunk size a header may declare, so a forged header cannot make a reader allocate gigabytes.
MIN_CHUNK_SIZE = 1024
MAX_CHUNK_SIZE = 4 * 1024 * 1024

_HEADER = struct.Struct(f">4sBI{KEY_ID_SIZE}s{NONCE_SIZE}s")
_CHUNK_AAD = struct.Struct(">Q?")
_FIELD_LENGTH = struct.Struct(">H")
HEADER_SIZE = _HEADER.size
TEXT_PREFIX = "vault1:"


class Readable(Protocol):
    """Anything with a binary `read(size)`: an open file, a Django `File`, a socket stream."""

    def read(self, size: int, /) -> bytes: ...


class Source(Readable, Protocol):
    """A readable that can say whether it seeks, and seek if so."""

    def seekable(self) -> bool: ...

    def seek(self, offset: int, whence: int = ..., /) -> int: ...


@dataclass(frozen=True)
class BlobHeader:
    chunk_size: int
    key_id: bytes
    nonce_base: bytes
    version: int = FORMAT_VERSION

    def pack(self) -> bytes:
        return _HEADER.pack(MAGIC, self.version, self.chunk_size, self.key_id, self.nonce_base)


def _field(text: str) -> bytes:
    """Length-prefixed UTF-8, so ("ab", "c") and ("a", "bc") never produce the same associated data."""
    raw = text.encode()
    return _FIELD_LENGTH.pack(len(raw)) + raw


def _read_exact(source: Readable, size: int) -> bytes:
    """Read `size` bytes, fewer only at the end of the stream (sources may return short reads)."""
    data = source.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    remaining = size - len(data)
    while remaining:
        more = source.read(remaining)
        if not more:
            break
        parts.append(more)
        remaining -= len(more)
    return b"".join(parts)


class _ChunkSealer:
    """Nonces and associated data for the chunks of one blob."""

    def __init__(self, key: bytes, header: BlobHeader, *, owner_key: str, blob_name: str) -> None:
        if len(key) != KEY_SIZE:
            raise ValueError(f"a data key is {KEY_SIZE} bytes, got {len(key)}")
        self._aead = AESGCM(key)
        self._nonce_base = int.from_bytes(header.nonce_base, "big")
        self._aad_prefix = header.pack() + _field(owner_key) + _field(blob_name)
        self._blob_name = blob_name

    def _nonce(self, index: int) -> bytes:
        return (self._nonce_base ^ index).to_bytes(NONCE_SIZE, "big")

    def _aad(self, index: int, final: bool) -> bytes:
        return self._aad_prefix + _CHUNK_AAD.pack(index, final)

    def seal(self, index: int, plaintext: bytes, *, final: bool) -> bytes:
        return self._aead.encrypt(self._nonce(index), plaintext, self._aad(index, final))

    def open(self, index: int, sealed: bytes, *, final: bool) -> bytes:
        name = self._blob_name
        if len(sealed) < TAG_SIZE:
            raise DecryptionError(f"blob {name!r} is truncated: chunk {index} is incomplete")
        try:
            return self._aead.decrypt(self._nonce(index), sealed, self._aad(index, final))
        except InvalidTag:
            pass
        # Only to explain the failure: a chunk that opens with the opposite flag was cut or extended.
        try:
            self._aead.decrypt(self._nonce(index), sealed, self._aad(index, not final))
        except InvalidTag:
            raise DecryptionError(
                f"chunk {index} of blob {name!r} is not authentic: its bytes were altered or reordered, "
                "or the blob was renamed, moved to another owner, or sealed with another key"
            ) from None
        if final:
            raise DecryptionError(f"blob {name!r} is truncated: it ends after chunk {index}, which is not its last")
        raise DecryptionError(f"blob {name!r} has data after its last chunk ({index})")


def blob_encrypt(
    source: Readable,
    *,
    key: bytes,
    key_id: bytes,
    owner_key: str,
    blob_name: str,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """Yield the header, then one sealed chunk at a time; at most two plaintext chunks are held.

    A blob is a fixed header followed by sealed chunks::

        header   magic "\\x89NBV" | version (1 byte) | chunk size (uint32) | data key id (16) | nonce base (12)
        chunk i  AES-256-GCM(data key, nonce = nonce base XOR i, plaintext chunk) + 16-byte tag

    Every chunk holds `chunk_size` plaintext bytes except the last, which may be shorter (an empty
    blob is one empty chunk). Each chunk's associated data is the header, the owner key, the blob
    name, the chunk index and a final-chunk flag, so a blob that was altered, truncated, extended,
    reordered, renamed or moved to another owner fails to decrypt with a `DecryptionError` saying
    which. The nonce base is random per blob; XOR with the chunk index keeps nonces unique within it.
    The construction, byte by byte, and its limits are written out in README.md ("The vault's
    ciphertext formats"); tests/vault/test_format.py rebuilds it from there with AESGCM alone.
    """
    if len(key_id) != KEY_ID_SIZE:
        raise ValueError(f"a data key id is {KEY_ID_SIZE} bytes, got {len(key_id)}")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk size must be within {MIN_CHUNK_SIZE}..{MAX_CHUNK_SIZE}, got {chunk_size}")
    header = BlobHeader(chunk_size=chunk_size, key_id=key_id, nonce_base=os.urandom(NONCE_SIZE))
    sealer = _ChunkSealer(key, header, owner_key=owner_key, blob_name=blob_name)
    yield header.pack()
    index = 0
    current = _read_exact(source, chunk_size)
    while True:
        following = _read_exact(source, chunk_size) if len(current) == chunk_size else b""
        final = not following
        yield sealer.seal(index, current, final=final)
        if final:
            return
        current = following
        index += 1


def blob_header_read(source: Readable) -> BlobHeader:
    """Read and check the header at the start of `source` (authenticated later, with the first chunk)."""
    raw = _read_exact(source, HEADER_SIZE)
    if len(raw) < HEADER_SIZE or not raw.startswith(MAGIC):
        raise FormatError("not a vault blob: the vault header is missing")
    _magic, version, chunk_size, key_id, nonce_base = _HEADER.unpack(raw)
    if version != FORMAT_VERSION:
        raise FormatError(f"vault blob format version {version} is not supported (this code reads {FORMAT_VERSION})")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise FormatError(f"vault blob declares an impossible chunk size ({chunk_size})")
    return BlobHeader(chunk_size=chunk_size, key_id=key_id, nonce_base=nonce_base, version=version)


def plaintext_size(blob_size: int, chunk_size: int) -> int:
    """The plaintext size of a blob of `blob_size` bytes (header included), without decrypting it."""
    body = blob_size - HEADER_SIZE
    full, rest = divmod(body, chunk_size + TAG_SIZE)
    if body < TAG_SIZE or 0 < rest < TAG_SIZE:
        raise FormatError(f"vault blob of {blob_size} bytes is truncated")
    return body - (full + (1 if rest else 0)) * TAG_SIZE


def _text_aad(key_id: bytes, owner_key: str, context: str) -> bytes:
    return TEXT_PREFIX.encode() + key_id + _field(owner_key) + _field(context)


def text_seal(text: str, *, key: bytes, key_id: bytes, owner_key: str, context: str) -> str:
    """Encrypt `text` for `owner_key`; it decrypts only with the same owner and `context`.

    The token is `vault1:` + URL-safe base64 of data key id | nonce | ciphertext + tag, with the
    owner key and the caller's context (say, "message:<id>") as associated data.
    """
    nonce = os.urandom(NONCE_SIZE)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), _text_aad(key_id, owner_key, context))
    return TEXT_PREFIX + base64.urlsafe_b64encode(key_id + nonce + sealed).decode("ascii")


def _text_parts(token: str) -> tuple[bytes, bytes, bytes]:
    if not token.startswith(TEXT_PREFIX):
        raise FormatError("not a vault text: the vault1: prefix is missing")
    try:
        raw = base64.urlsafe_b64decode(token[len(TEXT_PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise FormatError("vault text is not valid base64") from None
    if len(raw) < KEY_ID_SIZE + NONCE_SIZE + TAG_SIZE:
        raise FormatError("vault text is truncated")
    return raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE : KEY_ID_SIZE + NONCE_SIZE], raw[KEY_ID_SIZE + NONCE_SIZE :]


def text_open(token: str, *, key: bytes, key_id: bytes, owner_key: str, context: str) -> str:
    """Decrypt a `text_seal` token; a token of another owner, context or key raises `DecryptionError`."""
    token_key_id, nonce, sealed = _text_parts(token)
    if token_key_id != key_id:
        raise DecryptionError(
            f"this text was sealed with data key {token_key_id.hex()}, which {owner_key} no longer has"
        )
    try:
        return AESGCM(key).decrypt(nonce, sealed, _text_aad(key_id, owner_key, context)).decode()
    except InvalidTag:
        raise DecryptionError(
            f"this text is not authentic for {owner_key} in {context!r}: altered, or moved from elsewhere"
        ) from None


class StreamReader(io.RawIOBase):
    """A forward-only binary file over an iterator of byte chunks, such as `blob_encrypt` (wrap it in
    `io.BufferedReader` for full reads): what a storage's `save` reads the ciphertext from."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._pending))
        target[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def readall(self) -> bytes:
        parts = [bytes(self._pending)]
        self._pending = memoryview(b"")
        parts.extend(self._chunks)
        return b"".join(parts)


class BlobReader(io.RawIOBase):
    """The plaintext of a blob as a read-only file, decrypted one chunk at a time (wrap in `io.BufferedReader`).

    `source` is positioned just after the header (`blob_header_read`), and `blob_size` is the whole
    blob's size, which tells which chunk is the last. Every chunk is authenticated before any of its
    bytes are returned, and reading to the end also authenticates the final chunk, so a cut or
    extended blob fails there; `DecryptionError` may therefore come mid-stream, and what was read
    before it must be treated as unverified. Seekable when the source is (for HTTP range requests).
    """

    def __init__(
        self,
        source: Source,
        header: BlobHeader,
        *,
        blob_size: int,
        key: bytes,
        owner_key: str,
        blob_name: str,
    ) -> None:
        super().__init__()
        self._source = source
        self._sealer = _ChunkSealer(key, header, owner_key=owner_key, blob_name=blob_name)
        self._chunk_size = header.chunk_size
        self.size = plaintext_size(blob_size, header.chunk_size)
        self._last_index = max(0, -(-self.size // header.chunk_size) - 1)
        self._position = 0
        self._chunk_index = -1
        self._chunk = b""
        self._source_index = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._source.seekable()

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self.seekable():
            raise io.UnsupportedOperation("the blob's source is not seekable")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError(f"cannot seek to {base + offset}, before the start of the blob")
        self._position = base + offset
        return self._position

    def _load(self, index: int) -> None:
        if index != self._source_index:
            self._source.seek(HEADER_SIZE + index * (self._chunk_size + TAG_SIZE))
        sealed = _read_exact(self._source, self._chunk_size + TAG_SIZE)
        self._chunk = self._sealer.open(index, sealed, final=index == self._last_index)
        self._chunk_index = index
        self._source_index = index + 1

    def _end(self) -> int:
        """At the end, authenticate the final chunk if it was not read: it proves nothing was cut off."""
        if self._chunk_index != self._last_index:
            self._load(self._last_index)
        return 0

    def readinto(self, buffer: WriteableBuffer) -> int:
        if self._position >= self.size:
            return self._end()
        index, offset = divmod(self._position, self._chunk_size)
        if index != self._chunk_index:
            self._load(index)
        target = memoryview(buffer).cast("B")
        count = min(len(target), len(self._chunk) - offset)
        target[:count] = self._chunk[offset : offset + count]
        self._position += count
        return count

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to `size` bytes, at most to the end of the current chunk, without copying a whole chunk."""
        if size is None or size < 0:
            return self.readall()
        if self._position >= self.size:
            self._end()
            return b""
        index, offset = divmod(self._position, self._chunk_size)
        if index != self._chunk_index:
            self._load(index)
        piece = self._chunk[offset : offset + size]
        self._position += len(piece)
        return piece

    def readall(self) -> bytes:
        parts = []
        while self._position < self.size:
            index, offset = divmod(self._position, self._chunk_size)
            if index != self._chunk_index:
                self._load(index)
            parts.append(self._chunk[offset:] if offset else self._chunk)
            self._position += len(self._chunk) - offset
        self._end()
        return b"".join(parts)
