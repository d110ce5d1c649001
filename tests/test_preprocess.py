"""Properties of the MNIST-style preprocessing: position, size, pen and polarity do not matter; empty is empty."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from recognition.preprocess import DIGIT_BOX, MNIST_SIZE, STEP_NAMES, to_mnist
from recognition.strokes import render_strokes
from tests.helpers import FOUR, SEVEN


def shifted(strokes, dx=0, dy=0, scale=1.0):
    return [[[x * scale + dx, y * scale + dy] for x, y, *_ in stroke] for stroke in strokes]


def difference(a, b):
    return float(np.abs(a - b).mean())


def similarity(a, b):
    """Best correlation of two images over shifts of up to one pixel."""
    return max(np.corrcoef(np.roll(a, (dy, dx), axis=(0, 1)).ravel(), b.ravel())[0, 1]
               for dy in (-1, 0, 1) for dx in (-1, 0, 1))


@pytest.mark.parametrize("strokes", [SEVEN, FOUR])
def test_position_does_not_matter(strokes):
    here = to_mnist(render_strokes(strokes))
    there = to_mnist(render_strokes(shifted(strokes, dx=-40, dy=25)))
    assert difference(here, there) < 0.02


@pytest.mark.parametrize("scale", [0.5, 0.75])
def test_size_barely_matters_when_the_pen_scales_too(scale):
    large = to_mnist(render_strokes(SEVEN, pen_width=18))
    small = to_mnist(render_strokes(shifted(SEVEN, scale=scale), pen_width=18 * scale))
    assert difference(large, small) < 0.03


def test_pen_width_changes_only_the_stroke():
    thin = to_mnist(render_strokes(FOUR, pen_width=10))
    bold = to_mnist(render_strokes(FOUR, pen_width=28))
    assert difference(thin, bold) < 0.12
    assert np.corrcoef(thin.ravel(), bold.ravel())[0, 1] > 0.75


def test_polarity_and_transparency_do_not_matter():
    dark_on_white = render_strokes(SEVEN)
    expected = to_mnist(dark_on_white)
    white_on_black = Image.eval(dark_on_white, lambda v: 255 - v)
    alpha = Image.eval(dark_on_white, lambda v: 255 - v)
    black_on_transparent = Image.merge("RGBA", (*[Image.new("L", alpha.size, 0)] * 3, alpha))
    white_on_transparent = Image.merge("RGBA", (*[Image.new("L", alpha.size, 255)] * 3, alpha))
    for variant in (white_on_black, black_on_transparent, white_on_transparent, dark_on_white.convert("RGB")):
        assert difference(to_mnist(variant), expected) < 0.01


def test_output_is_mnist_shaped_and_centred():
    image = to_mnist(render_strokes(FOUR))
    assert image.shape == (MNIST_SIZE, MNIST_SIZE) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    rows, cols = np.nonzero(image > 0.1)
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 <= 21
    total = image.sum()
    centre = (np.arange(28) @ image.sum(axis=1) / total, np.arange(28) @ image.sum(axis=0) / total)
    assert np.allclose(centre, 14, atol=0.6)


def test_mnist_images_pass_through_nearly_unchanged(mnist_test):
    images, _ = mnist_test
    differences = [difference(to_mnist(Image.fromarray(image)), image / 255.0) for image in images[:300]]
    assert np.median(differences) < 0.01
    assert np.mean(differences) < 0.03


@pytest.mark.parametrize("image", [
    Image.new("RGBA", (280, 280), (0, 0, 0, 0)),
    Image.new("L", (280, 280), 255),
    Image.new("L", (280, 280), 0),
    Image.new("RGB", (640, 480), (200, 180, 150)),
], ids=["transparent", "white", "black", "beige"])
def test_empty_pictures_are_empty(image):
    assert to_mnist(image) is None


def test_a_speck_is_empty_and_does_not_inflate_a_digit():
    assert to_mnist(render_strokes([[[100, 100]]], pen_width=4)) is None
    with_speck = render_strokes(SEVEN)
    ImageDraw.Draw(with_speck).ellipse((266, 266, 272, 272), fill=0)
    assert difference(to_mnist(with_speck), to_mnist(render_strokes(SEVEN))) < 0.005


def test_photo_with_shadow_and_grain_gives_the_same_digit():
    drawing = np.asarray(render_strokes(FOUR, pen_width=14), np.float64) / 255.0
    rng = np.random.default_rng(0)
    light = np.linspace(0.55, 0.95, 280)[None, :] * np.ones((280, 1))
    paper = light + rng.normal(0, 0.03, (280, 280))
    photo = np.clip(paper * (0.25 + 0.75 * drawing), 0, 1)
    picture = Image.fromarray((photo * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    assert similarity(to_mnist(picture), to_mnist(render_strokes(FOUR, pen_width=14))) > 0.85


def test_steps_record_each_stage_of_the_one_preprocessing():
    steps = []
    image = to_mnist(render_strokes(SEVEN), steps)
    assert [name for name, _ in steps] == list(STEP_NAMES)
    ink, cropped, fitted, centred = (array for _, array in steps)
    assert ink.shape == (280, 280) and ink.max() == pytest.approx(1.0)
    assert cropped.shape[0] < 280 and cropped.shape[1] < 280
    assert max(fitted.shape) == DIGIT_BOX
    assert centred is image and image.shape == (MNIST_SIZE, MNIST_SIZE)
    assert np.array_equal(image, to_mnist(render_strokes(SEVEN)))


def test_steps_of_an_empty_picture_stop_after_looking_for_ink():
    steps = []
    assert to_mnist(Image.new("RGBA", (280, 280), (0, 0, 0, 0)), steps) is None
    assert [name for name, _ in steps] == [STEP_NAMES[0]]
