"""Pictures as bytes: the 28×28 model input and the picture read, as PNG and as data URLs, and back."""

import base64
import io

import numpy as np
from PIL import Image


def input_png(image):
    """A 28×28 float image as PNG bytes, white ink on black like MNIST."""
    buffer = io.BytesIO()
    Image.fromarray(np.round(image * 255).astype(np.uint8), mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


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
