"""The JSON API: predict a digit, report health, describe the model."""

from flask import Blueprint, jsonify, request

from webapp import samples
from webapp.adaptation import valid_writer
from webapp.answers import classifier, prediction
from webapp.databases import DatabaseUnavailable
from webapp.decode import image_from_request, json_object
from webapp.errors import InputError
from webapp.preprocess import to_mnist

bp = Blueprint("api", __name__, url_prefix="/api")

CARD_FIELDS = ("name", "architecture", "parameters", "trained_at", "training_seconds", "command",
               "epochs_run", "data", "mnist_test", "drawn_test", "environment")


@bp.post("/predict")
def predict():
    image = to_mnist(image_from_request(request))
    writer = requested_writer()
    if image is None:
        raise InputError("the image is empty: draw a digit first", status=422)
    return jsonify(prediction(image, writer=writer))


def requested_writer():
    """The optional writer to adapt to: a JSON field, a multipart form field, or ``?writer=`` with a raw body."""
    if request.mimetype == "application/json":
        name = json_object(request).get("writer")
    elif request.mimetype == "multipart/form-data":
        name = request.form.get("writer")
    else:
        name = request.args.get("writer")
    return None if name is None else valid_writer(name)


@bp.get("/health")
def health():
    """Ready when the model is loaded and the database answers; 503 saying which is wrong otherwise."""
    model = classifier().load().name
    try:
        samples.check()
    except DatabaseUnavailable as error:
        return jsonify(status="unavailable", model=model, database="unreachable", error=str(error)), 503
    return jsonify(status="ok", model=model, database="ok")


@bp.get("/model")
def model_card():
    card = classifier().card
    summary = {field: card[field] for field in CARD_FIELDS if field in card}
    summary["name"] = classifier().name
    summary["runtime"] = classifier().runtime
    if "mnist_test" in card:
        summary["test_accuracy"] = card["mnist_test"]["accuracy"]
    return jsonify(summary)
