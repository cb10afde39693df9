"""The vault's streaming blob format, proved against its construction as written in the README.

Known-answer vectors are built here with `cryptography`'s AESGCM directly, following the construction as
documented, never with the code under test; the code must produce them byte for byte and open them. Then
every way of rearranging sealed chunks (truncating, reordering, duplicating, splicing between files and
between owners) must fail with a `DecryptionError`.
"""

from __future__ import annotations

import base64
import hashlib
import io
import types
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import ContentFile
from hypothesis import given, settings
from hypothesis import strategies as st

from nanobananas.vault.crypto import (
    BlobReader,
    blob_encrypt,
    blob_header_read,
    text_open,
    text_seal,
)
from nanobananas.vault.exceptions import DecryptionError
from nanobananas.vault.storage import EncryptedStorage

KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
OTHER_KEY = bytes(range(100, 132))
KEY_ID = b"key id of the ow"
NONCE_BASE = bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaab")
CHUNK = 1024
TAG = 16
HEADER = 37  # magic 4 | version 1 | chunk size 4 | key id 16 | nonce base 12
SEALED = CHUNK + TAG
GUEST = "g00000000-0000-0000-0000-000000000007"
PHOTO = f"uploads/{GUEST}/photo.png"


# --- the construction, written out from the documentation --------------------------------------------------


def _field(text: str) -> bytes:
    raw = text.encode()
    return len(raw).to_bytes(2, "big") + raw


def documented_header(*, chunk_size: int, key_id: bytes, nonce_base: bytes) -> bytes:
    return b"\x89NBV" + bytes([1]) + chunk_size.to_bytes(4, "big") + key_id + nonce_base


def documented_blob(
    plaintext: bytes, *, key: bytes, key_id: bytes, nonce_base: bytes, owner: str, name: str, chunk_size: int
) -> bytes:
    """header, then for chunk i: AES-256-GCM(key, nonce = nonce base XOR i, chunk, AAD = header | owner | name |
    i as uint64 | last-chunk flag); chunks of `chunk_size` bytes, the last one shorter (one empty chunk if empty)."""
    header = documented_header(chunk_size=chunk_size, key_id=key_id, nonce_base=nonce_base)
    pieces = [plaintext[start : start + chunk_size] for start in range(0, len(plaintext), chunk_size)] or [b""]
    sealed = [header]
    for index, piece in enumerate(pieces):
        nonce = (int.from_bytes(nonce_base, "big") ^ index).to_bytes(12, "big")
        final = index == len(pieces) - 1
        aad = header + _field(owner) + _field(name) + index.to_bytes(8, "big") + bytes([final])
        sealed.append(AESGCM(key).encrypt(nonce, piece, aad))
    return b"".join(sealed)


# --- the code under test ------------------------------------------------------------------------------------


def seal(data: bytes, *, owner: str = GUEST, name: str = PHOTO, key: bytes = KEY) -> bytes:
    chunks = blob_encrypt(io.BytesIO(data), key=key, key_id=KEY_ID, owner_key=owner, blob_name=name, chunk_size=CHUNK)
    return b"".join(chunks)


def unseal(blob: bytes, *, owner: str = GUEST, name: str = PHOTO, key: bytes = KEY) -> bytes:
    source = io.BytesIO(blob)
    header = blob_header_read(source)
    return BlobReader(source, header, blob_size=len(blob), key=key, owner_key=owner, blob_name=name).readall()


def chunks_of(blob: bytes) -> tuple[bytes, list[bytes]]:
    header, body = blob[:HEADER], blob[HEADER:]
    return header, [body[start : start + SEALED] for start in range(0, len(body), SEALED)]


@pytest.fixture
def fixed_nonce_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """The code draws its nonce base from os.urandom; pin it to the vectors' base."""
    import nanobananas.vault.crypto as crypto

    monkeypatch.setattr(crypto, "os", types.SimpleNamespace(urandom=lambda size: NONCE_BASE[:size]))


# --- known-answer vectors -----------------------------------------------------------------------------------


def test_the_empty_blob_vector() -> None:
    expected = documented_blob(
        b"", key=KEY, key_id=KEY_ID, nonce_base=NONCE_BASE, owner="u7", name="assets/u7/empty.png", chunk_size=CHUNK
    )
    # 37-byte header, then one empty final chunk: its 16-byte tag alone.
    assert expected.hex() == (
        "894e4256" "01" "00000400" "6b6579206964206f6620746865206f77" "a0a1a2a3a4a5a6a7a8a9aaab"
        "188c8a4d99df7ac2366384d63de565c3"
    )  # fmt: skip


def test_the_code_seals_the_documented_bytes_and_opens_them(fixed_nonce_base: None) -> None:
    plaintext = bytes(range(256)) * 10  # 2560 bytes: two full chunks and a last one of 512
    expected = documented_blob(
        plaintext, key=KEY, key_id=KEY_ID, nonce_base=NONCE_BASE, owner=GUEST, name=PHOTO, chunk_size=CHUNK
    )
    assert len(expected) == HEADER + 2560 + 3 * TAG
    assert hashlib.sha256(expected).hexdigest() == "083376451ba835afb767b40ec8af5f23540b37c1c7172fe2b223116e799f4725"
    assert seal(plaintext) == expected
    assert unseal(expected) == plaintext


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7])
def test_the_code_matches_the_construction_at_every_chunk_boundary(fixed_nonce_base: None, size: int) -> None:
    plaintext = bytes((7 * i) % 251 for i in range(size))
    expected = documented_blob(
        plaintext, key=KEY, key_id=KEY_ID, nonce_base=NONCE_BASE, owner=GUEST, name=PHOTO, chunk_size=CHUNK
    )
    assert seal(plaintext) == expected
    assert unseal(expected) == plaintext
    # A whole number of chunks ends with a full final chunk, never an extra empty one.
    assert len(expected) == HEADER + size + TAG * max(1, -(-size // CHUNK))


def test_the_text_token_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    import nanobananas.vault.crypto as crypto

    nonce = bytes.fromhex("0f0e0d0c0b0a090807060504")
    monkeypatch.setattr(crypto, "os", types.SimpleNamespace(urandom=lambda size: nonce[:size]))
    aad = b"vault1:" + KEY_ID + _field("u7") + _field("message:42")
    sealed = AESGCM(KEY).encrypt(nonce, b"add the text 'ZEBRAMARK'", aad)
    expected = "vault1:" + base64.urlsafe_b64encode(KEY_ID + nonce + sealed).decode()
    token = text_seal("add the text 'ZEBRAMARK'", key=KEY, key_id=KEY_ID, owner_key="u7", context="message:42")
    assert token == expected
    assert text_open(expected, key=KEY, key_id=KEY_ID, owner_key="u7", context="message:42") == (
        "add the text 'ZEBRAMARK'"
    )


# --- rearranged chunks --------------------------------------------------------------------------------------

DATA = bytes(range(256)) * 12  # 3072 bytes: exactly three full chunks


def test_a_blob_cut_after_any_whole_chunk_is_truncated() -> None:
    header, chunks = chunks_of(seal(DATA))
    assert len(chunks) == 3
    for kept in (1, 2):
        with pytest.raises(
            DecryptionError, match=rf"is truncated: it ends after chunk {kept - 1}, which is not its last"
        ):
            unseal(header + b"".join(chunks[:kept]))


def test_a_blob_cut_to_its_header_or_inside_a_chunk_fails() -> None:
    blob = seal(DATA)
    for cut in (HEADER, HEADER + 10, HEADER + SEALED + 100, len(blob) - 1):
        with pytest.raises(DecryptionError):
            unseal(blob[:cut])


@pytest.mark.parametrize("order", [(1, 0, 2), (0, 2, 1), (2, 1, 0), (1, 2, 0)])
def test_reordered_chunks_fail(order: tuple[int, int, int]) -> None:
    header, chunks = chunks_of(seal(DATA))
    with pytest.raises(DecryptionError, match=r"is not authentic"):
        unseal(header + b"".join(chunks[i] for i in order))


@pytest.mark.parametrize("layout", [(0, 0, 2), (0, 1, 1), (0, 1, 2, 2), (0, 0, 1, 2), (0, 1, 2, 0)])
def test_duplicated_chunks_fail(layout: tuple[int, ...]) -> None:
    header, chunks = chunks_of(seal(DATA))
    with pytest.raises(DecryptionError):
        unseal(header + b"".join(chunks[i] for i in layout))


def test_the_final_chunk_flag_stops_an_appended_copy_of_the_last_chunk() -> None:
    header, chunks = chunks_of(seal(DATA))
    with pytest.raises(DecryptionError, match=r"has data after its last chunk \(2\)"):
        unseal(header + b"".join(chunks) + chunks[2])


def test_chunks_spliced_from_another_file_of_the_same_owner_fail() -> None:
    """Same key, same owner: another blob's chunk at the same index, and another version of the same name."""
    first_header, first = chunks_of(seal(DATA, name=PHOTO))
    _, other_file = chunks_of(seal(DATA, name=f"assets/{GUEST}/other.png"))
    second_header, same_name_again = chunks_of(seal(DATA, name=PHOTO))
    for spliced in (
        first_header + first[0] + other_file[1] + first[2],
        first_header + first[0] + same_name_again[1] + first[2],
        second_header + first[0] + first[1] + first[2],  # the header of a newer version of the same name
    ):
        with pytest.raises(DecryptionError, match=r"is not authentic"):
            unseal(spliced)


def test_chunks_spliced_from_another_owner_fail() -> None:
    header, mine = chunks_of(seal(DATA))
    _, theirs = chunks_of(seal(DATA, owner="u8", name="uploads/u8/photo.png", key=OTHER_KEY))
    with pytest.raises(DecryptionError, match=r"chunk 1 of blob .* is not authentic"):
        unseal(header + mine[0] + theirs[1] + mine[2])
    # Even under one key, the owner in every chunk's associated data tells the owners apart.
    _, same_key_other_owner = chunks_of(seal(DATA, owner="u8", name=PHOTO))
    with pytest.raises(DecryptionError, match=r"chunk 1 of blob .* is not authentic"):
        unseal(header + mine[0] + same_key_other_owner[1] + mine[2])


def test_a_range_read_of_a_swapped_chunk_fails_too() -> None:
    header, mine = chunks_of(seal(DATA))
    _, other = chunks_of(seal(DATA, name=f"assets/{GUEST}/other.png"))
    blob = header + mine[0] + other[1] + mine[2]
    source = io.BytesIO(blob)
    reader = BlobReader(
        source, blob_header_read(source), blob_size=len(blob), key=KEY, owner_key=GUEST, blob_name=PHOTO
    )
    reader.seek(CHUNK + 5)
    with pytest.raises(DecryptionError, match=r"chunk 1 of blob .* is not authentic"):
        reader.read(10)


def test_swapping_chunks_between_two_owners_files_in_the_storage_fails(tmp_path: Path, db: None) -> None:
    storage = EncryptedStorage(location=str(tmp_path / "blobs"), chunk_size=CHUNK)
    other = f"g{uuid.uuid4()}"
    mine_name = storage.save(PHOTO, ContentFile(DATA))
    theirs_name = storage.save(f"uploads/{other}/photo.png", ContentFile(DATA))
    mine_path, theirs_path = tmp_path / "blobs" / mine_name, tmp_path / "blobs" / theirs_name
    mine, theirs = mine_path.read_bytes(), theirs_path.read_bytes()
    mine_path.write_bytes(
        mine[:HEADER]
        + mine[HEADER : HEADER + SEALED]
        + theirs[HEADER + SEALED : HEADER + 2 * SEALED]
        + mine[HEADER + 2 * SEALED :]
    )
    with (
        storage.open(mine_name) as handle,
        pytest.raises(DecryptionError, match=r"chunk 1 of blob .* is not authentic"),
    ):
        handle.read()


_OPERATIONS = st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=5)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=0, max_value=4 * CHUNK), layout=_OPERATIONS)
def test_any_other_sequence_of_this_blobs_chunks_fails(size: int, layout: list[int]) -> None:
    plaintext = bytes((3 * i) % 256 for i in range(size))
    header, chunks = chunks_of(seal(plaintext))
    picked = [chunks[i % len(chunks)] for i in layout]
    rearranged = header + b"".join(picked)
    if picked == chunks:
        assert unseal(rearranged) == plaintext
    else:
        with pytest.raises(DecryptionError):
            unseal(rearranged)
