"""How much a request may send: bodies over the limit are refused from their declared length, before any is read."""

from flask import request

from webapp.web.errors import InputError

MAX_BODY = 8 * 1024 * 1024


def waitress_body_limit(app):
    """waitress's ``max_request_body_size`` for the app's limit (waitress refuses a body of that size or more)."""
    return app.config["MAX_CONTENT_LENGTH"] + 1


def init_app(app):
    @app.before_request
    def refuse_oversized_body():
        limit = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            raise InputError(f"the request body is over {limit // (1024 * 1024)} MB", status=413)
