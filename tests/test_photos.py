"""Phone photos of a digit on lined paper: only the pen strokes are ink, not the paper's edge, the table around
it, shadows or ruled lines.

The photos are made here, none downloaded: a digit from ``data/pendigits``
written in ballpoint, thinner than the pad's pen, on a ruled sheet seen
slightly turned and in perspective on a wooden table, lit unevenly, with a
soft shadow across, blurred a little and saved as JPEG.
"""

import io
from collections import namedtuple

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageOps
from scipy import ndimage

from recognition.preprocess import WORKING_SIZE, ink_bounding_box, to_mnist
from recognition.strokes import fit_to_pad, render_strokes
from tests.helpers import encoded
from webapp.predicting.served import default_model

UNSURE_BELOW = 0.6
"""The page says "Not sure" below this probability (static/js/results.js)."""

SHEET_SIZE = (850, 1100)
"""A letter-size sheet at 100 pixels to the inch."""

LINE_SPACING = 28
"""College ruling, 7.1 mm, on that sheet."""

PAPER = (238, 236, 226)
RULING = (150, 185, 228)
BALLPOINTS = [(24, 32, 96), (28, 28, 34)]
"""Blue and black ballpoint ink."""

TABLES = [(122, 84, 54), (88, 70, 58), (164, 128, 92), (205, 195, 180)]
"""Walnut, dark oak, pine and a pale laminate."""

PHOTO_SIZE = (1280, 960)

Photo = namedtuple("Photo", "picture digit paper")
"""A photo as a PIL image, with masks (PIL "L" images of the same size) of where the digit and the paper are in it."""

CASES = [(digit, 0, seed, sides) for digit, seed, sides in [
    (0, 1, ("top", "right")), (1, 2, ("left",)), (2, 3, ("bottom", "left")), (3, 4, ("right",)),
    (4, 5, ("top",)), (5, 6, ("top", "right")), (6, 7, ("bottom",)), (7, 8, ("top", "left")),
    (8, 9, ("bottom", "right")), (9, 10, ("left",))]] + [
    (5, 1, 11, ("right",)), (5, 2, 12, ("bottom", "left")), (3, 1, 13, ("top",)), (2, 1, 14, ("top", "right"))]
"""(digit, which of the shipped drawings of it, seed, sides of the photo where the table shows)."""


def perspective_coefficients(photo_points, sheet_points):
    """Coefficients for ``Image.transform(..., PERSPECTIVE)``: where each photo pixel comes from on the sheet."""
    rows, targets = [], []
    for (x, y), (u, v) in zip(photo_points, sheet_points):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        targets += [u, v]
    return tuple(np.linalg.solve(np.array(rows, float), np.array(targets, float)))


def draw_digit(draw, strokes, box, pen, colour):
    """Strokes fitted into box = (left, top, size), drawn with a round pen."""
    left, top, size = box
    scale = size / 280
    for stroke in fit_to_pad(strokes, size=280, margin=0):
        points = [(left + x * scale, top + y * scale) for x, y, *_ in stroke]
        if len(points) > 1:
            draw.line(points, fill=colour, width=pen, joint="curve")
        for x, y in points:
            draw.ellipse((x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2), fill=colour)


def ruled_sheet(strokes, digit_box, pen, ink):
    """The sheet with its ruling and the digit, and a mask of the digit alone."""
    sheet = Image.new("RGB", SHEET_SIZE, PAPER)
    draw = ImageDraw.Draw(sheet)
    for y in range(3 * LINE_SPACING, SHEET_SIZE[1], LINE_SPACING):
        draw.line([(0, y), (SHEET_SIZE[0], y)], fill=RULING, width=2)
    draw_digit(draw, strokes, digit_box, pen, ink)
    mask = Image.new("L", SHEET_SIZE, 0)
    draw_digit(ImageDraw.Draw(mask), strokes, digit_box, pen, 255)
    return sheet, mask


def wooden_table(size, colour, rng):
    """Wood grain: wavy stripes along a random direction, plus noise."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, np.pi)
    along = xs * np.cos(angle) + ys * np.sin(angle)
    across = -xs * np.sin(angle) + ys * np.cos(angle)
    grain = 14 * np.sin(across / rng.uniform(6, 12) + 2.5 * np.sin(along / 90))
    noise = rng.normal(0, 7, (height, width))
    return np.asarray(colour, np.float32) + (grain + noise)[..., None]


def camera_view(size, sheet_point, sheet_angle, scale, tilt, rng):
    """A function taking sheet points to photo points: sheet_point lands near the middle, turned and in perspective."""
    width, height = size
    centre = np.array([width / 2, height / 2]) + rng.uniform(-0.05, 0.05, 2) * (width, height)
    turn = np.array([[np.cos(sheet_angle), -np.sin(sheet_angle)], [np.sin(sheet_angle), np.cos(sheet_angle)]])

    def to_photo(point):
        x, y = scale * turn @ (np.asarray(point, float) - sheet_point)
        depth = 1 + tilt[0] * x / width + tilt[1] * y / height
        return centre + np.array([x, y]) / depth

    return to_photo


def lighting(size, rng):
    """Light falling off across the picture, and a soft-edged shadow (a hand or the phone) over one part."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    direction = rng.uniform(0, 2 * np.pi)
    ramp = (xs / width - 0.5) * np.cos(direction) + (ys / height - 0.5) * np.sin(direction)
    light = 0.8 + 0.35 * ramp
    edge = rng.uniform(0, 2 * np.pi)
    signed = (xs / width - 0.5) * np.cos(edge) + (ys / height - 0.5) * np.sin(edge) - rng.uniform(0.25, 0.4)
    shadow = 1 - 0.3 / (1 + np.exp(-signed * width / 30))
    return light * shadow


def photo_of_digit(strokes, seed, table_sides, size=PHOTO_SIZE):
    """A JPEG-compressed phone photo of the digit written a few lines tall, with the table beyond table_sides only."""
    rng = np.random.default_rng(seed)
    width, height = size
    digit_size = LINE_SPACING * rng.uniform(3.5, 5)
    scale = rng.uniform(0.28, 0.36) * height / digit_size
    gaps = {side: rng.uniform(0.08, 0.2) * (width if side in ("left", "right") else height) for side in table_sides}
    sheet_width, sheet_height = SHEET_SIZE
    centre_x = {"left": (width / 2 - gaps.get("left", 0)) / scale,
                "right": sheet_width - (width / 2 - gaps.get("right", 0)) / scale}
    centre_y = {"top": (height / 2 - gaps.get("top", 0)) / scale,
                "bottom": sheet_height - (height / 2 - gaps.get("bottom", 0)) / scale}
    digit_centre = np.array([
        next((centre_x[side] for side in table_sides if side in centre_x), sheet_width / 2),
        next((centre_y[side] for side in table_sides if side in centre_y), sheet_height / 2),
    ])
    left, top = digit_centre - digit_size / 2
    sheet, digit = ruled_sheet(strokes, (left, top, digit_size), pen=int(rng.integers(3, 5)),
                               ink=BALLPOINTS[seed % len(BALLPOINTS)])
    to_photo = camera_view(size, digit_centre, np.radians(rng.uniform(-8, 8)), scale,
                           rng.uniform(-0.12, 0.12, 2), rng)
    corners = [(0, 0), (sheet_width, 0), (sheet_width, sheet_height), (0, sheet_height)]
    where_from = perspective_coefficients([to_photo(corner) for corner in corners], corners)

    def onto_photo(picture):
        return picture.transform(size, Image.Transform.PERSPECTIVE, where_from, Image.Resampling.BICUBIC)

    paper = onto_photo(Image.new("L", SHEET_SIZE, 255))
    on_paper = np.asarray(paper, np.float32)[..., None] / 255
    table = wooden_table(size, TABLES[seed % len(TABLES)], rng)
    scene = np.asarray(onto_photo(sheet), np.float32) * on_paper + table * (1 - on_paper)
    scene = scene * lighting(size, rng)[..., None] + rng.normal(0, 3, scene.shape)
    picture = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.0))
    jpeg = encoded(picture, "JPEG", quality=int(rng.integers(75, 92)))
    return Photo(Image.open(io.BytesIO(jpeg)), onto_photo(digit), paper)


def on_paper_around_the_digit(photo):
    """The largest box around the digit, growing evenly, that holds nothing but paper: the photo cropped to it."""
    paper = np.asarray(photo.paper) == 255
    left, top, right, bottom = photo.digit.getbbox()

    def all_paper(margin):
        height, width = paper.shape
        inside = min(top, left) - margin >= 0 and bottom + margin <= height and right + margin <= width
        return inside and paper[top - margin:bottom + margin, left - margin:right + margin].all()

    margin = 0
    while all_paper(margin + 1):
        margin += 1
    return left - margin, top - margin, right + margin, bottom + margin


def in_working_pixels(photo):
    """The digit's mask at the size preprocessing works at, where the ink map is."""
    return np.asarray(ImageOps.contain(photo.digit, (WORKING_SIZE, WORKING_SIZE)), np.float32) / 255


def read(classifier, picture):
    """The digit the model reads in a picture, its probability, and the ink map it was read from."""
    steps = []
    probabilities = classifier.probabilities(to_mnist(picture, steps))
    return int(np.argmax(probabilities)), float(np.max(probabilities)), steps[0][1]


@pytest.fixture(scope="module")
def classifier(app):
    return default_model(app).classifier


@pytest.fixture(scope="module")
def photo_of_case(pendigits):
    """The photo of a case of CASES, made once for all the tests that look at it."""
    made = {}

    def photo(digit, nth, seed, sides):
        if (digit, nth, seed, sides) not in made:
            strokes = [record["strokes"] for record in pendigits if record["label"] == digit][nth]
            made[digit, nth, seed, sides] = photo_of_digit(strokes, seed, sides)
        return made[digit, nth, seed, sides]

    return photo


@pytest.mark.parametrize("digit, nth, seed, sides", CASES)
def test_a_photo_of_a_digit_on_lined_paper_reads_as_the_digit(classifier, photo_of_case, digit, nth, seed, sides):
    answer, probability, _ = read(classifier, photo_of_case(digit, nth, seed, sides).picture)
    assert answer == digit and probability >= UNSURE_BELOW


@pytest.mark.parametrize("digit, nth, seed, sides", CASES)
def test_only_the_digit_is_ink(photo_of_case, digit, nth, seed, sides):
    """No paper edge, table or shadow stretches the crop past the digit; ink off its strokes (ruling) is nearly nil."""
    photo = photo_of_case(digit, nth, seed, sides)
    steps = []
    to_mnist(photo.picture, steps)
    ink = steps[0][1]
    digit_mask = in_working_pixels(photo)
    rows, columns = ink_bounding_box(ink)
    digit_rows, digit_columns = ink_bounding_box(digit_mask)
    slack = 0.02 * WORKING_SIZE
    assert digit_columns.start - slack <= columns.start and columns.stop <= digit_columns.stop + slack
    assert digit_rows.start - slack <= rows.start and rows.stop <= digit_rows.stop + slack
    near_the_strokes = ndimage.binary_dilation(digit_mask > 0, iterations=round(0.01 * WORKING_SIZE))
    assert ink[~near_the_strokes].sum() < 0.05 * ink.sum()


def test_a_ballpoint_five_with_the_table_in_view_reads_as_it_does_cropped_to_the_paper(client, photo_of_case):
    """The README's photo upload: a clear 5 on lined paper, photographed with some of the table beside it."""
    photo = photo_of_case(5, 0, 6, ("top", "right"))
    answers = []
    for picture in (photo.picture, photo.picture.crop(on_paper_around_the_digit(photo))):
        response = client.post("/api/predict", data=encoded(picture, "JPEG", quality=90), content_type="image/jpeg")
        assert response.status_code == 200
        answers.append((response.get_json()["digit"], response.get_json()["confidence"] >= UNSURE_BELOW))
    assert answers == [(5, True), (5, True)]


@pytest.mark.parametrize("digit, nth, seed, sides", CASES[1:12:3])
def test_a_photo_cropped_close_around_the_digit_still_reads(classifier, photo_of_case, digit, nth, seed, sides):
    """Cropped close, no table is in view and the ruled lines crossing the picture are thick: they are still not ink."""
    photo = photo_of_case(digit, nth, seed, sides)
    left, top, right, bottom = photo.digit.getbbox()
    margin = 0.1 * (bottom - top)
    answer, probability, _ = read(classifier, photo.picture.crop((left - margin, top - margin,
                                                                  right + margin, bottom + margin)))
    assert answer == digit and probability >= UNSURE_BELOW


@pytest.mark.parametrize("digit, strokes", [
    (7, [[[0, 40], [280, 40], [120, 260]]]),
    (2, [[[60, 80], [100, 30], [180, 30], [200, 90], [20, 250], [280, 250]]]),
    (1, [[[140, 5], [140, 275]]]),
], ids=["bar across", "base across", "stroke top to bottom"])
def test_a_stroke_across_a_photo_cropped_to_the_digit_is_ink(classifier, digit, strokes):
    """A digit cropped to its ink may reach from side to side: that stroke is neither a ruled line nor table."""
    drawing = np.asarray(render_strokes(strokes, pen_width=12), np.float64) / 255.0
    rng = np.random.default_rng(0)
    light = np.linspace(0.55, 0.95, 280)[None, :] * np.ones((280, 1))
    photo = np.clip((light + rng.normal(0, 0.03, (280, 280))) * (0.25 + 0.75 * drawing), 0, 1)
    picture = Image.fromarray((photo * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    answer, probability, _ = read(classifier, picture)
    assert answer == digit and probability >= UNSURE_BELOW


@pytest.mark.parametrize("size", [(1, 1), (2, 561), (2000, 3), (40, 5)])
def test_a_grainy_picture_of_any_shape_is_read_or_found_empty(size):
    """However narrow, a photo is shrunk to look for the paper and its ruling without shrinking to nothing."""
    values = np.clip(200 + np.random.default_rng(0).normal(0, 30, size[::-1]), 0, 255).astype(np.uint8)
    image = to_mnist(Image.fromarray(values))
    assert image is None or image.shape == (28, 28)
