"""Helpers for the render tests: OCR through the tesseract binary, skipped where it is not installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ReadText = Callable[..., str]


def _luma(a: np.ndarray) -> np.ndarray:
    return 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]


def _otsu(gray: np.ndarray) -> float:
    hist = np.bincount(np.clip(gray, 0, 255).astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    back, front = weight[:-1], weight[-1] - weight[:-1]
    between = (mass[-1] * back / weight[-1] - mass[:-1]) ** 2 / np.maximum(back * front, 1)
    return float(np.argmax(between))


@pytest.fixture(scope="session")
def read_text() -> ReadText:
    """OCR the way the instruction evaluation does: scaled to 1200 px, several binarisations, psm 11 and 6.

    With `quick=True` only the grey image is read: enough for type on a calm background.
    """
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (Debian: tesseract-ocr); CI has it")

    def run(image: Image.Image, *, quick: bool = False) -> str:
        scale = max(1.0, 1200 / max(image.size))
        crop = image.convert("RGB").resize(
            (int(image.width * scale), int(image.height * scale)), Image.Resampling.LANCZOS
        )
        a = np.asarray(crop).astype(np.float64)
        gray = _luma(a)
        threshold = _otsu(gray)
        variants = [gray] if quick else [gray, 255 - gray]
        for mask in () if quick else (a.min(-1) > 200, a.max(-1) < 70, gray > threshold, gray <= threshold):
            variants.append(np.where(mask, 0, 255))
        texts = []
        with tempfile.TemporaryDirectory() as tmp:
            for index, variant in enumerate(variants):
                path = Path(tmp) / f"ocr{index}.png"
                Image.fromarray(np.clip(variant, 0, 255).astype(np.uint8)).save(path)
                for psm in ("11", "6"):
                    out = subprocess.run(
                        ["tesseract", str(path), "-", "--psm", psm], capture_output=True, text=True, timeout=60
                    )
                    texts.append(out.stdout)
        return " ".join(texts).lower()

    return run
