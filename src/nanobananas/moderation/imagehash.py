"""Image fingerprints that need no model: an exact pixel hash and two perceptual hashes (pHash, dHash).

Django-free. The exact hash covers the decoded pixels (not the file), so a lossless re-encode still
matches; the perceptual hashes survive resizing and JPEG re-encoding and are compared by Hamming
distance.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

__all__ = ["Fingerprint", "fingerprint", "hamming"]


@dataclass(frozen=True)
class Fingerprint:
    sha256: str
    phash: str
    dhash: str


def _gray(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    if image.mode in {"RGBA", "LA", "P"}:
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = flat
    return np.asarray(image.convert("L").resize(size, Image.Resampling.LANCZOS), dtype=np.float64)


@cache
def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    matrix = np.sqrt(2.0 / n) * np.cos(np.pi * (2 * i + 1) * k / (2 * n))
    matrix[0, :] = np.sqrt(1.0 / n)
    return matrix


def _bits_hex(bits: np.ndarray) -> str:
    value = 0
    for bit in bits.flatten():
        value = (value << 1) | int(bool(bit))
    return f"{value:016x}"


def _phash(image: Image.Image) -> str:
    pixels = _gray(image, (32, 32))
    matrix = _dct_matrix(32)
    low = (matrix @ pixels @ matrix.T)[:8, :8]
    median = np.median(low.flatten()[1:])  # the DC term says only how bright the image is
    return _bits_hex(low > median)


def _dhash(image: Image.Image) -> str:
    pixels = _gray(image, (9, 8))
    return _bits_hex(pixels[:, 1:] > pixels[:, :-1])


def fingerprint(image: Image.Image) -> Fingerprint:
    rgba = image.convert("RGBA")
    digest = hashlib.sha256(f"{rgba.width}x{rgba.height}:".encode() + rgba.tobytes()).hexdigest()
    return Fingerprint(sha256=digest, phash=_phash(image), dhash=_dhash(image))


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
