"""The background remover's quality: IoU against known masks, the subject kept whole, a matted (soft) edge."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from nanobananas.engine.matting import refine_edge, trimap_from_mask
from nanobananas.engine.ops._subject import detect_faces, subject_mask, subject_matte, subject_prior

from .conftest import apply
from .cutout_scenes import intersection_over_union, photo, scene


def _largest(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    assert count > 1, "nothing was found"
    return np.asarray(labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA])))


def _kept_whole(found: NDArray[np.bool_], truth: NDArray[np.bool_]) -> float:
    """How much of the true subject's largest part the cut-out's largest part covers."""
    subject = _largest(truth)
    return int((_largest(found) & subject).sum()) / int(subject.sum())


@pytest.mark.parametrize(("kind", "least"), [("plain", 0.95), ("gradient", 0.95), ("table", 0.95)])
def test_the_vase_is_cut_out_of_a_plain_a_gradient_and_a_wooden_background(kind: str, least: float) -> None:
    image, truth = scene(kind)
    found = subject_matte(image) >= 0.5
    assert intersection_over_union(found, truth) >= least


# Layouts 1-8 measured 0.936-1.0.
@pytest.mark.parametrize("layout", range(1, 9))
def test_on_cluttered_backgrounds_the_vase_is_cut_out_whole(layout: int) -> None:
    image, truth = scene("cluttered", layout=layout)
    found = subject_matte(image) >= 0.5
    assert intersection_over_union(found, truth) >= 0.85
    assert _kept_whole(found, truth) >= 0.95


def test_the_matte_is_exact_away_from_the_edge_and_soft_on_it() -> None:
    image, truth = scene("plain")
    matte = subject_matte(image)
    assert matte.shape == truth.shape
    assert matte.dtype == np.float32
    near = cv2.dilate(truth.astype(np.uint8), np.ones((31, 31), np.uint8)).astype(bool)
    deep = cv2.erode(truth.astype(np.uint8), np.ones((31, 31), np.uint8)).astype(bool)
    assert np.all(matte[deep] == 1.0)
    assert np.all(matte[~near] == 0.0)
    band = near & ~deep
    fractional = (matte[band] > 0.05) & (matte[band] < 0.95)
    assert fractional.sum() > 200, "the edge is a hard cut"


def test_a_soft_edge_gets_fractional_alpha_that_follows_it() -> None:
    """A subject whose edge fades over 6 px (as fur or a blurred outline does) keeps that fade."""
    size = 320
    rows, columns = np.mgrid[:size, :size].astype(np.float64)
    distance = np.hypot(rows - size / 2, columns - size / 2)
    truth_alpha = np.clip((100 - distance) / 6 + 0.5, 0, 1)
    pixels = truth_alpha[..., None] * [200, 40, 40] + (1 - truth_alpha[..., None]) * [235, 235, 235]
    image = Image.fromarray(np.round(pixels).astype(np.uint8))
    matte = subject_matte(image)
    ramp = (truth_alpha > 0.1) & (truth_alpha < 0.9)
    assert ((matte[ramp] > 0.05) & (matte[ramp] < 0.95)).mean() > 0.5
    assert np.abs(matte[ramp] - truth_alpha[ramp]).mean() < 0.2


def test_refine_edge_recovers_a_known_alpha_and_keeps_the_rest() -> None:
    """Closed-form matting on a blend of two colours by a known alpha ramp gets that alpha back."""
    h, w = 60, 80
    alpha = np.clip((np.arange(w, dtype=np.float64) - 34) / 12, 0, 1)[None, :].repeat(h, 0)
    pixels = alpha[..., None] * [30, 160, 60] + (1 - alpha[..., None]) * [240, 200, 180]
    mask = alpha >= 0.5
    refined = refine_edge(np.round(pixels).astype(np.uint8), mask, band=8)
    trimap = trimap_from_mask(mask, 8)
    assert np.array_equal(refined[trimap == 1.0], np.ones(int((trimap == 1.0).sum()), np.float32))
    assert np.array_equal(refined[trimap == 0.0], np.zeros(int((trimap == 0.0).sum()), np.float32))
    unknown = trimap == 0.5
    assert np.abs(refined[unknown] - alpha[unknown]).max() < 0.05


def test_trimap_marks_a_band_of_the_given_width_on_both_sides() -> None:
    mask = np.zeros((20, 20), dtype=bool)
    mask[:, 10:] = True
    trimap = trimap_from_mask(mask, 3)
    assert trimap[0].tolist() == [0.0] * 7 + [0.5] * 6 + [1.0] * 7
    with pytest.raises(ValueError, match="band"):
        trimap_from_mask(mask, 0)


def test_refine_edge_leaves_a_mask_without_an_edge_alone_and_checks_sizes() -> None:
    pixels = np.zeros((10, 10, 3), np.uint8)
    full = np.ones((10, 10), dtype=bool)
    assert np.array_equal(refine_edge(pixels, full, band=2), np.ones((10, 10), np.float32))
    with pytest.raises(ValueError, match="differ in size"):
        refine_edge(pixels, np.ones((9, 10), dtype=bool), band=2)


def test_remove_background_output_has_a_soft_edge_and_exact_inside_and_outside() -> None:
    image, truth = scene("table")
    out = apply("remove_background", image)
    alpha = np.asarray(out.getchannel("A"))
    assert out.mode == "RGBA"
    assert out.size == image.size
    deep = cv2.erode(truth.astype(np.uint8), np.ones((21, 21), np.uint8)).astype(bool)
    assert np.all(alpha[deep] == 255)
    assert np.all(alpha[:20, :20] == 0)
    assert ((alpha > 0) & (alpha < 255)).sum() > 200
    assert np.array_equal(np.asarray(out.convert("RGB")), np.asarray(image))  # colours untouched


def test_replace_background_blends_the_edge_by_the_matte() -> None:
    image, _ = scene("plain")
    matte = subject_matte(image)
    out = np.asarray(apply("replace_background", image, color="#0000ff")).astype(np.float64)
    expected = np.asarray(image, dtype=np.float64) * matte[..., None] + np.array([0, 0, 255]) * (1 - matte[..., None])
    assert np.abs(out - expected).max() <= 2.0  # rounding, and the matte's solver stops within 1e-3
    edge = (matte > 0.2) & (matte < 0.8)
    assert edge.sum() > 100
    assert np.all(out[edge][:, 2] > np.asarray(image)[edge][:, 2])  # the blue shows through


def test_subject_mask_is_the_matte_in_eight_bits_and_the_prior_is_a_map() -> None:
    image, _ = scene("gradient")
    mask = subject_mask(image)
    assert mask.mode == "L"
    assert mask.size == image.size
    assert np.array_equal(np.asarray(mask), np.round(subject_matte(image) * 255).astype(np.uint8))
    prior = subject_prior(image)
    assert prior.shape == (150, 200)
    assert prior.min() >= 0
    assert prior.max() <= 1


@pytest.mark.parametrize(
    ("name", "least"),
    [
        pytest.param("astronaut", 0.75, id="person"),  # measured 0.759: the helmet she holds is lost
        pytest.param("chelsea", 0.85, id="pet"),  # measured 0.932
        pytest.param("coffee", 0.9, id="object-on-a-table"),  # measured 0.961
    ],
)
def test_real_photographs_against_hand_made_masks(name: str, least: float) -> None:
    image, truth = photo(name)
    found = subject_matte(image) >= 0.5
    assert intersection_over_union(found, truth) >= least


@pytest.mark.xfail(strict=True, reason="measured IoU 0.324: the wheels and the engine are lost (issue 17)")
def test_the_motorcycle_in_a_cluttered_garage() -> None:
    image, truth = photo("motorcycle")
    found = subject_matte(image) >= 0.5
    assert intersection_over_union(found, truth) >= 0.7


def test_what_is_kept_of_the_motorcycle_is_motorcycle() -> None:
    image, truth = photo("motorcycle")
    found = subject_matte(image) >= 0.5
    assert int((found & truth).sum()) / int(found.sum()) >= 0.9  # measured 0.94


def test_what_is_kept_of_the_person_is_the_person() -> None:
    """The space-shuttle model on the shelf behind her stands out as much as she does; it is not kept."""
    image, truth = photo("astronaut")
    found = subject_matte(image) >= 0.5
    assert int((found & truth).sum()) / int(found.sum()) >= 0.95  # measured 0.97


def test_a_face_the_caller_found_gives_the_cut_out_it_would_find_itself() -> None:
    image, _ = photo("astronaut")
    image = image.resize((384, 384), Image.Resampling.LANCZOS)  # the matting size: the same faces are looked for
    faces = detect_faces(image)
    assert faces
    assert np.array_equal(np.asarray(subject_mask(image, faces=faces)), np.asarray(subject_mask(image)))


@pytest.mark.parametrize("name", ["chelsea", "coffee"])
def test_real_subjects_are_kept_whole(name: str) -> None:
    image, truth = photo(name)
    assert _kept_whole(subject_matte(image) >= 0.5, truth) >= 0.9


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (5, 3), (3, 7), (8, 500), (300, 30), (64, 64)])
def test_tiny_and_thin_pictures_are_cut_out_without_failing(size: tuple[int, int]) -> None:
    """Too small for superpixels (OpenCV's SLIC crashed the process on 2x2 noise) or for k-means' eight colours."""
    noise = np.random.default_rng(size[0] * 1000 + size[1]).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    image = Image.fromarray(noise)
    cut = apply("remove_background", image)
    assert (cut.mode, cut.size) == ("RGBA", size)
    replaced = apply("replace_background", image, mode="gradient", color="black", color2="white")
    assert (replaced.mode, replaced.size) == ("RGB", size)
