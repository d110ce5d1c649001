"""Hostile and odd input: every endpoint answers with JSON 4xx, never a 5xx or a stack trace."""

import json
import struct
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from recognition.strokes import render_strokes
from tests.helpers import SEVEN, data_url, encoded
from webapp.predicting.served import default_model

ENDPOINTS = [("POST", "/api/predict"), ("POST", "/api/read"), ("GET", "/api/health"), ("GET", "/api/model"), ("GET", "/"),
             ("POST", "/api/samples"), ("GET", "/api/samples"), ("DELETE", "/api/samples/1"),
             ("GET", "/session"), ("GET", "/samples")]


def post_image(client, data, content_type="image/png"):
    return client.post("/api/predict", data=data, content_type=content_type)


@pytest.fixture(scope="module")
def seven():
    return render_strokes(SEVEN)


def sixteen_bit(image):
    values = (np.asarray(image, np.uint16) * 257).astype(np.uint16)
    return Image.fromarray(values)


@pytest.mark.parametrize("convert", [
    lambda im: im.convert("CMYK"),
    lambda im: im.convert("P"),
    lambda im: im.convert("1"),
    lambda im: im.convert("LA"),
    sixteen_bit,
], ids=["cmyk", "paletted", "bilevel", "gray-alpha", "16-bit"])
def test_unusual_modes_are_read_correctly(client, seven, convert):
    image = convert(seven)
    format = "JPEG" if image.mode == "CMYK" else "PNG"
    response = post_image(client, encoded(image, format), f"image/{format.lower()}")
    assert response.status_code == 200
    assert response.get_json()["digit"] == 7


def test_paletted_png_with_transparency(client, seven):
    paletted = seven.convert("P")
    paletted.info["transparency"] = 255
    response = post_image(client, encoded(paletted, transparency=255))
    assert response.status_code == 200 and response.get_json()["digit"] == 7


def test_animated_image_uses_its_first_frame(client, seven):
    frames = [seven.convert("RGB"), Image.new("RGB", seven.size, "white")]
    data = encoded(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    response = post_image(client, data)
    assert response.status_code == 200 and response.get_json()["digit"] == 7


def test_gif_is_refused_clearly(client, seven):
    response = post_image(client, encoded(seven, "GIF"), "image/png")
    assert response.status_code == 415
    assert "PNG, JPEG or WebP" in response.get_json()["error"]


def test_deeply_nested_json_is_a_clear_400(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/predict", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_server_errors_are_json_with_a_request_id(app, client, monkeypatch, seven):
    def explode(image):
        raise RuntimeError("boom")

    monkeypatch.setattr(default_model(app).classifier, "outputs", explode)
    response = post_image(client, encoded(seven))
    assert response.status_code == 500
    answer = response.get_json()
    assert answer["request_id"] == response.headers["X-Request-ID"]
    assert "boom" not in response.get_data(as_text=True) and "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_security_headers(client, method, path, seven):
    response = client.open(path, method=method, data=encoded(seven), content_type="image/png")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("method, path", [("DELETE", "/api/predict"), ("PUT", "/api/health"),
                                          ("POST", "/api/model"), ("GET", "/api/../../etc/passwd")])
def test_wrong_methods_and_paths(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code in (404, 405)
    assert "error" in response.get_json()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
content_types = st.sampled_from(["application/json", "image/png", "image/jpeg", "image/webp", "text/plain",
                                 "multipart/form-data", "application/octet-stream", "", "image/png; charset=x"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method_path=st.sampled_from(ENDPOINTS + [("POST", "/api/health"), ("GET", "/api/predict")]),
       body=st.binary(max_size=2048) | json_values.map(lambda value: json.dumps(value).encode())
       | st.builds(lambda v: json.dumps({"image": v}).encode(), json_values),
       content_type=content_types)
def test_fuzzed_requests_never_cause_a_server_error(client, method_path, body, content_type):
    method, path = method_path
    response = client.open(path, method=method, data=body, content_type=content_type)
    assert response.status_code < 500, response.get_data(as_text=True)
    if path.startswith("/api/") and response.status_code >= 400:
        assert isinstance(response.get_json()["error"], str)


def real_pictures():
    """The same drawn 7 as real PNG, JPEG (with an EXIF orientation) and WebP files."""
    seven = render_strokes(SEVEN)
    exif = Image.Exif()
    exif[0x0112] = 6
    return [encoded(seven, "PNG"), encoded(seven.convert("RGB"), "JPEG", exif=exif.tobytes()),
            encoded(seven.convert("RGB"), "WEBP")]


REAL_PICTURES = real_pictures()


def png_chunks(data):
    """(type, body) of each chunk of a PNG file."""
    chunks, position = [], 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunks.append((kind, data[position + 8:position + 8 + length]))
        position += 12 + length
    return chunks


def png_file(chunks):
    """A PNG file of the chunks, each with a correct checksum, so a reader gets past them to the pixels."""
    body = b"".join(struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
                    for kind, data in chunks)
    return b"\x89PNG\r\n\x1a\n" + body


def mutated(draw, data):
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        change = draw(st.sampled_from(["replace", "cut", "insert"]))
        if change == "replace":
            data[position] = draw(st.integers(0, 255))
        elif change == "cut":
            del data[position:position + draw(st.integers(1, 64))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@st.composite
def mutated_pictures(draw):
    """A real picture with a few bytes changed, cut out or inserted: headers, sizes and pixel data alike.

    A PNG's chunk is sometimes mutated inside and given a correct checksum,
    so that the change reaches the decoder instead of failing the checksum.
    """
    data = draw(st.sampled_from(REAL_PICTURES))
    if data.startswith(b"\x89PNG") and draw(st.booleans()):
        chunks = png_chunks(data)
        index = draw(st.integers(0, len(chunks) - 1))
        chunks[index] = (chunks[index][0], mutated(draw, chunks[index][1]))
        return png_file(chunks)
    return mutated(draw, data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_pictures(), content_type=st.sampled_from(["image/png", "image/jpeg", "image/webp"]))
def test_mutated_pictures_never_cause_a_server_error(client, data, content_type):
    response = client.post("/api/predict", data=data, content_type=content_type)
    assert response.status_code in (200, 400, 413, 415, 422), response.get_data(as_text=True)
    if response.status_code != 200:
        assert isinstance(response.get_json()["error"], str)


valid_pictures = st.sampled_from([data_url(picture) for picture in REAL_PICTURES])
valid_strokes = st.lists(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)).map(list),
                                  min_size=1, max_size=4), max_size=3)
numbers = (st.integers(min_value=-2**70, max_value=2**70) | st.floats(allow_nan=True, allow_infinity=True)
           | st.booleans() | st.none() | st.text(max_size=3))
hostile_strokes = st.lists(st.lists(st.lists(numbers, max_size=4), max_size=4), max_size=4) | json_values
pictures = mutated_pictures().map(data_url) | st.text(max_size=40) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"image": valid_pictures | pictures, "label": st.integers(0, 9) | numbers,
                                   "strokes": valid_strokes | hostile_strokes}))
def test_hostile_sample_fields_never_cause_a_server_error(client, body):
    response = client.post("/api/samples", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 400, 413, 415, 422), response.get_data(as_text=True)
    if response.status_code == 201:
        saved = client.get("/api/samples?per_page=1").get_json()["samples"][0]
        assert saved["id"] == response.get_json()["id"]
        assert saved["label"] == body["label"] and saved["strokes"] == len(body["strokes"])
    else:
        assert isinstance(response.get_json()["error"], str)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"image": valid_pictures | pictures, "strokes": valid_strokes | hostile_strokes}))
def test_hostile_number_fields_never_cause_a_server_error(client, body):
    response = client.post("/api/read", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 400, 413, 415, 422), response.get_data(as_text=True)
    if response.status_code == 200:
        assert response.get_json()["number"]
    else:
        assert isinstance(response.get_json()["error"], str)
