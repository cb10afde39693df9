"""Benchmark: the known-image fingerprints (OpenCV's pHash) against the hand-written DCT hash they replaced.

Run with `.venv/bin/python benchmarks/bench_imagehash.py [--images N]` (what `make bench` runs; default
1,000 pictures of 1024x768, the size content review reads). The pictures are photo-like: a smooth random
field, a dozen discs and film grain (sigma 40), each different.

Measured, for each way of hashing:

- product: `moderation.imagehash.fingerprint` (pixel SHA-256, OpenCV `img_hash.pHash` and a dHash, both on
  area-averaged reductions);
- before: the same SHA-256 with the hand-written DCT pHash (Lanczos 32x32, median of the 8x8 lowest
  frequencies) and Lanczos dHash, as they were (`dct-v1`);
- OpenCV alone: `img_hash.pHash` given the whole picture (it reduces by bilinear sampling), to show why the
  product reduces first.

Printed: milliseconds per picture and the ratio before/product (goal >= 1: not slower), and how robust the
hashes are: the largest distance (max of pHash and dHash where both exist) between a picture and its
half-size, JPEG q70 and 10-pixel-cropped copies (goal <= 10, the default NANOBANANAS_MODERATION_HASH_DISTANCE),
and the smallest distance between unrelated pictures (goal > 10).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "src"))

from record import Results, add_arguments  # noqa: E402

from nanobananas.moderation.imagehash import fingerprint, hamming  # noqa: E402

DISTANCE = 10
Hashes = tuple[str, str | None]


def photo(seed: int, size: tuple[int, int] = (1024, 768)) -> Image.Image:
    rng = np.random.default_rng(seed)
    width, height = size
    picture = Image.fromarray((rng.random((6, 8, 3)) * 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        x, y, r = int(rng.integers(0, width)), int(rng.integers(0, height)), int(rng.integers(20, 200))
        draw.ellipse((x, y, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 255, 3)))
    grain = rng.normal(0, 40, (height, width, 3))
    return Image.fromarray(np.clip(np.asarray(picture, dtype=np.float64) + grain, 0, 255).astype(np.uint8))


def copies(picture: Image.Image) -> list[Image.Image]:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=70)
    jpeg = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    half = picture.resize((picture.width // 2, picture.height // 2), Image.Resampling.BILINEAR)
    return [half, jpeg, picture.crop((10, 8, picture.width - 10, picture.height - 8))]


def _pixels_sha256(image: Image.Image) -> str:
    rgba = image.convert("RGBA")
    return hashlib.sha256(f"{rgba.width}x{rgba.height}:".encode() + rgba.tobytes()).hexdigest()


def _old_gray(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(image.convert("L").resize(size, Image.Resampling.LANCZOS), dtype=np.float64)


def _old_bits(bits: np.ndarray) -> str:
    value = 0
    for bit in bits.flatten():
        value = (value << 1) | int(bool(bit))
    return f"{value:016x}"


_N = 32
_DCT = np.sqrt(2.0 / _N) * np.cos(np.pi * (2 * np.arange(_N)[None, :] + 1) * np.arange(_N)[:, None] / (2 * _N))
_DCT[0, :] = np.sqrt(1.0 / _N)


def before(image: Image.Image) -> Hashes:
    """The fingerprint as it was (`dct-v1`), SHA-256 included so both sides do the same work."""
    _pixels_sha256(image)
    low = (_DCT @ _old_gray(image, (32, 32)) @ _DCT.T)[:8, :8]
    phash = _old_bits(low > np.median(low.flatten()[1:]))
    pixels = _old_gray(image, (9, 8))
    return phash, _old_bits(pixels[:, 1:] > pixels[:, :-1])


def product(image: Image.Image) -> Hashes:
    prints = fingerprint(image)
    return prints.phash, prints.dhash


_PHASH = cv2.img_hash.PHash_create()


def opencv_alone(image: Image.Image) -> Hashes:
    _pixels_sha256(image)
    return bytes(_PHASH.compute(np.asarray(image.convert("L"))).flatten()).hex(), None


def distance(a: Hashes, b: Hashes) -> int:
    return max(hamming(a[0], b[0]), hamming(a[1], b[1]) if a[1] and b[1] else 0)


def measure(hasher: Callable[[Image.Image], Hashes], pictures: list[Image.Image]) -> tuple[float, int, int]:
    """Milliseconds per picture, the largest distance to a copy, the smallest between unrelated pictures."""
    started = time.perf_counter()
    hashes = [hasher(picture) for picture in pictures]
    ms = (time.perf_counter() - started) * 1000 / len(pictures)
    checked = pictures[: min(len(pictures), 200)]
    near = max(distance(hashes[i], hasher(copy)) for i, picture in enumerate(checked) for copy in copies(picture))
    rng = random.Random(1)
    pairs = [(rng.randrange(len(hashes)), rng.randrange(len(hashes))) for _ in range(5000)]
    far = min(distance(hashes[a], hashes[b]) for a, b in pairs if a != b)
    return ms, near, far


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=None, help="pictures hashed (default 1,000; smoke 30)")
    add_arguments(parser)
    args = parser.parse_args()
    count = args.images or (30 if args.smoke else 1_000)
    size = f"{count:,} pictures of 1024x768"
    results = Results("imagehash", "Known-image fingerprints (OpenCV pHash)", size, args.smoke)
    pictures = [photo(seed) for seed in range(count)]
    figures = {name: measure(hasher, pictures) for name, hasher in
               (("product", product), ("before", before), ("opencv alone", opencv_alone))}  # fmt: skip
    for name, (ms, near, far) in figures.items():
        print(f"  {name:13}: {ms:7.2f} ms per picture; copies within {near} bits; unrelated at least {far} apart")
        near_ok = "ok" if near <= DISTANCE else "MISSED"
        far_ok = "ok" if far > DISTANCE else "MISSED"
        results.add(f"{name}: time per picture", f"{ms:.2f} ms")
        results.add(f"{name}: farthest copy", f"{near} bits", goal=f"<= {DISTANCE}", verdict=near_ok)
        results.add(f"{name}: nearest unrelated picture", f"{far} bits", goal=f"> {DISTANCE}", verdict=far_ok)
    ratio = figures["before"][0] / figures["product"][0]
    print(f"  ratio before/product: {ratio:.2f} (goal >= 1){'' if ratio >= 1 else '  MISSED'}")
    results.add("ratio before / product", f"{ratio:.2f}", goal=">= 1", verdict="ok" if ratio >= 1 else "MISSED")
    print(f"results: {results.write(args.results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
