"""The JSON API: predict a digit, report health, describe the model."""

import base64
import io

import numpy as np
from flask import Blueprint, current_app, jsonify, request
from PIL import Image

from webapp.decode import InputError, image_from_request
from webapp.preprocess import to_mnist

bp = Blueprint("api", __name__, url_prefix="/api")

CARD_FIELDS = ("name", "architecture", "parameters", "trained_at", "training_seconds", "command",
               "epochs_run", "data", "mnist_test", "drawn_test", "environment")


def classifier():
    return current_app.extensions["classifier"]


@bp.post("/predict")
def predict():
    image = to_mnist(image_from_request(request))
    if image is None:
        raise InputError("the image is empty: draw a digit first", status=422)
    return jsonify(prediction(image))


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


@bp.get("/health")
def health():
    return jsonify(status="ok", model=classifier().name)


@bp.get("/model")
def model_card():
    card = classifier().card
    summary = {field: card[field] for field in CARD_FIELDS if field in card}
    summary["name"] = classifier().name
    summary["runtime"] = classifier().runtime
    if "mnist_test" in card:
        summary["test_accuracy"] = card["mnist_test"]["accuracy"]
    return jsonify(summary)
