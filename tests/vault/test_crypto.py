"""The blob and text formats alone (no Django): round trips, and every kind of tampering fails loudly."""

from __future__ import annotations

import io
import os
import struct

import pytest

from nanobananas.vault.crypto import (
    CHUNK_SIZE,
    HEADER_SIZE,
    MAGIC,
    BlobReader,
    StreamReader,
    blob_encrypt,
    blob_header_read,
    plaintext_size,
    text_open,
    text_seal,
)
from nanobananas.vault.exceptions import DecryptionError, FormatError

KEY = bytes(range(32))
KEY_ID = b"K" * 16
OWNER = "u7"
NAME = "assets/u7/result.png"
SEALED_CHUNK = CHUNK_SIZE + 16


def seal(data: bytes, *, owner: str = OWNER, name: str = NAME, chunk_size: int = CHUNK_SIZE) -> bytes:
    chunks = blob_encrypt(
        io.BytesIO(data), key=KEY, key_id=KEY_ID, owner_key=owner, blob_name=name, chunk_size=chunk_size
    )
    return b"".join(chunks)


def reader(blob: bytes, *, owner: str = OWNER, name: str = NAME, key: bytes = KEY) -> BlobReader:
    source = io.BytesIO(blob)
    header = blob_header_read(source)
    return BlobReader(source, header, blob_size=len(blob), key=key, owner_key=owner, blob_name=name)


def unseal(blob: bytes, *, owner: str = OWNER, name: str = NAME, key: bytes = KEY) -> bytes:
    return reader(blob, owner=owner, name=name, key=key).readall()


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 5])
def test_round_trip_and_size_without_decrypting(size: int) -> None:
    data = os.urandom(size)
    blob = seal(data)
    assert unseal(blob) == data
    assert plaintext_size(len(blob), CHUNK_SIZE) == size
    assert len(blob) == HEADER_SIZE + size + 16 * max(1, -(-size // CHUNK_SIZE))


def test_header_names_format_version_chunk_size_and_key() -> None:
    blob = seal(b"hello")
    assert blob[:4] == MAGIC
    header = blob_header_read(io.BytesIO(blob))
    assert (header.version, header.chunk_size, header.key_id) == (1, CHUNK_SIZE, KEY_ID)


def test_the_same_plaintext_seals_differently_each_time() -> None:
    first, second = seal(b"same bytes"), seal(b"same bytes")
    assert first != second
    assert first[HEADER_SIZE - 12 : HEADER_SIZE] != second[HEADER_SIZE - 12 : HEADER_SIZE]


def test_ciphertext_holds_no_plaintext() -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"PLAINTEXT-MARKER" * 10_000
    blob = seal(data)
    assert b"\x89PNG" not in blob
    assert b"PLAINTEXT-MARKER" not in blob


def test_another_owner_cannot_decrypt() -> None:
    with pytest.raises(DecryptionError, match=r"chunk 0 of blob .* is not authentic"):
        unseal(seal(b"private"), owner="u8")


def test_a_renamed_blob_cannot_be_decrypted() -> None:
    with pytest.raises(DecryptionError, match="is not authentic"):
        unseal(seal(b"private"), name="assets/u7/other.png")


def test_another_key_cannot_decrypt() -> None:
    with pytest.raises(DecryptionError, match="is not authentic"):
        unseal(seal(b"private"), key=bytes(32))


def test_truncated_at_a_chunk_boundary_is_reported_as_truncated() -> None:
    blob = seal(os.urandom(3 * CHUNK_SIZE))
    with pytest.raises(DecryptionError, match=r"is truncated: it ends after chunk 1, which is not its last"):
        unseal(blob[: HEADER_SIZE + 2 * SEALED_CHUNK])


@pytest.mark.parametrize("cut", [1, 16, SEALED_CHUNK - 1])
def test_truncated_inside_a_chunk_fails(cut: int) -> None:
    blob = seal(os.urandom(2 * CHUNK_SIZE))
    with pytest.raises(DecryptionError):
        unseal(blob[:-cut])


def test_header_only_is_truncated() -> None:
    with pytest.raises(FormatError, match="vault blob of 37 bytes is truncated"):
        unseal(seal(b"x")[:HEADER_SIZE])


def test_data_after_the_last_chunk_fails() -> None:
    blob = seal(os.urandom(2 * CHUNK_SIZE))
    with pytest.raises(DecryptionError, match=r"has data after its last chunk \(1\)"):
        unseal(blob + b"\x00" * 40)


def test_reordered_chunks_fail() -> None:
    blob = seal(os.urandom(3 * CHUNK_SIZE))
    chunks = [blob[HEADER_SIZE + i * SEALED_CHUNK : HEADER_SIZE + (i + 1) * SEALED_CHUNK] for i in range(3)]
    swapped = blob[:HEADER_SIZE] + chunks[1] + chunks[0] + chunks[2]
    with pytest.raises(DecryptionError, match=r"chunk 0 .* is not authentic"):
        unseal(swapped)


@pytest.mark.parametrize(
    "offset",
    [
        5,  # chunk size in the header
        HEADER_SIZE - 1,  # nonce base
        HEADER_SIZE,  # first ciphertext byte
        HEADER_SIZE + CHUNK_SIZE + 3,  # first chunk's tag
        HEADER_SIZE + SEALED_CHUNK + 10,  # second chunk
    ],
)
def test_a_flipped_byte_anywhere_fails(offset: int) -> None:
    blob = bytearray(seal(os.urandom(CHUNK_SIZE + 100)))
    blob[offset] ^= 0x01
    with pytest.raises(DecryptionError):
        unseal(bytes(blob))


def test_a_flipped_key_id_fails() -> None:
    blob = bytearray(seal(b"private"))
    blob[10] ^= 0x01
    with pytest.raises(DecryptionError, match="is not authentic"):
        unseal(bytes(blob))


def test_something_that_is_not_a_vault_blob_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="not a vault blob"):
        blob_header_read(io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(100)))


def test_an_unknown_format_version_is_a_format_error() -> None:
    blob = bytearray(seal(b"x"))
    blob[4] = 2
    with pytest.raises(FormatError, match="format version 2 is not supported"):
        blob_header_read(io.BytesIO(bytes(blob)))


def test_a_forged_huge_chunk_size_is_refused_before_reading() -> None:
    blob = bytearray(seal(b"x"))
    blob[5:9] = struct.pack(">I", 1 << 31)
    with pytest.raises(FormatError, match="impossible chunk size"):
        blob_header_read(io.BytesIO(bytes(blob)))


def test_a_blob_cut_inside_a_tag_has_no_size() -> None:
    with pytest.raises(FormatError, match="truncated"):
        plaintext_size(HEADER_SIZE + SEALED_CHUNK + 5, CHUNK_SIZE)


def test_buffered_reads_of_any_size_return_the_plaintext() -> None:
    data = os.urandom(5 * 4096 + 17)
    buffered = io.BufferedReader(reader(seal(data, chunk_size=4096)), buffer_size=4096)
    assert buffered.read(10_000) == data[:10_000]
    assert buffered.read(1) == data[10_000:10_001]
    assert buffered.read() == data[10_001:]
    assert buffered.read() == b""


def test_raw_reads_stop_at_chunk_ends_and_go_on() -> None:
    data = os.urandom(2 * 4096 + 5)
    opened = reader(seal(data, chunk_size=4096))
    assert opened.read(5000) == data[:4096]
    assert opened.read(5000) == data[4096:8192]
    assert opened.read(5000) == data[8192:]
    assert opened.read(5000) == b""


def test_seeking_reads_any_range() -> None:
    data = os.urandom(5 * 4096 + 17)
    buffered = io.BufferedReader(reader(seal(data, chunk_size=4096)), buffer_size=4096)
    assert buffered.seek(9000) == 9000
    assert buffered.read(5000) == data[9000:14000]
    assert buffered.seek(-17, io.SEEK_END) == len(data) - 17
    assert buffered.read() == data[-17:]
    buffered.seek(0)
    assert buffered.read(3) == data[:3]
    assert buffered.tell() == 3


@pytest.mark.parametrize("size", [0, 4096, 3 * 4096])
def test_reading_to_the_end_authenticates_the_final_chunk(size: int) -> None:
    """A blob cut back to whole chunks, or to one empty-looking chunk, fails at the end."""
    blob = seal(os.urandom(size + 4096), chunk_size=4096)
    cut = blob[: HEADER_SIZE + (size // 4096) * (4096 + 16)] + (b"" if size else blob[HEADER_SIZE : HEADER_SIZE + 16])
    with pytest.raises(DecryptionError):
        reader(cut).readall()
    with pytest.raises(DecryptionError):
        io.BufferedReader(reader(cut)).read()


def test_a_range_read_does_not_need_the_rest_of_the_blob() -> None:
    data = os.urandom(3 * 4096)
    blob = bytearray(seal(data, chunk_size=4096))
    blob[-1] ^= 0x01  # the last chunk is damaged, the first is not
    opened = reader(bytes(blob))
    assert opened.read(4096) == data[:4096]
    with pytest.raises(DecryptionError):
        opened.readall()


def test_encrypting_reader_streams_the_same_bytes_as_the_generator() -> None:
    data = os.urandom(2 * CHUNK_SIZE + 3)
    encrypting = StreamReader(blob_encrypt(io.BytesIO(data), key=KEY, key_id=KEY_ID, owner_key=OWNER, blob_name=NAME))
    assert unseal(encrypting.readall()) == data


def test_text_round_trip_and_binding() -> None:
    token = text_seal("a poster for my bakery", key=KEY, key_id=KEY_ID, owner_key=OWNER, context="message:1")
    assert token.startswith("vault1:")
    assert "bakery" not in token
    assert text_open(token, key=KEY, key_id=KEY_ID, owner_key=OWNER, context="message:1") == "a poster for my bakery"
    with pytest.raises(DecryptionError, match="not authentic for u7 in 'message:2'"):
        text_open(token, key=KEY, key_id=KEY_ID, owner_key=OWNER, context="message:2")
    with pytest.raises(DecryptionError, match="not authentic for u8"):
        text_open(token, key=KEY, key_id=KEY_ID, owner_key="u8", context="message:1")
    with pytest.raises(DecryptionError, match="sealed with data key"):
        text_open(token, key=KEY, key_id=b"X" * 16, owner_key=OWNER, context="message:1")


@pytest.mark.parametrize("token", ["hello", "vault1:***", "vault1:AAAA"])
def test_malformed_texts_are_format_errors(token: str) -> None:
    with pytest.raises(FormatError):
        text_open(token, key=KEY, key_id=KEY_ID, owner_key=OWNER, context="message:1")
