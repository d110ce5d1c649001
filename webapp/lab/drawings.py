"""A drawing sent to be saved (to the lab or a room): its picture, label, strokes and writer, all checked."""

from dataclasses import dataclass

import numpy as np

from recognition.pictures import input_png, png_bytes
from recognition.preprocess import to_mnist
from webapp.web.errors import InputError
from webapp.web.parsing import valid_strokes
from webapp.web.pictures import bytes_from_base64_field, decode_image
from webapp.writers.names import valid_writer


@dataclass
class SentDrawing:
    """A checked drawing: the model input (28×28 floats) and, as PNG, it and the picture sent."""

    label: int | None
    strokes: list
    writer: str | None
    image: np.ndarray
    input_png: bytes
    picture_png: bytes


def sent_drawing(payload, label_required=True):
    """The drawing a JSON save request carries (``image``, ``label``, ``strokes``, ``writer``); an InputError
    for anything malformed, a 422 for a picture with no digit."""
    label = payload.get("label")
    label = None if label is None and not label_required else valid_label(label)
    strokes = valid_strokes(payload.get("strokes", []))
    writer = None if payload.get("writer") is None else valid_writer(payload["writer"])
    picture = decode_image(bytes_from_base64_field(payload.get("image")))
    image = to_mnist(picture)
    if image is None:
        raise InputError("the image is empty: there is nothing to save", status=422)
    return SentDrawing(label, strokes, writer, image, input_png(image), png_bytes(picture))


def valid_label(label):
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise InputError("\"label\" must be a whole number from 0 to 9")
    return label
