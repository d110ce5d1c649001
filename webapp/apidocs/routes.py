"""``/api/openapi.json``, the API's OpenAPI description, and ``/api/docs``, the page that shows it."""

from flask import Blueprint, jsonify, render_template

from webapp.apidocs.description import description
from webapp.predicting.served import default_model

bp = Blueprint("apidocs", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi():
    return jsonify(description())


@bp.get("/docs")
def docs():
    return render_template("api_docs.html", model_name=default_model().name)
