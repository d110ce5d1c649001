"""The answer for one 28×28 model input, given by the prediction API and stored by the lab."""

import base64
import io
import struct
import zlib

import numpy as np
from flask import current_app

from webapp.adaptation import adapted_probabilities, writer_support
from webapp.databases import DatabaseUnavailable

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREY_PNG = (8, 0, 0, 0, 0)
"""A PNG header's fields after the size: 8-bit grey, deflate, rows led by their filter type, no interlacing."""


def classifier():
    return current_app.extensions["classifier"]


def prediction(image, png=None, writer=None, reader=None):
    """The answer for one 28×28 model input: digit, confidence, probabilities and the input as PNG.

    ``png`` is the input already encoded by :func:`input_png`, when the caller has it;
    ``reader`` the classifier to answer with, when not the default one.
    With a ``writer`` who has saved drawings the answer is adapted to them and
    also carries the general model's answer.
    """
    model = reader or classifier()
    probabilities, features = model.outputs(image)
    general = reading(probabilities)
    answer = {**general, "input": data_url(png or input_png(image)), "model": model.name, "adapted": False}
    if writer is None or features is None:
        return answer
    try:
        vectors, labels, drawings = writer_support(model, writer)
    except DatabaseUnavailable:
        return {**answer, "warning": "the answer is not adapted: the drawings database cannot be reached"}
    if vectors is None:
        return answer
    adapted = reading(adapted_probabilities(general["probabilities"], features, vectors, labels))
    return {**answer, **adapted, "adapted": True, "writer": writer, "writer_samples": drawings, "general": general}


def reading(probabilities):
    """Digit, confidence and probabilities (normalised to sum to 1) from ten probabilities."""
    probabilities = np.asarray(probabilities, np.float64)
    probabilities = probabilities / probabilities.sum()
    digit = int(np.argmax(probabilities))
    return {"digit": digit, "confidence": float(probabilities[digit]),
            "probabilities": [float(p) for p in probabilities]}


def input_png(image):
    """A 28×28 float image as PNG bytes, white ink on black like MNIST.

    Written directly, as 8-bit grey with unfiltered rows: for a picture this
    small, Pillow's PNG encoder spends twice as long, mostly in Python.
    """
    pixels = np.round(image * 255).astype(np.uint8)
    height, width = pixels.shape
    rows = np.zeros((height, 1 + width), np.uint8)  # each row opens with its filter type: 0, none
    rows[:, 1:] = pixels
    header = struct.pack(">II5B", width, height, *GREY_PNG)
    return (PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(rows.tobytes()))
            + _png_chunk(b"IEND", b""))


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def png_bytes(picture):
    """The picture the model read (upright, at most the working size a side) as PNG."""
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
