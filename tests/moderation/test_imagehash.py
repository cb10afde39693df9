"""Image fingerprints: OpenCV's pHash on an area-averaged reduction, a dHash, and which algorithm made them."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from nanobananas.moderation.imagehash import ALGORITHM, fingerprint, hamming
from tests.moderation.conftest import picture


def _grainy(seed: int, size: tuple[int, int] = (1024, 768)) -> Image.Image:
    """A photo-like picture with film grain: the case where sampling a few pixels per cell goes wrong."""
    rng = np.random.default_rng(seed)
    base = Image.fromarray((rng.random((6, 8, 3)) * 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    grain = rng.normal(0, 40, (size[1], size[0], 3))
    return Image.fromarray(np.clip(np.asarray(base, dtype=np.float64) + grain, 0, 255).astype(np.uint8))


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def test_the_phash_is_opencvs_on_the_area_averaged_grey_picture() -> None:
    image = picture(3)
    grey = cv2.resize(np.asarray(image.convert("L")), (32, 32), interpolation=cv2.INTER_AREA)

    prints = fingerprint(image)

    assert prints.phash == cv2.img_hash.pHash(grey).tobytes().hex()
    assert prints.algorithm == ALGORITHM == "opencv-v2"
    assert len(prints.phash) == len(prints.dhash) == 16


def test_the_dhash_says_where_each_cell_is_brighter_than_its_left_neighbour() -> None:
    # Columns brighten to the right in every row: each of the 64 comparisons is true.
    ramp = Image.fromarray(np.tile(np.arange(0, 252, 28, dtype=np.uint8).repeat(20), (160, 1)), mode="L")
    assert fingerprint(ramp).dhash == "ffffffffffffffff"
    assert fingerprint(ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT)).dhash == "0000000000000000"


def test_hamming_is_opencvs_compare() -> None:
    first, second = fingerprint(picture(1)), fingerprint(picture(2))
    as_array = [
        np.frombuffer(bytes.fromhex(value), dtype=np.uint8).reshape(1, 8) for value in (first.phash, second.phash)
    ]

    assert hamming(first.phash, second.phash) == int(cv2.img_hash.PHash_create().compare(*as_array))
    assert hamming(first.phash, first.phash) == 0


def test_grainy_copies_stay_near_and_other_pictures_far() -> None:
    """A half-size and a q70 JPEG copy of a grainy photo stay within 6 bits on both hashes; another
    photo is more than the default distance of 10 away."""
    for seed in (62, 63, 64):
        original = _grainy(seed)
        prints = fingerprint(original)
        copies = [original.resize((512, 384), Image.Resampling.BILINEAR), _jpeg(original, 70)]
        for copy in copies:
            near = fingerprint(copy)
            assert max(hamming(prints.phash, near.phash), hamming(prints.dhash, near.dhash)) <= 6
        other = fingerprint(_grainy(seed + 100))
        assert hamming(prints.phash, other.phash) > 10


def test_transparent_areas_are_hashed_as_white() -> None:
    cut_out = picture(2).convert("RGBA")
    alpha = Image.new("L", cut_out.size, 255)
    alpha.paste(0, (0, 0, 160, 240))
    cut_out.putalpha(alpha)
    on_white = Image.new("RGB", cut_out.size, (255, 255, 255))
    on_white.paste(cut_out, mask=alpha)

    assert (fingerprint(cut_out).phash, fingerprint(cut_out).dhash) == (
        fingerprint(on_white).phash,
        fingerprint(on_white).dhash,
    )
