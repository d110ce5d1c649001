"""The HTTP contract of /api/predict, /api/health and /api/model, and every error it answers (/api/read, which
takes a picture the same ways, answers the same errors)."""

import base64
import copy
import io

import numpy as np
import pytest
from PIL import Image

from recognition.strokes import render_strokes
from tests.helpers import SEVEN, drawing_png, encoded
from webapp.predicting.served import default_model

PICTURE_PATHS = ["/api/predict", "/api/read"]
"""Both take a picture the same ways and refuse bad ones alike."""


@pytest.fixture(scope="module")
def seven_png():
    return drawing_png(SEVEN)


def assert_prediction(response, digit=None):
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert set(answer) == {"digit", "confidence", "probabilities", "not_a_digit", "input", "model", "adapted"}
    assert answer["adapted"] is False
    assert isinstance(answer["not_a_digit"], bool)
    assert len(answer["probabilities"]) == 10
    assert sum(answer["probabilities"]) == pytest.approx(1.0, abs=1e-6)
    assert answer["digit"] == int(np.argmax(answer["probabilities"]))
    assert answer["confidence"] == pytest.approx(max(answer["probabilities"]))
    assert answer["input"].startswith("data:image/png;base64,")
    seen = Image.open(io.BytesIO(base64.b64decode(answer["input"].split(",", 1)[1])))
    assert seen.size == (28, 28) and seen.mode == "L"
    assert np.asarray(seen)[0].max() == 0, "the model input is white ink on black"
    if digit is not None:
        assert answer["digit"] == digit
    return answer


def test_raw_png_body(client, seven_png):
    assert_prediction(client.post("/api/predict", data=seven_png, content_type="image/png"), digit=7)


def test_json_data_url_and_plain_base64(client, seven_png):
    encoded = base64.b64encode(seven_png).decode()
    for image in (f"data:image/png;base64,{encoded}", encoded):
        assert_prediction(client.post("/api/predict", json={"image": image}), digit=7)


def test_multipart_upload(client, seven_png):
    response = client.post("/api/predict", data={"image": (io.BytesIO(seven_png), "seven.png")},
                           content_type="multipart/form-data")
    assert_prediction(response, digit=7)


@pytest.mark.parametrize("format", ["JPEG", "WEBP"])
def test_jpeg_and_webp(client, format):
    data = encoded(render_strokes(SEVEN).convert("RGB"), format=format)
    assert_prediction(client.post("/api/predict", data=data, content_type=f"image/{format.lower()}"), digit=7)


def test_model_name_is_reported(client, app, seven_png):
    answer = assert_prediction(client.post("/api/predict", data=seven_png, content_type="image/png"))
    assert answer["model"] == default_model(app).classifier.name


def test_empty_drawing_is_422(client):
    blank = encoded(Image.new("RGBA", (280, 280), (0, 0, 0, 0)))
    response = client.post("/api/predict", data=blank, content_type="image/png")
    assert response.status_code == 422
    assert "empty" in response.get_json()["error"]


@pytest.mark.parametrize("kwargs, status", [
    ({"data": b"", "content_type": "image/png"}, 400),
    ({"data": b"not an image at all", "content_type": "image/png"}, 415),
    ({"data": b"{\"image\": ", "content_type": "application/json"}, 400),
    ({"json": ["image"]}, 400),
    ({"json": {"picture": "x"}}, 400),
    ({"json": {"image": 7}}, 400),
    ({"json": {"image": "data:image/png;base64,@@@"}}, 400),
    ({"json": {"image": "data:text/plain;base64,aGVsbG8="}}, 415),
    ({"data": b"hello", "content_type": "text/plain"}, 415),
    ({}, 415),
    ({"data": {"file": (io.BytesIO(b"x"), "x.png")}, "content_type": "multipart/form-data"}, 400),
], ids=["empty body", "not an image", "broken json", "json list", "no image field", "image not a string",
        "bad base64", "data url not an image", "text body", "no content type", "multipart without image"])
@pytest.mark.parametrize("path", PICTURE_PATHS)
def test_malformed_requests_get_a_json_4xx(client, kwargs, status, path):
    response = client.post(path, **copy.deepcopy(kwargs))
    assert response.status_code == status
    assert isinstance(response.get_json()["error"], str)


@pytest.mark.parametrize("path", PICTURE_PATHS)
def test_truncated_image_is_400(client, seven_png, path):
    response = client.post(path, data=seven_png[: len(seven_png) // 2], content_type="image/png")
    assert response.status_code == 400
    assert "truncated" in response.get_json()["error"]


@pytest.mark.parametrize("path", PICTURE_PATHS)
def test_decompression_bomb_is_refused_before_decoding(client, path):
    huge = encoded(Image.new("1", (20000, 20000), 1))
    assert len(huge) < 200_000
    response = client.post(path, data=huge, content_type="image/png")
    assert response.status_code == 413
    assert "megapixels" in response.get_json()["error"]


@pytest.mark.parametrize("size", [(1, 1), (10000, 1), (4000, 20)])
@pytest.mark.parametrize("path", PICTURE_PATHS)
def test_absurd_dimensions_are_refused(client, size, path):
    response = client.post(path, data=encoded(Image.new("L", size, 0)), content_type="image/png")
    assert response.status_code == 400
    assert "too small or too narrow" in response.get_json()["error"]


@pytest.mark.parametrize("path", PICTURE_PATHS)
def test_oversized_body_is_413(client, path):
    response = client.post(path, data=b"\0" * (9 * 1024 * 1024), content_type="image/png")
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_wrong_method_and_unknown_route_are_json(client):
    for path in PICTURE_PATHS:
        response = client.get(path)
        assert response.status_code == 405 and "error" in response.get_json()
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and "error" in response.get_json()


def test_health(client, app):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "model": default_model(app).classifier.name, "database": "ok"}


def test_model_card(client):
    card = client.get("/api/model").get_json()
    for field in ("name", "architecture", "parameters", "test_accuracy", "trained_at", "command"):
        assert field in card, field
    assert 0.9 < card["test_accuracy"] <= 1.0


def test_page_has_the_pad_and_its_controls(client):
    page = client.get("/").get_data(as_text=True)
    for element_id in ("pad", "clear", "undo", "digit", "probabilities", "input28", "upload"):
        assert f'id="{element_id}"' in page
    assert 'data-pen-width="18"' in page and 'data-size="280"' in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize("path", ["/static/js/main.js", "/static/style.css", "/static/favicon.svg"])
def test_static_assets_are_served(client, path):
    assert client.get(path).status_code == 200
