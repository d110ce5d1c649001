"""Large pictures: bounded before decoding, JPEGs decoded small, nothing full-size copied, saved as read."""

import base64
import io
import threading

import pytest
from PIL import Image, JpegImagePlugin, PngImagePlugin

from bench.memory import digit_picture
from recognition.preprocess import WORKING_SIZE, to_mnist
from tests.helpers import data_url, encoded, fresh_app
from webapp.web import pictures as decode


def refuse_decoding(*_args, **_kwargs):
    raise AssertionError("the picture was decoded")


@pytest.mark.parametrize("size, mode", [((4000, 4001), "RGB"), ((3500, 3500), "RGBA"), ((7000, 7000), "L")])
def test_too_many_pixels_times_bands_is_413_before_decoding(client, monkeypatch, size, mode):
    data = encoded(Image.new(mode, size, "white"), "PNG")
    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse_decoding)
    response = client.post("/api/predict", data=data, content_type="image/png")
    assert response.status_code == 413
    assert "megapixels" in response.get_json()["error"]


def test_the_largest_accepted_colour_png_is_read(client):
    data = encoded(digit_picture(4600, 3450), "PNG")
    response = client.post("/api/predict", data=data, content_type="image/png")
    assert response.status_code == 200 and response.get_json()["digit"] == 7


def test_a_huge_jpeg_is_decoded_at_reduced_size(client, monkeypatch):
    """48 megapixels in colour would be 144 million values; decoded at an eighth of the size it is small."""
    data = encoded(digit_picture(8000, 6000), "JPEG", quality=85)
    decoded_sizes = []
    real_load = JpegImagePlugin.JpegImageFile.load
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load",
                        lambda image: decoded_sizes.append(image.size) or real_load(image))
    response = client.post("/api/predict", data=data, content_type="image/jpeg")
    assert response.status_code == 200 and response.get_json()["digit"] == 7
    assert decoded_sizes and max(max(size) for size in decoded_sizes) <= 8000 // 4


def test_a_large_picture_is_never_copied_at_full_size(monkeypatch):
    real_copy = Image.Image.copy

    def small_copies_only(image):
        assert max(image.size) <= WORKING_SIZE, f"copied a {image.size} picture"
        return real_copy(image)

    monkeypatch.setattr(Image.Image, "copy", small_copies_only)
    assert to_mnist(digit_picture(3000, 2000)) is not None


def test_large_decodes_wait_for_a_slot_and_give_up_with_503(app, client, monkeypatch):
    monkeypatch.setattr(decode, "SLOT_WAIT_SECONDS", 0.2)
    slots = decode.LARGE_DECODE_SLOTS.get(app)
    taken = [slots.acquire(timeout=5) for _ in range(decode.LARGE_DECODES_AT_ONCE)]
    try:
        assert all(taken)
        large = client.post("/api/predict", data=encoded(digit_picture(3000, 2000), "PNG"),
                            content_type="image/png")
        assert large.status_code == 503 and "busy" in large.get_json()["error"]
        small = client.post("/api/predict", data=encoded(digit_picture(280, 280), "PNG"), content_type="image/png")
        assert small.status_code == 200
    finally:
        for _ in taken:
            slots.release()


def test_no_more_than_the_allowed_large_decodes_run_at_once(app, monkeypatch):
    running, most, lock = [0], [0], threading.Lock()
    real_load = PngImagePlugin.PngImageFile.load

    def counting_load(image):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real_load(image)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", counting_load)
    data = encoded(digit_picture(3000, 2000), "PNG")

    def post():
        assert app.test_client().post("/api/predict", data=data, content_type="image/png").status_code == 200

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert most[0] <= decode.LARGE_DECODES_AT_ONCE


def test_a_saved_photo_is_stored_upright_and_as_small_as_the_model_read_it(tmp_path):
    """Phones store photos sideways with an EXIF orientation; the model reads them turned upright."""
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = digit_picture(1500, 2000).rotate(90, expand=True)
    data = encoded(photo, "JPEG", quality=90, exif=exif.tobytes())
    client = fresh_app(tmp_path).test_client()
    response = client.post("/api/samples", json={"image": data_url(data, "image/jpeg"), "label": 7, "strokes": []})
    assert response.status_code == 201
    assert response.get_json()["prediction"] == 7
    stored = client.get("/api/samples").get_json()["samples"][0]["image"]
    picture = Image.open(io.BytesIO(base64.b64decode(stored.split(",", 1)[1])))
    assert picture.size == (420, 560)
