"""Reading whole numbers: digits of several strokes, strokes out of order, a 1 beside a 7, touching digits,
pictures without strokes, an empty pad, too many strokes."""

import numpy as np
import pytest
from PIL import Image

from recognition.classifier import Classifier
from recognition.model_files import DEFAULT_MODEL
from recognition.numbers import MAX_STROKES, NumberTooLong, number_confidence, number_text, read_number
from recognition.pad import NUMBER_PAD
from recognition.preprocess import working_picture
from tests.helpers import flat, number_picture, pen_drawing, written_number

PEN = 18


@pytest.fixture(scope="module")
def classify():
    return Classifier(DEFAULT_MODEL).load().probabilities_batch


def read(strokes, classify, with_strokes=True):
    return read_number(number_picture(strokes), strokes if with_strokes else None, classify=classify)


def test_digits_of_several_strokes(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 4, 2), pen_drawing(pendigits, 5, 2),
                             pen_drawing(pendigits, 7, 2)], [0.25, 0.25])
    parts = read(flat(digits), classify)
    assert number_text(parts) == "457"
    assert [part.box[0] for part in parts] == sorted(part.box[0] for part in parts)
    assert number_confidence(parts) == pytest.approx(np.prod([part.confidence for part in parts]))


def test_bars_of_a_seven_and_a_four_written_last(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 2, 1), pen_drawing(pendigits, 7, 2),
                             pen_drawing(pendigits, 4, 2)], [0.2, 0.2])
    seven_bar, four_bar = digits[1].pop(1), digits[2].pop(1)
    late = flat(digits) + [seven_bar, four_bar]
    assert number_text(read(late, classify)) == "274"
    assert number_text(read(late[::-1], classify)) == "274"


@pytest.mark.parametrize("with_strokes", [True, False])
def test_a_one_beside_a_seven(pendigits, classify, with_strokes):
    one, seven = pen_drawing(pendigits, 1, 1), pen_drawing(pendigits, 7, 2)
    assert number_text(read(flat(written_number([one, seven], [0.04])), classify, with_strokes)) == "17"
    assert number_text(read(flat(written_number([seven, one], [0.04])), classify, with_strokes)) == "71"


def test_touching_digits(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 3, 1), pen_drawing(pendigits, 8, 1),
                             pen_drawing(pendigits, 0, 1)], [-0.06, -0.06])
    assert number_text(read(flat(digits), classify)) == "380"


def test_touching_digits_without_strokes(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 2, 1), pen_drawing(pendigits, 3, 1)], [-0.05])
    assert number_text(read(flat(digits), classify, with_strokes=False)) == "23"


def test_picture_without_strokes(pendigits, classify):
    records = [pen_drawing(pendigits, 2, 1), pen_drawing(pendigits, 0, 1), pen_drawing(pendigits, 2, 1, writer=26),
               pen_drawing(pendigits, 6, 1)]
    digits = written_number(records, [0.3, 0.25, 0.3])
    parts = read(flat(digits), classify, with_strokes=False)
    assert number_text(parts) == "2026"
    for part, strokes in zip(parts, digits):
        points = np.concatenate([np.asarray(stroke)[:, :2] for stroke in strokes])
        assert part.input.shape == (28, 28)
        assert part.probabilities.sum() == pytest.approx(1.0, abs=1e-3)
        assert part.box[0] <= points[:, 0].min() and points[:, 0].max() <= part.box[2]


def test_boxes_in_the_pixels_of_the_picture_as_sent(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 9, 1), pen_drawing(pendigits, 3, 1)], [0.3])
    picture = number_picture(flat(digits))
    shrunk = working_picture(picture)
    assert shrunk.size != picture.size
    parts = read_number(shrunk, flat(digits), classify=classify, size=picture.size)
    assert number_text(parts) == "93"
    for part, strokes in zip(parts, digits):
        points = np.concatenate([np.asarray(stroke)[:, :2] for stroke in strokes])
        low, high = points.min(axis=0) - PEN / 2, points.max(axis=0) + PEN / 2
        assert np.allclose(part.box, [*low, *high], atol=4)


def test_strokes_that_do_not_describe_the_picture_are_ignored(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 5, 2), pen_drawing(pendigits, 8, 1)], [0.3])
    elsewhere = [[[x, y + 1000] for x, y, _ in stroke] for stroke in flat(digits)]
    parts = read_number(number_picture(flat(digits)), elsewhere, classify=classify)
    assert number_text(parts) == "58"


def test_empty_picture_has_no_parts(classify):
    assert read_number(Image.new("RGBA", NUMBER_PAD, (0, 0, 0, 0)), classify=classify) == []
    assert read_number(Image.new("L", NUMBER_PAD, 255), [], classify=classify) == []


def test_too_many_strokes_is_refused(pendigits, classify):
    digits = written_number([pen_drawing(pendigits, 1, 1)], [])
    many = flat(digits) * (MAX_STROKES + 1)
    with pytest.raises(NumberTooLong):
        read_number(number_picture(many), many, classify=classify)
