"""Find the subject of a picture: faces (Haar), saliency and subject cues, a GrabCut cut-out, its matted edge."""

from __future__ import annotations

import contextlib
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from nanobananas.engine.ops._pixels import FloatArray, U8Array

__all__ = ["Box", "detect_faces", "saliency_map", "subject_box", "subject_mask", "subject_matte", "subject_prior"]

Box = tuple[int, int, int, int]

# Faces, saliency and the subject box are found on a copy this size (long side).
_WORK_SIDE = 360
# The cut-out works at three sizes (long side), whatever the photo's size: the cues that say where the
# subject is on a small copy, GrabCut on a larger one, and the matting of the edge band on a larger one
# still; together they keep a 1 MP cut-out within a few hundred milliseconds (benchmarks/bench_cutout.py).
_CUE_SIDE = 200
# Sharpness is judged on a larger copy: at 200 px a blurred background looks nearly as sharp as the subject.
_FOCUS_SIDE = 320
_CUT_SIDE = 224
_GRABCUT_ROUNDS = 3
# Sure background kept around GrabCut's box, as a share of the long side.
_GRABCUT_MARGIN = 0.08
_MATTE_SIDE = 384
# GrabCut's seed from the subject prior: sure subject above _SURE, probable above _PROBABLE, sure background
# below _UNLIKELY, probable background between.
_SURE = 0.8
_PROBABLE = 0.35
_UNLIKELY = 0.1
# Unknown band of the matte, in pixels at _MATTE_SIDE on each side of the cut-out's edge.
_MATTE_BAND = 5


@lru_cache(maxsize=1)
def _face_cascade() -> Any:
    import cv2

    folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # the stubs omit cv2.data
    return cv2.CascadeClassifier(str(folder) + "haarcascade_frontalface_default.xml")


@lru_cache(maxsize=1)
def _second_face_cascade() -> Any:
    import cv2

    folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # the stubs omit cv2.data
    return cv2.CascadeClassifier(str(folder) + "haarcascade_frontalface_alt2.xml")


def _small(image: Image.Image, side: int = _WORK_SIDE) -> tuple[U8Array, float]:
    """RGB pixels scaled so the long side is at most `side`, and the scale used."""
    rgb = image.convert("RGB")
    scale = min(1.0, side / max(rgb.size))
    if scale < 1.0:
        rgb = rgb.resize(
            (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale))),
            Image.Resampling.BILINEAR,
        )
    return np.asarray(rgb), scale


def detect_faces(image: Image.Image) -> list[Box]:
    """Face boxes (left, top, right, bottom) in image pixels, largest first."""
    import cv2

    pixels, scale = _small(image)
    gray = cv2.equalizeHist(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY))
    minimum = max(24, min(gray.shape) // 10)
    found = _face_cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(minimum, minimum))
    boxes = [
        (
            round(x / scale),
            round(y / scale),
            round((x + w) / scale),
            round((y + h) / scale),
        )
        for (x, y, w, h) in found
    ]
    return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def saliency_map(image: Image.Image) -> FloatArray:
    """Spectral-residual saliency in 0..1 at working resolution."""
    import cv2

    pixels, _ = _small(image)
    # The saliency module comes with opencv-contrib and is missing from the stubs.
    detector = cv2.saliency.StaticSaliencySpectralResidual_create()  # type: ignore[attr-defined]
    ok, result = detector.computeSaliency(cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR))
    if not ok:
        return np.zeros(pixels.shape[:2], dtype=np.float32)
    result = cv2.GaussianBlur(result.astype(np.float32), (0, 0), 3)
    peak = float(result.max())
    return (result / peak).astype(np.float32) if peak > 0 else result.astype(np.float32)


def _plain(ring: NDArray[np.float32]) -> tuple[NDArray[np.float32], bool]:
    color = np.median(ring, axis=0).astype(np.float32)
    distance = np.abs(ring - color).sum(axis=1)
    return color, bool((distance < 30).mean() > 0.85)


def _backdrop(pixels: U8Array) -> tuple[NDArray[np.float32], bool]:
    """Median colour of the outer ring and whether it looks like one plain backdrop.

    People usually reach the bottom edge (shoulders), so the top edge with the upper part of
    the sides is tried too.
    """
    h, w = pixels.shape[:2]
    band = max(2, min(h, w) // 40)
    top = pixels[:band].reshape(-1, 3)
    bottom = pixels[-band:].reshape(-1, 3)
    left = pixels[:, :band].reshape(-1, 3)
    right = pixels[:, -band:].reshape(-1, 3)
    color, plain = _plain(np.concatenate([top, bottom, left, right]).astype(np.float32))
    if plain:
        return color, True
    upper = int(h * 0.6)
    upper_sides = [pixels[:upper, :band].reshape(-1, 3), pixels[:upper, -band:].reshape(-1, 3)]
    return _plain(np.concatenate([top, *upper_sides]).astype(np.float32))


def subject_box(image: Image.Image) -> Box:
    """Where the subject is: a face (with head room) if there is one, else the salient region."""
    faces = detect_faces(image)
    w, h = image.size
    if faces:
        left, top, right, bottom = faces[0]
        fw, fh = right - left, bottom - top
        return (
            max(0, left - fw // 2),
            max(0, top - fh // 2),
            min(w, right + fw // 2),
            min(h, bottom + fh),
        )
    pixels, scale = _small(image)
    color, plain = _backdrop(pixels)
    if plain:
        weight = (np.abs(pixels.astype(np.float32) - color).sum(axis=2) > 40).astype(np.float32)
    else:
        weight = saliency_map(image)
        weight = np.where(weight > 0.3, weight, 0)
    ys, xs = np.nonzero(weight)
    if len(xs) == 0:
        return 0, 0, w, h
    return (
        round(float(np.percentile(xs, 2)) / scale),
        round(float(np.percentile(ys, 2)) / scale),
        round(float(np.percentile(xs, 98) + 1) / scale),
        round(float(np.percentile(ys, 98) + 1) / scale),
    )


def _stretched(values: NDArray[Any]) -> FloatArray:
    """Values mapped to 0..1 between their 1st and 99th percentiles."""
    low, high = np.percentile(values, [1, 99])
    return np.clip((values - low) / max(float(high - low), 1e-6), 0, 1).astype(np.float32)


def _boundary_saliency(pixels: U8Array) -> FloatArray:
    """Saliency by robust background detection (Zhu et al., CVPR 2014) on SLIC superpixels.

    A region that is linked by similar colours to a long stretch of the picture's border is background,
    even when the background is cluttered; a region that differs in colour from the nearby background and
    touches little of the border is subject. The map is the smooth least-squares blend of both cues.
    """
    import cv2

    # scipy comes with pymatting and ships no type information.
    from scipy.sparse import coo_matrix, csr_matrix  # type: ignore[import-untyped]
    from scipy.sparse.csgraph import shortest_path  # type: ignore[import-untyped]
    from scipy.sparse.linalg import spsolve  # type: ignore[import-untyped]

    h, w = pixels.shape[:2]
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB)
    region = max(6, int(np.sqrt(h * w / 200)))
    if min(h, w) < 4 * region:
        # Too small or too thin for superpixels (OpenCV's SLIC crashes on a few pixels): no saliency.
        return np.zeros((h, w), dtype=np.float32)
    slic = cv2.ximgproc.createSuperpixelSLIC(lab, cv2.ximgproc.SLICO, region, 10.0)
    slic.iterate(5)
    _, labels = np.unique(slic.getLabels(), return_inverse=True)
    labels = labels.reshape(h, w)
    flat = labels.ravel()
    count = np.bincount(flat).astype(np.float64)
    n = len(count)
    colour = np.stack([np.bincount(flat, lab[..., c].ravel().astype(np.float64), n) / count for c in range(3)], 1)
    colour[:, 0] *= 100 / 255  # OpenCV's 8-bit Lab: L to 0..100, a and b centred on 0
    colour[:, 1:] -= 128
    rows, columns = np.mgrid[:h, :w]
    place = np.stack(
        [np.bincount(flat, (rows / h).ravel(), n) / count, np.bincount(flat, (columns / w).ravel(), n) / count], 1
    )
    first = np.concatenate([labels[:, :-1].ravel(), labels[:-1].ravel()])
    second = np.concatenate([labels[:, 1:].ravel(), labels[1:].ravel()])
    touching = first != second
    pairs = np.unique(np.sort(np.stack([first[touching], second[touching]], 1), axis=1), axis=0)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    # As in the paper, the border regions are linked to each other: the background is one piece around the subject.
    linked = np.array([(a, b) for i, a in enumerate(border) for b in border[i + 1 :]], dtype=np.int64).reshape(-1, 2)
    edges = np.concatenate([pairs, linked])
    step = np.linalg.norm(colour[edges[:, 0]] - colour[edges[:, 1]], axis=1) + 1e-3
    graph = coo_matrix((step, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    geodesic = shortest_path(graph, method="D", directed=False)
    similar = np.exp(-(geodesic**2) / (2 * 10.0**2))
    connectivity = similar[:, border].sum(1) / np.sqrt(similar.sum(1))
    background = 1 - np.exp(-(connectivity**2) / 2)
    apart = np.linalg.norm(colour[:, None] - colour[None], axis=2)
    near = np.exp(-(np.linalg.norm(place[:, None] - place[None], axis=2) ** 2) / (2 * 0.25**2))
    contrast = (apart * near * background[None]).sum(1)
    contrast = (contrast - contrast.min()) / max(float(np.ptp(contrast)), 1e-9)
    affinity = np.zeros((n, n))
    weight = np.exp(-(np.linalg.norm(colour[pairs[:, 0]] - colour[pairs[:, 1]], axis=1) ** 2) / (2 * 10.0**2)) + 0.1
    affinity[pairs[:, 0], pairs[:, 1]] = weight
    affinity += affinity.T
    system = csr_matrix(np.diag(background + contrast + affinity.sum(1)) - affinity)
    # A sparse solve: the dense one starts BLAS threads that cost more than the solve on a busy machine.
    saliency = np.clip(spsolve(system, contrast), 0, None)
    return (saliency / max(float(saliency.max()), 1e-9))[labels].astype(np.float32)


def _distance_to_nearest(lab: NDArray[np.float32], centres: NDArray[np.float32]) -> NDArray[np.float32]:
    """Per pixel, the Lab distance to the nearest of `centres` (one pass per centre, no BLAS threads)."""
    nearest = np.full(lab.shape[:2], np.inf, dtype=np.float32)
    for centre in centres:
        np.minimum(nearest, ((lab - centre) ** 2).sum(axis=2), out=nearest)
    return np.sqrt(nearest)


def _border_contrast(pixels: U8Array, weights: FloatArray | None) -> FloatArray:
    """How unlike every colour of the picture's border each pixel is (Lab distance to 8 border colours).

    With `weights`, only the border pixels of the upper 70% of weight are used (the blurred ones where a
    sharp subject also touches the border)."""
    import cv2

    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).astype(np.float32)
    h, w = pixels.shape[:2]
    band = max(3, min(h, w) // 30)
    ring = np.zeros((h, w), dtype=bool)
    ring[:band] = ring[-band:] = True
    ring[:, :band] = ring[:, -band:] = True
    samples = lab[ring]
    if weights is not None:
        chosen = weights[ring] > np.percentile(weights[ring], 30)
        if chosen.sum() > 50:
            samples = samples[chosen]
    cv2.setRNGSeed(7)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    _, _, centres = cv2.kmeans(samples, min(8, len(samples)), None, criteria, 2, cv2.KMEANS_PP_CENTERS)  # type: ignore[call-overload]
    distance = _distance_to_nearest(lab, centres.astype(np.float32))
    return _stretched(cv2.GaussianBlur(distance, (0, 0), 2))


def _focus(pixels: U8Array) -> FloatArray:
    """Local sharpness: smoothed Laplacian energy, on a log scale, stretched to 0..1."""
    import cv2

    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY).astype(np.float32)
    energy = cv2.GaussianBlur(np.abs(cv2.Laplacian(gray, cv2.CV_32F, ksize=3)), (0, 0), 4)
    return _stretched(np.log1p(energy))


def _depth_of_field(pixels: U8Array, focus: FloatArray) -> float:
    """0..1: how clearly one side of the picture is out of focus (a blurred background behind a sharp subject).

    A side counts as blurred when it has little fine detail (its sharpness is low) although it is not
    flat: its fine detail is small next to its coarse changes of brightness. Flat areas (a plain floor,
    flat-coloured boxes with crisp edges) are not blur.
    """
    import cv2

    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine = np.abs(cv2.Laplacian(gray, cv2.CV_32F, ksize=3))
    smooth = cv2.GaussianBlur(gray, (0, 0), 2)
    coarse = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    h, w = focus.shape
    band = max(3, min(h, w) // 12)
    strongest = 0.0
    for side in (np.s_[:band], np.s_[-band:], np.s_[:, :band], np.s_[:, -band:]):
        detail = float(fine[side].sum()) / (float(coarse[side].sum()) + 1e-6)
        if detail < 0.45:
            strongest = max(strongest, float(np.clip((0.35 - np.percentile(focus[side], 75)) / 0.15, 0, 1)))
    return strongest


def _confirmed_faces(image: Image.Image, faces: list[Box]) -> list[Box]:
    """The faces a second, stricter cascade also finds around the box: in clutter the default cascade
    sometimes sees a face in a few boxes and discs, and a person's torso would then be seeded there."""
    import cv2

    pixels, scale = _small(image)
    gray = cv2.equalizeHist(cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY))
    confirmed = []
    for face in faces[:3]:
        left, top, right, bottom = (round(v * scale) for v in face)
        margin = (right - left) // 2
        crop = gray[max(0, top - margin) : bottom + margin, max(0, left - margin) : right + margin]
        least = max(20, round((right - left) * 0.6))
        if crop.size and len(_second_face_cascade().detectMultiScale(crop, 1.1, 3, minSize=(least, least))):
            confirmed.append(face)
    return confirmed


def _person(shape: tuple[int, int], face: Box, scale: float) -> NDArray[np.bool_]:
    """Head and a widening torso below a face box (given in image pixels), at a working size."""
    h, w = shape
    left, top, right, bottom = (v * scale for v in face)
    width, middle = right - left, (left + right) / 2
    rows, columns = np.mgrid[:h, :w]
    head = ((columns - middle) / (0.75 * width)) ** 2 + ((rows - (top + bottom) / 2) / (0.8 * (bottom - top))) ** 2 < 1
    widening = np.clip((rows - bottom) / (1.2 * width), 0, 1)
    torso = (rows > bottom) & (np.abs(columns - middle) < width * (0.6 + 1.2 * widening))
    return np.asarray(head | torso)


def subject_prior(image: Image.Image) -> FloatArray:
    """How likely each pixel is to belong to the subject, 0..1, on a copy _CUE_SIDE pixels long.

    Combines boundary-connectivity saliency, colour contrast to the border, sharpness when the
    background is out of focus, and a person's head and torso below each face found.
    """
    return _prior(image, detect_faces(image))[0]


def _prior(image: Image.Image, faces: list[Box]) -> tuple[FloatArray, float]:
    """The subject prior and how clearly the background is out of focus (0..1)."""
    import cv2

    pixels, scale = _small(image, _CUE_SIDE)
    larger, _ = _small(image, _FOCUS_SIDE)
    sharpness = _focus(larger)
    blurred_background = _depth_of_field(larger, sharpness)
    focus = cv2.resize(sharpness, (pixels.shape[1], pixels.shape[0]), interpolation=cv2.INTER_AREA)
    contrast = _border_contrast(pixels, (1 - focus).astype(np.float32) if blurred_background > 0 else None)
    prior = _stretched(0.7 * _boundary_saliency(pixels) + 0.3 * contrast)
    if blurred_background > 0:
        share = 0.6 * blurred_background
        prior = _stretched((1 - share) * prior + share * focus)
    for face in faces[:3]:
        prior = np.maximum(prior, np.where(_person(prior.shape, face, scale), 0.8, 0)).astype(np.float32)
    return prior, blurred_background


def _grabcut(pixels: U8Array, seed: U8Array) -> NDArray[np.bool_]:
    """Run GrabCut from a seed of GC_* labels; the foreground (sure or probable) it ends with.

    GrabCut runs on the box around what is not sure background, with a margin of background for its colour
    model: the rest cannot change, and a cut-out that fills a third of the picture costs a third."""
    import cv2

    h, w = seed.shape
    rows, columns = np.nonzero(seed != cv2.GC_BGD)
    if len(rows) == 0:
        return np.zeros((h, w), dtype=bool)
    margin = max(4, round(_GRABCUT_MARGIN * max(h, w)))
    top, bottom = max(0, int(rows.min()) - margin), min(h, int(rows.max()) + 1 + margin)
    left, right = max(0, int(columns.min()) - margin), min(w, int(columns.max()) + 1 + margin)
    background_model = np.zeros((1, 65), np.float64)
    foreground_model = np.zeros((1, 65), np.float64)
    labels = np.ascontiguousarray(seed[top:bottom, left:right])
    with contextlib.suppress(cv2.error):
        cv2.grabCut(
            cv2.cvtColor(np.ascontiguousarray(pixels[top:bottom, left:right]), cv2.COLOR_RGB2BGR),
            labels,
            (0, 0, 1, 1),
            background_model,
            foreground_model,
            _GRABCUT_ROUNDS,
            cv2.GC_INIT_WITH_MASK,
        )
    found = np.zeros((h, w), dtype=bool)
    found[top:bottom, left:right] = (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    return found


def _main_parts(
    mask: NDArray[np.bool_], share: float, fill_below: float, anchors: NDArray[np.bool_] | None = None
) -> NDArray[np.bool_]:
    """Keep the largest part, parts at least `share` of its size and parts holding an anchor (a pixel
    sure to be subject); fill holes under `fill_below` of the picture's area (specks GrabCut left inside
    the subject; a larger hole, a cup's handle, stays)."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count > 1:
        areas = stats[1:, cv2.CC_STAT_AREA]
        keep = 1 + np.flatnonzero(areas >= share * areas.max())
        if anchors is not None:
            keep = np.union1d(keep, np.setdiff1d(np.unique(labels[anchors & mask]), [0]))
        mask = np.isin(labels, keep)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    h, w = mask.shape
    for index in range(1, count):
        x, y, width, height, area = stats[index]
        touches_border = x == 0 or y == 0 or x + width == w or y + height == h
        if not touches_border and area < fill_below * h * w:
            mask = mask | (labels == index)
    return mask


def _like_the_subject(pixels: U8Array, subject: NDArray[np.bool_], background: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Pixels whose colour is nearer the sure subject's colours than the background's (Lab, k-means centres).

    Keeps things that merely touch the subject in a cluttered scene (a blue box beside a red vase) out of
    GrabCut's first guess, so its colour model of the subject is not taught the clutter's colours."""
    import cv2

    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).astype(np.float32)
    cv2.setRNGSeed(7)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)

    def nearest(samples: NDArray[np.float32], clusters: int) -> NDArray[np.float32]:
        # Every n-th sample is plenty for a handful of colour centres and keeps k-means cheap.
        samples = np.ascontiguousarray(samples[:: max(1, len(samples) // 4000)])
        clusters = min(clusters, len(samples))
        _, _, centres = cv2.kmeans(samples, clusters, None, criteria, 1, cv2.KMEANS_PP_CENTERS)  # type: ignore[call-overload]
        return _distance_to_nearest(lab, centres.astype(np.float32))

    return np.asarray(nearest(lab[subject], 5) <= nearest(lab[background], 8))


def _cut(image: Image.Image, found: list[Box] | None) -> tuple[NDArray[np.bool_], NDArray[np.float32], bool]:
    """The subject as a hard mask on a copy _CUT_SIDE pixels long, the backdrop colour, and whether it is plain.

    `found` (in `image`'s pixels) are the faces a caller has already found and confirmed; None looks for them."""
    import cv2

    pixels, scale = _small(image, _CUT_SIDE)
    h, w = pixels.shape[:2]
    color, plain = _backdrop(pixels)
    seed = np.full((h, w), cv2.GC_PR_BGD, dtype=np.uint8)
    faces: list[Box] = []
    if plain:
        distance = np.abs(pixels.astype(np.float32) - color).sum(axis=2)
        seed[distance > 60] = cv2.GC_PR_FGD
        seed[distance > 150] = cv2.GC_FGD
        seed[distance < 20] = cv2.GC_BGD
    else:
        faces = _confirmed_faces(image, detect_faces(image)) if found is None else found
        cues, blurred_background = _prior(image, faces)
        prior = cv2.resize(cues, (w, h), interpolation=cv2.INTER_LINEAR)
        sure = prior > _SURE
        probable = prior > _PROBABLE
        # Behind a sharp subject a blurred background is told apart by focus, not colour: no colour gate there.
        if blurred_background == 0 and sure.sum() >= 20 and (~probable).sum() >= 20:
            probable &= _like_the_subject(pixels, sure, ~probable)
        seed[probable] = cv2.GC_PR_FGD
        seed[sure] = cv2.GC_FGD
        seed[prior < _UNLIKELY] = cv2.GC_BGD
        for face in faces[:1]:
            # The middle of the face is certain; the box's corners are often background.
            left, top, right, bottom = (round(v * scale) for v in face)
            inset_x, inset_y = (right - left) // 4, (bottom - top) // 4
            seed[top + inset_y : bottom - inset_y, left + inset_x : right - inset_x] = cv2.GC_FGD
    if not ((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)).any():
        return np.ones((h, w), dtype=bool), color, plain
    mask = _grabcut(pixels, seed)
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0
    if plain:
        # On a plain backdrop a hole is the backdrop showing through (a ring, the inside of a letter).
        return _main_parts(opened, 0.02, 0.0), color, plain
    # Only a face anchors a smaller part: a sure-looking part apart from the main one is more often salient
    # clutter (a bright model on a shelf behind a person) than a piece of the subject.
    anchors = np.zeros((h, w), dtype=bool)
    for face in faces[:1]:
        left, top, right, bottom = (round(v * scale) for v in face)
        anchors[max(0, top) : bottom, max(0, left) : right] = True
    return _main_parts(opened, 0.5, 0.01, anchors), color, plain


def subject_matte(image: Image.Image, *, faces: list[Box] | None = None) -> FloatArray:
    """The subject's alpha at image size, 0..1: exactly 1 inside, 0 outside, matted along the edge.

    A plain backdrop is recognised from the outer ring's colour; otherwise GrabCut is seeded from
    `subject_prior`. The cut-out is cleaned (the main part kept whole, specks filled), then its edge
    band is refined by closed-form matting (engine.matting) so hair and soft edges come out partly
    transparent instead of cut. `faces` (image pixels) skips the face search when a caller has done it.
    """
    return (np.asarray(subject_mask(image, faces=faces), dtype=np.float32) / 255).astype(np.float32)


def subject_mask(image: Image.Image, *, faces: list[Box] | None = None) -> Image.Image:
    """An 'L' mask at image size: 255 on the subject, 0 on the background, the matted edge in between."""
    import cv2

    from nanobananas.engine.matting import refine_edge

    # Everything below _MATTE_SIDE works from one reduced copy: reducing a large photo once is cheaper.
    rgb = image.convert("RGB")
    scale = min(1.0, _MATTE_SIDE / max(rgb.size))
    if scale < 1.0:
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    found = None if faces is None else [_scaled(face, scale) for face in faces]
    mask, color, plain = _cut(rgb, found)
    pixels = np.asarray(rgb)
    h, w = pixels.shape[:2]
    enlarged = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR) >= 0.5
    alpha = refine_edge(pixels, enlarged, band=_MATTE_BAND)
    # Enlarged in 8 bits: the same edge as in floats for a quarter of the memory traffic.
    small = Image.fromarray(np.round(alpha * 255).astype(np.uint8))
    matte = small if small.size == image.size else small.resize(image.size, Image.Resampling.BILINEAR)
    if plain:
        # Thin details count where the cut-out found nothing; on the cut-out's edge the matte decides.
        details = np.asarray(_distinct_from_backdrop(image, color))
        edge = np.asarray(matte)
        matte = Image.fromarray(np.where(edge > 0, edge, details).astype(np.uint8))
    return matte


def _scaled(face: Box, scale: float) -> Box:
    left, top, right, bottom = face
    return round(left * scale), round(top * scale), round(right * scale), round(bottom * scale)


def _distinct_from_backdrop(image: Image.Image, color: NDArray[np.float32]) -> Image.Image:
    """Pixels clearly unlike a plain backdrop, found at up to 2048 px: thin, high-contrast details
    (letters, rules, outlines) vanish at GrabCut's small working size and must still count as subject."""
    work = image.convert("RGB")
    if max(work.size) > 2048:
        work = work.copy()
        work.thumbnail((2048, 2048))
    pixels = np.asarray(work, dtype=np.int16)
    distance = np.abs(pixels - color.astype(np.int16)).sum(axis=2)
    distinct = np.where(distance > 150, 255, 0).astype(np.uint8)
    return Image.fromarray(distinct).resize(image.size, Image.Resampling.BILINEAR)
