"""Turn any picture of one digit into the 28×28 image the model reads.

MNIST was made by cropping each digit to its ink, fitting the longer side into
a 20×20 box with anti-aliasing (keeping the aspect ratio), and placing it in a
28×28 field so that its centre of mass sits in the middle. :func:`to_mnist`
does the same to canvas drawings, scans and photos, after turning them into an
"ink map": white ink on black, whatever the picture's colours and alpha.

Everything here is numpy, SciPy and Pillow; the app, ``train.py``, the
benchmarks and the tests all call this one function.
"""

import numpy as np
from PIL import ExifTags, Image, ImageOps
from scipy import ndimage

MNIST_SIZE = 28
DIGIT_BOX = 20

WORKING_SIZE = 560
"""Larger pictures are shrunk to this before anything else: it keeps photos fast."""

TURNED = range(2, 9)
"""EXIF orientations other than upright (1): mirrored, rotated, or both."""

INK_LEVEL = 0.1
"""Ink map value above which a pixel counts as ink when cropping."""

SPECK_FRACTION = 0.05
"""A blob with less ink than this fraction of the largest blob is a speck, not part of the digit."""

MIN_DIGIT_FRACTION = 0.05
"""Ink whose extent is below this fraction of the picture's longer side is too small to be a digit."""

OPAQUE = 0.99
"""Alpha (0 to 1) above which every pixel of a picture counts as opaque, its transparency ignored."""

UNEVEN_BACKGROUND = 0.01
"""Median deviation from the background (as a fraction of full scale) above which a picture is treated as a photo."""


STEP_NAMES = ("ink found", "cropped to the ink", "fitted into 20×20", "centred by mass in 28×28")
"""What :func:`to_mnist` records in ``steps``, in order; a picture with no digit stops after the first."""


def to_mnist(image, steps=None):
    """Return the 28×28 float32 array (0 background, 1 ink) for a PIL image, or None if it holds no digit.

    When ``steps`` is a list, each stage's image (a 2-D float array, white ink
    on black) is appended to it as ``(name, array)``, named as in STEP_NAMES.
    """
    record = steps.append if steps is not None else (lambda step: None)
    ink, box = remove_specks(ink_map(image))
    record((STEP_NAMES[0], ink))
    if box is None or not _large_enough(box, ink.shape):
        return None
    record((STEP_NAMES[1], ink[box]))
    digit = fit_into_box(ink[box], DIGIT_BOX)
    record((STEP_NAMES[2], digit))
    field = place_by_centre_of_mass(digit, MNIST_SIZE)
    record((STEP_NAMES[3], field))
    return field


def ink_map(image):
    """Float32 array in [0, 1] where 1 is the strongest ink, background 0."""
    gray = _flatten_to_gray(working_picture(image))
    histogram = _histogram(gray)
    background = _histogram_median(histogram)
    if background > 127:
        gray, histogram, background = 255 - gray, histogram[::-1], 255 - background
    if _median_deviation(histogram, background) > UNEVEN_BACKGROUND * 255:
        return _clean_photo(gray.astype(np.float32) / 255.0)
    peak = int(np.flatnonzero(histogram)[-1])
    return _stretched(gray, background, peak)


def _histogram(gray):
    """How many pixels of a uint8 array have each of the 256 values.

    Pillow counts them in place; ``np.bincount`` would first copy the pixels
    into a new array eight times their size.
    """
    return np.array(Image.fromarray(gray).histogram())


def _stretched(gray, background, peak):
    """``(gray - background) / (peak - background)`` as float32, clipped to [0, 1].

    Worked out in place in the one float array returned: a full-size
    temporary per operation costs more than the arithmetic.
    """
    ink = gray.astype(np.float32)
    ink -= background
    ink /= max(peak - background, 1)
    return np.clip(ink, 0.0, 1.0, out=ink)


def working_picture(image):
    """The picture the digit is read from: upright (by its EXIF orientation) and at most WORKING_SIZE a side.

    A large picture is shrunk into a new image before it is turned, so the
    full-size one is never copied.
    """
    if max(image.size) > WORKING_SIZE:
        image = ImageOps.contain(image, (WORKING_SIZE, WORKING_SIZE), Image.Resampling.BOX)
    return _upright(image)


def _upright(image):
    """The image turned by its EXIF orientation; one whose metadata cannot be parsed is taken as stored.

    An image that needs no turning is returned itself, not copied as ``exif_transpose`` would.
    """
    try:
        image.load()
        if image.getexif().get(ExifTags.Base.Orientation, 1) not in TURNED:
            return image
        return ImageOps.exif_transpose(image)
    except Exception:  # Pillow's EXIF parser raises many kinds of error on broken metadata
        return image


def _flatten_to_gray(image):
    """Grayscale as uint8 with any transparency composited onto a background that contrasts with the ink.

    An untouched canvas is fully transparent, so its RGB values say nothing:
    transparent pixels are laid on white when the ink is dark, on black when it is light.
    """
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        values = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
        return np.round(np.clip(values / peak, 0.0, 1.0) * 255).astype(np.uint8)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        return np.asarray(image if image.mode == "L" else image.convert("L"))
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    opacity = np.asarray(rgba.getchannel("A"))
    gray = np.asarray(rgba.convert("L"))
    if opacity.min() > OPAQUE * 255:
        return gray
    return _composited(gray, opacity)


def _composited(gray, opacity):
    """uint8 gray values laid by their uint8 opacity on white when the ink is dark, on black when it is light."""
    if gray.min() == gray.max():
        return _composited_one_colour(int(gray.flat[0]), opacity)
    gray = gray.astype(np.float32)
    alpha = opacity.astype(np.float32) / 255.0
    ink_is_dark = alpha.max() <= 0.5 or float(np.average(gray, weights=alpha)) < 127.5
    return _blend(gray, alpha, ink_is_dark)


def _composited_one_colour(value, opacity):
    """:func:`_composited` for a picture of one gray value, as a canvas of black ink on transparency is.

    Each of the 256 opacities is blended once and looked up by Pillow (numpy
    would first copy the opacities into an index array eight times their
    size). The weighted mean that decides whether the ink is dark is the
    value itself here (its float32 rounding stays far below the value's
    distance to 127.5).
    """
    alpha = np.arange(256, dtype=np.float32) / 255.0
    ink_is_dark = alpha[opacity.max()] <= 0.5 or value < 127.5
    table = _blend(np.full(256, value, np.float32), alpha, ink_is_dark)
    return np.asarray(Image.fromarray(opacity).point(table.tolist()))


def _blend(gray, alpha, ink_is_dark):
    """Float32 gray values over the backdrop by float32 alpha in [0, 1], rounded to uint8."""
    backdrop = 255.0 if ink_is_dark else 0.0
    return np.round(gray * alpha + backdrop * (1.0 - alpha)).astype(np.uint8)


def _histogram_median(histogram):
    return int(np.searchsorted(np.cumsum(histogram), histogram.sum() / 2))


def _median_deviation(histogram, centre):
    """Median absolute deviation from centre of the values a 256-bin histogram counts."""
    deviations = np.zeros(256, np.int64)
    above = histogram[centre:]
    below = histogram[:centre + 1][::-1]
    deviations[:len(above)] += above
    deviations[1:len(below)] += below[1:]
    return _histogram_median(deviations)


def _clean_photo(ink):
    """Remove paper texture, shadows and uneven light from a photo's ink map.

    A grey opening wider than any pen stroke keeps only the slowly varying
    background; subtracting it (a top-hat) leaves the strokes. A threshold at
    half Otsu's level then drops what is left of the paper grain.
    """
    width = max(3, int(max(ink.shape) / 12) | 1)
    background = ndimage.grey_opening(ink, size=(width, width))
    strokes = np.clip(ink - background, 0.0, None)
    peak = float(np.percentile(strokes, 99.9))
    if peak <= 0.0:
        return np.zeros(ink.shape, np.float32)
    strokes = np.clip(strokes / peak, 0.0, 1.0)
    floor = 0.5 * otsu_threshold(strokes)
    top = float(np.percentile(strokes[strokes > floor], 90)) if (strokes > floor).any() else 1.0
    return np.clip((strokes - floor) / max(top - floor, 1e-6), 0.0, 1.0).astype(np.float32)


def otsu_threshold(values):
    """Otsu's threshold of values in [0, 1]: the level that best splits them into two classes."""
    counts, edges = np.histogram(values, bins=64, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight_low = np.cumsum(counts)
    weight_high = weight_low[-1] - weight_low
    mass_low = np.cumsum(counts * centres)
    mean_low = mass_low / np.maximum(weight_low, 1)
    mean_high = (mass_low[-1] - mass_low) / np.maximum(weight_high, 1)
    between = weight_low * weight_high * (mean_low - mean_high) ** 2
    return float(centres[int(np.argmax(between))])


def remove_specks(ink):
    """Erase blobs that carry only a sliver of the ink, so a stray dot cannot inflate the crop.

    Returns the ink and the bounding box of what is left of it (None when
    there is none). Blobs are found only inside the ink's bounding box,
    usually a fraction of the picture.
    """
    box = ink_bounding_box(ink)
    if box is None:
        return ink, None
    region = ink[box]
    labels, count = ndimage.label(region > INK_LEVEL, structure=np.ones((3, 3)))
    if count <= 1:
        return ink, box
    masses = ndimage.sum_labels(region, labels, index=np.arange(1, count + 1))
    specks = np.flatnonzero(masses < SPECK_FRACTION * masses.max()) + 1
    if specks.size == 0:
        return ink, box
    cleaned = ink.copy()
    cleaned[box][np.isin(labels, specks)] = 0.0
    return cleaned, ink_bounding_box(cleaned)


def ink_bounding_box(ink):
    """Slices of the smallest rectangle holding all ink, or None when there is none."""
    inked = ink > INK_LEVEL
    rows = np.flatnonzero(inked.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(inked.any(axis=0))
    return slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)


def _large_enough(box, shape):
    extent = max(box[0].stop - box[0].start, box[1].stop - box[1].start)
    return extent >= MIN_DIGIT_FRACTION * max(shape)


def fit_into_box(crop, box_size):
    """Resize so the longer side is box_size pixels, keeping the aspect ratio, with anti-aliasing."""
    height, width = crop.shape
    scale = box_size / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.Resampling.LANCZOS,
                                                                         reducing_gap=3.0)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def place_by_centre_of_mass(digit, field_size):
    """Paste digit into a square field so its centre of mass lands in the middle, never cutting it off."""
    height, width = digit.shape
    centre_y, centre_x = ndimage.center_of_mass(digit)
    top = _clamped_offset(field_size / 2 - centre_y, height, field_size)
    left = _clamped_offset(field_size / 2 - centre_x, width, field_size)
    field = np.zeros((field_size, field_size), np.float32)
    field[top:top + height, left:left + width] = digit
    return field


def _clamped_offset(ideal, length, field_size):
    return int(min(max(round(ideal), 0), field_size - length))
