"""The HTTP contract of /api/read: the number, its digits left to right with their boxes and inputs, from a picture
with or without its strokes; no ink is a 422, strokes are checked, too much to read is a 413, and the refusals
/api/predict gives (tests/test_api.py runs the same battery on both)."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from recognition.numbers import MAX_STROKES as MAX_READ_STROKES
from tests.helpers import data_url, encoded, flat, number_picture, pen_drawing, written_number

DIGIT_FIELDS = {"digit", "confidence", "probabilities", "not_a_digit", "box", "input"}


@pytest.fixture(scope="module")
def year(pendigits):
    """2026 written with pen-drawn digits: the strokes per digit."""
    records = [pen_drawing(pendigits, 2, 1), pen_drawing(pendigits, 0, 1), pen_drawing(pendigits, 2, 1, writer=26),
               pen_drawing(pendigits, 6, 1)]
    return written_number(records, [0.3, 0.25, 0.3])


def read(client, drawn, **fields):
    """/api/read's answer for the picture of the ``drawn`` strokes, with ``fields`` beside it."""
    return client.post("/api/read", json={"image": data_url(encoded(number_picture(drawn))), **fields})


def assert_number(response, text):
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert set(answer) == {"number", "confidence", "digits"}
    assert answer["number"] == text
    assert answer["number"] == "".join("?" if digit["not_a_digit"] else str(digit["digit"]) for digit in answer["digits"])
    assert answer["confidence"] == pytest.approx(np.prod([digit["confidence"] for digit in answer["digits"]]))
    for digit in answer["digits"]:
        assert set(digit) == DIGIT_FIELDS and isinstance(digit["not_a_digit"], bool)
        assert sum(digit["probabilities"]) == pytest.approx(1.0, abs=1e-6)
        assert digit["digit"] == int(np.argmax(digit["probabilities"]))
        seen = Image.open(io.BytesIO(base64.b64decode(digit["input"].removeprefix("data:image/png;base64,"))))
        assert seen.size == (28, 28) and seen.mode == "L"
    return answer


def assert_boxes_hold(answer, digits, pen=18, pixels=4):
    """Each digit's box is its strokes' ink, within ``pixels``."""
    for box, strokes in zip([digit["box"] for digit in answer["digits"]], digits):
        points = np.concatenate([np.asarray(stroke)[:, :2] for stroke in strokes])
        low, high = points.min(axis=0) - pen / 2, points.max(axis=0) + pen / 2
        assert np.allclose(box, [*low, *high], atol=pixels), (box, low, high)


def test_a_number_with_its_strokes(client, year):
    answer = assert_number(read(client, flat(year), strokes=flat(year)), "2026")
    assert_boxes_hold(answer, year)


def test_a_picture_without_strokes_in_every_way_predict_takes_one(client, year):
    png = encoded(number_picture(flat(year)))
    for request in ({"json": {"image": data_url(png)}},
                    {"json": {"image": base64.b64encode(png).decode()}},
                    {"data": png, "content_type": "image/png"},
                    {"data": {"image": (io.BytesIO(png), "n.png")}, "content_type": "multipart/form-data"}):
        assert_boxes_hold(assert_number(client.post("/api/read", **request), "2026"), year)


def test_out_of_order_strokes_and_multi_stroke_digits(client, pendigits):
    digits = written_number([pen_drawing(pendigits, 7, 2), pen_drawing(pendigits, 4, 2),
                             pen_drawing(pendigits, 5, 2)], [0.2, 0.2])
    bars = [digit.pop(1) for digit in digits]
    strokes = flat(digits) + bars
    assert_number(read(client, strokes, strokes=strokes[::-1]), "745")


def test_boxes_are_in_the_pixels_of_a_picture_shrunk_on_arrival(client, year):
    """The 1680×560 picture is read at a third of its size: a pixel read is three sent."""
    picture = number_picture(flat(year))
    twice = picture.resize((2 * picture.width, 2 * picture.height))
    doubled = [[[2 * x, 2 * y, t] for x, y, t in stroke] for stroke in flat(year)]
    response = client.post("/api/read", json={"image": data_url(encoded(twice)), "strokes": doubled})
    answer = assert_number(response, "2026")
    assert_boxes_hold(answer, [[[[2 * x, 2 * y] for x, y, _ in stroke] for stroke in digit] for digit in year],
                      pen=36, pixels=8)


def test_no_ink_is_422(client):
    blank = data_url(encoded(Image.new("RGBA", (840, 280), (0, 0, 0, 0))))
    for body in ({"image": blank}, {"image": blank, "strokes": []}):
        response = client.post("/api/read", json=body)
        assert response.status_code == 422 and "empty" in response.get_json()["error"]


@pytest.mark.parametrize("strokes", ["lines", [[]], [[[1, 2, 3, 4]]], [[["1", 2]]], [[[1, float("inf")]]],
                                     [[[True, 2]]], [[[1, 2]]] * 101],
                         ids=["not a list", "empty stroke", "four numbers", "text", "infinite", "boolean",
                              "too many strokes"])
def test_malformed_strokes_are_400(client, year, strokes):
    body = json.dumps({"image": data_url(encoded(number_picture(flat(year)))), "strokes": strokes},
                      allow_nan=True)
    response = client.post("/api/read", data=body, content_type="application/json")
    assert response.status_code == 400
    assert any(word in response.get_json()["error"] for word in ("stroke", "point"))


def test_too_many_strokes_to_read_is_413(client, year):
    strokes = flat(year) * (MAX_READ_STROKES // len(flat(year)) + 1)
    response = read(client, flat(year), strokes=strokes)
    assert response.status_code == 413 and "at most" in response.get_json()["error"]


def test_strokes_far_off_the_picture_are_harmless(client, year):
    far = [[[1e11, -1e11], [-1e11, 1e11]]]
    assert read(client, flat(year), strokes=far).status_code in (200, 422)


def test_an_untrusted_host_is_refused(client, year):
    body = {"image": data_url(encoded(number_picture(flat(year))))}
    assert client.post("/api/read", json=body, headers={"Host": "attacker.example"}).status_code == 400


def test_the_number_page_is_served_and_linked_from_every_page(client):
    page = client.get("/numbers").get_data(as_text=True)
    assert 'id="pad"' in page and 'data-width="840"' in page and 'data-height="280"' in page
    assert 'src="/static/js/numbers.js"' in page
    for path in ("/", "/session", "/samples", "/numbers"):
        assert 'href="/numbers"' in client.get(path).get_data(as_text=True), path
