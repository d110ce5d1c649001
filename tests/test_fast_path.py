"""The shortcuts for canvas pictures give the model the same input as the general preprocessing.

The page fills its canvas white and draws black ink on it (``pad.js``,
``toBlob``), so it sends an opaque RGBA PNG; a canvas left transparent sends
ink of one colour whose alpha carries the strokes. Both take shortcuts in
:func:`recognition.preprocess.to_mnist`: an opaque picture skips blending, and ink
of one colour is blended by a table of its 256 opacities. The reference for
each picture is the general path: the same drawing as a plain grey picture,
and the transparent canvas with its invisible pixels of another colour, which
is blended pixel by pixel.
"""

import numpy as np
import pytest
from PIL import Image

from recognition.preprocess import to_mnist
from recognition.strokes import render_recorded
from tests.helpers import encoded
from webapp.web.pictures import decode_image

TOLERANCE = 1 / 255
MNIST_PICTURES = 300
PARTS = 10
"""The pen digits are checked in this many parts, each a test of its own: all of them take about a minute."""


def sent(picture):
    """The model input for a picture sent as a PNG (compressed lightly: encoding is most of this test's time)."""
    return to_mnist(decode_image(encoded(picture, compress_level=1)))


def on_transparency(ink, background, opacity):
    """An RGBA picture: ink of one grey value where opacity is 255, background grey where it is 0."""
    coverage = Image.fromarray(opacity)
    colour = Image.composite(Image.new("L", coverage.size, ink), Image.new("L", coverage.size, background),
                             coverage.point(lambda alpha: 255 if alpha else 0))
    return Image.merge("RGBA", (colour, colour, colour, coverage))


def canvases(picture, ink, background):
    """The ways a canvas can send a grey picture whose ink is darker (ink=0) or lighter (ink=255) than its ground.

    Named by the path each takes: the opaque shortcut, the one-colour table
    and the general blend (transparent pixels of the ground's colour).
    """
    opacity = np.abs(np.asarray(picture, np.int16) - background).astype(np.uint8)
    return {"opaque RGBA": picture.convert("RGBA"),
            "one colour on transparency": on_transparency(ink, ink, opacity),
            "two colours on transparency": on_transparency(ink, background, opacity)}


def mismatches(picture, ink, background):
    """(encoding, largest difference) for each canvas encoding whose model input differs from the plain picture's."""
    reference = to_mnist(picture)
    found = []
    for name, canvas in canvases(picture, ink, background).items():
        candidate = sent(canvas)
        if (candidate is None) != (reference is None):
            found.append((name, "digit found by one path only"))
        elif reference is not None and np.abs(candidate - reference).max() > TOLERANCE:
            found.append((name, float(np.abs(candidate - reference).max())))
    return found


@pytest.mark.parametrize("part", range(PARTS))
def test_every_pen_digit_reads_the_same_through_each_path(pendigits, part):
    indices = range(part, len(pendigits), PARTS)
    different = {}
    for index in indices:
        found = mismatches(render_recorded(pendigits[index]["strokes"]), ink=0, background=255)
        if found:
            different[index] = found
    assert not different, f"{len(different)} of {len(indices)} drawings differ, e.g. {list(different.items())[:5]}"


def test_mnist_pictures_read_the_same_through_each_path(mnist_test):
    images, _ = mnist_test
    different = {}
    for index, image in enumerate(images[:MNIST_PICTURES]):
        found = mismatches(Image.fromarray(image), ink=255, background=0)
        if found:
            different[index] = found
    assert not different, f"{len(different)} of {MNIST_PICTURES} pictures differ, e.g. {list(different.items())[:5]}"


def test_the_canvases_take_the_shortcuts_they_are_named_for():
    picture = Image.new("L", (40, 40), 255)
    picture.paste(0, (10, 5, 30, 35))
    opaque, one_colour, two_colours = canvases(picture, ink=0, background=255).values()
    assert np.asarray(opaque.getchannel("A")).min() == 255
    assert len(one_colour.convert("L").getcolors()) == 1
    assert len(two_colours.convert("L").getcolors()) == 2
