"""The answer for one 28×28 model input, given by the prediction API and stored by the lab."""

import base64
import io

import numpy as np
from flask import current_app
from PIL import Image


def classifier():
    return current_app.extensions["classifier"]


def prediction(image, png=None):
    """The answer for one 28×28 model input: digit, confidence, probabilities and the input as PNG.

    ``png`` is the input already encoded by :func:`input_png`, when the caller has it.
    """
    probabilities = classifier().probabilities(image)
    probabilities = probabilities / probabilities.sum()
    digit = int(np.argmax(probabilities))
    return {
        "digit": digit,
        "confidence": float(probabilities[digit]),
        "probabilities": [float(p) for p in probabilities],
        "input": data_url(png or input_png(image)),
        "model": classifier().name,
    }


def input_png(image):
    """A 28×28 float image as PNG bytes, white ink on black like MNIST."""
    buffer = io.BytesIO()
    Image.fromarray(np.round(image * 255).astype(np.uint8), mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
