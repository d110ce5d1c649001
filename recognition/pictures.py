"""Pictures as bytes: the 28×28 model input and the picture read, as PNG and as data URLs, and back."""

import base64
import io
import struct
import zlib

import numpy as np
from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREY_PNG = (8, 0, 0, 0, 0)
"""A PNG header's fields after the size: 8-bit grey, deflate, rows led by their filter type, no interlacing."""


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


def input_from_png(png):
    """A stored 28×28 model input (PNG, white ink on black) as floats in [0, 1]."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), np.float32) / 255.0


def png_bytes(picture):
    """The picture the model read (upright, at most the working size a side) as PNG."""
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
