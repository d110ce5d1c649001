"""The JSON API: predict a digit, report health, describe the model."""

from flask import Blueprint, jsonify, request

from recognition.preprocess import to_mnist
from webapp.predicting.answers import prediction
from webapp.predicting.insight import comparison, explanation, preprocessing_steps
from webapp.predicting.options import prediction_options
from webapp.predicting.served import default_model, served_model, served_models
from webapp.storage.connections import check
from webapp.storage.databases import DatabaseUnavailable
from webapp.web.errors import InputError
from webapp.web.pictures import image_from_request
from webapp.writers.adapting import adapted_answer

bp = Blueprint("api", __name__, url_prefix="/api")

CARD_FIELDS = ("name", "architecture", "parameters", "trained_at", "training_seconds", "command",
               "epochs_run", "data", "mnist_test", "drawn_test", "environment", "not_a_digit")


@bp.post("/predict")
def predict():
    options = prediction_options(request)
    model = served_model(options["model"])
    picture = image_from_request(request)
    steps = [] if options["steps"] else None
    image = to_mnist(picture, steps)
    if image is None:
        raise InputError("the image is empty: draw a digit first", status=422)
    answer, features = prediction(image, model=model.classifier)
    general = answer
    if options["writer"] is not None:
        answer = adapted_answer(answer, features, model.classifier, options["writer"], options["writer_key"])
    if options["compare"]:
        answer["compare"] = comparison(image, model.name, general)
    if options["explain"]:
        answer["explanation"] = explanation(model, image, general)
    if steps is not None:
        answer["steps"] = preprocessing_steps(steps)
    return jsonify(answer)


@bp.get("/models")
def models():
    return jsonify([model.summary() for model in served_models()])


@bp.get("/health")
def health():
    """Ready when the model is loaded and the database answers; 503 saying which is wrong otherwise."""
    model = default_model().classifier.load().name
    try:
        check()
    except DatabaseUnavailable as error:
        return jsonify(status="unavailable", model=model, database="unreachable", error=str(error)), 503
    return jsonify(status="ok", model=model, database="ok")


@bp.get("/model")
def model_card():
    classifier = default_model().classifier
    card = classifier.card
    summary = {field: card[field] for field in CARD_FIELDS if field in card}
    summary["name"] = classifier.name
    summary["runtime"] = classifier.runtime
    if "mnist_test" in card:
        summary["test_accuracy"] = card["mnist_test"]["accuracy"]
    return jsonify(summary)
