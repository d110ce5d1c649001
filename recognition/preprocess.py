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


SHEET_SEARCH_SIZE = 140
"""A photo is shrunk to about this many pixels a side to find the sheet of paper in it."""

SHEET_EDGE_STEP = 0.05
"""A step in brightness (fraction of full scale) across 3 pixels of the shrunk photo that marks an edge of the sheet;
paper on either side of a stroke differs by less."""

SHEET_SMOOTHING = 3
"""Side of the median filter that erases strokes and ruled lines from the shrunk photo before its steps are found."""

MIN_PAPER_PART = 0.005
"""The smallest part of a photo a region at the paper's level must cover to count as paper, not as a speck."""

PAPER_REACH = 20
"""Pixels of the shrunk photo across which paper is compared with the paper nearest it: wider than a stroke."""

PAPER_CONTACT = 2
"""Pixels into a region, from those nearest the paper, whose level is compared with the paper's."""

PAPER_ROUNDS = 16
"""Rounds of growing the paper across strokes and lines, one region further each."""

MIN_SHEET_FRACTION = 0.2
"""The least part of a photo that must be at the paper's level for the paper to be told from what lies around it."""

SHEET_MARGIN = 2
"""Pixels of the shrunk photo dropped along the sheet's edge: its blur and shading are not ink."""

LINE_SEARCH_SIZE = 280
"""A photo's strokes are shrunk to about this many pixels a side to follow ruled lines across the paper."""

MIN_RULED_LINES = 2
"""Paths across the paper that make ruling; one alone is a stroke of a digit that fills the picture's width."""


def _clean_photo(ink):
    """Remove the table, the paper's edge, ruled lines, paper texture, shadows and uneven light from a photo's ink map.

    A grey opening wider than any pen stroke keeps only the slowly varying
    background; subtracting it (a top-hat) leaves the strokes, but also the
    thin parts of whatever is not paper. So only what lies on the sheet is
    kept, ruled lines are subtracted, and a threshold at half Otsu's level then
    drops what is left of the paper grain.
    """
    width = max(3, int(max(ink.shape) / 12) | 1)
    background = ndimage.grey_opening(ink, size=(width, width))
    sheet = _sheet(ink)
    strokes = _without_ruled_lines(np.where(sheet, np.clip(ink - background, 0.0, None), 0.0), sheet)
    peak = float(np.percentile(strokes, 99.9))
    if peak <= 0.0:
        return np.zeros(ink.shape, np.float32)
    strokes = np.clip(strokes / peak, 0.0, 1.0)
    floor = 0.5 * otsu_threshold(strokes)
    top = float(np.percentile(strokes[strokes > floor], 90)) if (strokes > floor).any() else 1.0
    return np.clip((strokes - floor) / max(top - floor, 1e-6), 0.0, 1.0).astype(np.float32)


def _sheet(ink):
    """Where the paper lies in a photo's ink map: everywhere but the table around it and a margin along its edge.

    The table is found in the picture shrunk to about SHEET_SEARCH_SIZE and
    smoothed with a median, which erases most of the pen strokes and ruled
    lines but keeps steps. The paper's blurred and shaded edge is not ink
    either, so SHEET_MARGIN more is dropped along it.
    """
    factor = _shrink_factor(ink.shape, SHEET_SEARCH_SIZE)
    smooth = ndimage.median_filter(_pooled(ink, factor, np.add) / factor ** 2, size=SHEET_SMOOTHING)
    table = _table(smooth)
    if not table.any():
        return np.ones(ink.shape, bool)
    beyond_paper = ndimage.binary_dilation(table, iterations=1 + SHEET_MARGIN)
    return _enlarged(~beyond_paper, factor, ink.shape)


def _table(smooth):
    """Where a smoothed, shrunk photo shows the table around the paper, or whatever else lies beyond it.

    The paper in a picture is convex, so every row and column crosses it in
    one stretch, digit and all: the table is what no such stretch covers.
    When little of the picture is paper, the two are not told apart.
    """
    paper = _paper(smooth)
    if paper.sum() < MIN_SHEET_FRACTION * paper.size:
        return np.zeros(smooth.shape, bool)
    return ~(_between_first_and_last(paper, axis=0) | _between_first_and_last(paper, axis=1))


def _paper(smooth):
    """Where a smoothed, shrunk photo shows bare paper.

    Sharp steps in brightness split the picture into regions: a shadow's
    gradual change does not split the paper, its edge against the table does.
    The largest region is paper. So is any other sizeable region, no further
    than PAPER_REACH from the paper, whose pixels nearest the paper are at the
    level of the paper nearest them, such as the paper on the other side of a
    stroke or of a ruled line the median left; comparing only what is close
    leaves out the slow change of light across the picture. Each round
    reaches one region further.
    """
    steps = ndimage.grey_dilation(smooth, size=(3, 3)) - ndimage.grey_erosion(smooth, size=(3, 3))
    labels, count = ndimage.label(steps < SHEET_EDGE_STEP)
    areas = np.bincount(labels.ravel(), minlength=count + 1)
    areas[0] = 0
    paper = labels == np.argmax(areas)
    sizeable = (areas >= MIN_PAPER_PART * labels.size)[labels]
    for _ in range(PAPER_ROUNDS):
        distance, nearest = ndimage.distance_transform_edt(~paper, return_indices=True)
        beside = smooth[tuple(nearest)]
        closest = np.asarray(ndimage.minimum(distance, labels, np.arange(count + 1)))
        compared = (distance <= np.minimum(closest[labels] + PAPER_CONTACT, PAPER_REACH)) & sizeable & ~paper
        counts = np.bincount(labels[compared], minlength=count + 1)
        differences = np.bincount(labels[compared], np.abs(smooth - beside)[compared], minlength=count + 1)
        joining = (counts > 0) & (differences <= SHEET_EDGE_STEP * counts)
        if not joining.any():
            break
        paper |= joining[labels]
    return paper


def _between_first_and_last(mask, axis):
    """True from the first True to the last True along each line of the axis."""
    after_first = np.logical_or.accumulate(mask, axis=axis)
    before_last = np.flip(np.logical_or.accumulate(np.flip(mask, axis=axis), axis=axis), axis=axis)
    return after_first & before_last


def _shrink_factor(shape, size):
    """The whole factor that brings the longer side of shape to about size, leaving the shorter side a pixel at least."""
    return max(1, min(round(max(shape) / size), min(shape)))


def _pooled(values, factor, combine):
    """One value for each factor×factor block, its pixels combined by a ufunc such as np.maximum.

    A last partial row or column of blocks is left out. Reducing the stacked
    strided slices is much faster than reducing a reshaped array over its short axes.
    """
    height, width = (size // factor * factor for size in values.shape)
    return combine.reduce(np.stack([values[row:height:factor, column:width:factor]
                                    for row in range(factor) for column in range(factor)]))


def _enlarged(values, factor, shape):
    """One value per block of :func:`_pooled` back at full size, the last blocks repeated over what was left out."""
    large = values.repeat(factor, axis=0).repeat(factor, axis=1)
    return np.pad(large, [(0, full - part) for full, part in zip(shape, large.shape)], mode="edge")


def _without_ruled_lines(strokes, sheet):
    """Strokes less the ruled lines of the paper.

    A ruled line crosses the whole sheet; a digit, upright to be read, does
    not. So the ruling at a pixel is the weakest value along the strongest
    path through it from one side of the sheet to the other, a path moving at
    most one row per column: lines at any slope up to 45° are followed, bent
    as they may be by perspective. Neither the table beyond the sheet nor the
    top and bottom of the picture, where a sloping line may leave it, stop a
    path. Subtracting the ruling, but never more than is there, leaves the
    digit, lighter only by the ruling where it crosses a line. Ruling has
    several lines; a lone path across is a digit's bar in a picture cropped to
    it. Paths are followed in the strokes shrunk to about LINE_SEARCH_SIZE,
    each block keeping its strongest value so that thin lines survive.
    """
    factor = _shrink_factor(strokes.shape, LINE_SEARCH_SIZE)
    small = ndimage.maximum_filter(_pooled(strokes, factor, np.maximum), size=3)
    on_sheet = _pooled(sheet, factor, np.logical_or)
    passable = np.pad(np.where(on_sheet, small, np.inf), ((1, 1), (0, 0)), constant_values=np.inf)
    ruling = np.minimum(_strongest_paths_from_left(passable), _strongest_paths_from_left(passable[:, ::-1])[:, ::-1])
    ruling = np.where(on_sheet, ruling[1:-1], 0.0)
    if _lines_across_a_column(ruling) < MIN_RULED_LINES:
        return strokes
    return strokes - np.minimum(strokes, _enlarged(ruling, factor, strokes.shape))


def _lines_across_a_column(ruling):
    """How many separate strong paths a column crosses, in the median column that crosses any."""
    strong = ruling >= 0.5 * ruling.max()
    starts = strong.copy()
    starts[1:] &= ~strong[:-1]
    counts = starts.sum(axis=0)
    return float(np.median(counts[counts > 0])) if counts.any() else 0.0


def _strongest_paths_from_left(values):
    """For each pixel, the best weakest value of a path to it from the left border, moving at most a row a column."""
    columns = np.ascontiguousarray(values.T)
    best = np.empty_like(columns)
    best[0] = columns[0]
    for column in range(1, len(columns)):
        reach = best[column - 1].copy()
        np.maximum(reach[1:], best[column - 1][:-1], out=reach[1:])
        np.maximum(reach[:-1], best[column - 1][1:], out=reach[:-1])
        np.minimum(reach, columns[column], out=best[column])
    return best.T


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
