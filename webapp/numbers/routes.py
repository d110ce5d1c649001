"""``POST /api/read``: the number written in a picture, digit by digit, left to right."""

from flask import Blueprint, jsonify, request

from recognition.numbers import NumberTooLong, read_number
from webapp.numbers.answers import number_answer
from webapp.predicting.served import default_model
from webapp.web.errors import InputError
from webapp.web.parsing import json_object, valid_strokes
from webapp.web.pictures import sent_picture

bp = Blueprint("numbers", __name__, url_prefix="/api")


@bp.post("/read")
def read():
    """The picture comes as /api/predict takes it; strokes, when given, help part the digits."""
    strokes = sent_strokes()
    picture, size = sent_picture(request)
    classifier = default_model().classifier
    try:
        parts = read_number(picture, strokes, classify=classifier.probabilities_batch, size=size)
    except NumberTooLong as error:
        raise InputError(f"too much to read at once: {error}", status=413) from None
    if not parts:
        raise InputError("the image is empty: write a number first", status=422)
    return jsonify(number_answer(parts, classifier))


def sent_strokes():
    """The checked ``strokes`` of a JSON request, or None (other requests carry only a picture)."""
    if request.mimetype != "application/json":
        return None
    strokes = json_object(request).get("strokes")
    return None if strokes is None else valid_strokes(strokes)
