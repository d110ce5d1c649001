"""The app's HTTP errors: JSON answers, and a request id that ties a server error's log line to its response."""

import uuid

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException


class InputError(Exception):
    """A request the app cannot or will not serve; ``status`` is the HTTP code to answer with."""

    def __init__(self, message, status=400, headers=None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def init_app(app):
    @app.before_request
    def assign_request_id():
        g.request_id = uuid.uuid4().hex[:16]

    @app.after_request
    def expose_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.errorhandler(InputError)
    def bad_input(error):
        return jsonify(error=str(error)), error.status, error.headers

    @app.errorhandler(HTTPException)
    def http_error(error):
        if not request.path.startswith("/api/"):
            return error
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return jsonify(error=error.description), error.code, headers

    @app.errorhandler(Exception)
    def unexpected(error):
        request_id = g.get("request_id", "")
        app.logger.exception("request %s: unhandled error on %s %s", request_id, request.method, request.path)
        return jsonify(error="internal server error", request_id=request_id), 500


def answer_unavailable(app, exception_type, public_message=None):
    """Answer an exception (a model or database that cannot serve) with a 503.

    The detail is logged under the request id; with ``public_message`` the client
    gets only that, so that a stranger learns no file path, host or port.
    """
    def cannot_serve(error):
        request_id = g.get("request_id", "")
        app.logger.error("request %s: %s", request_id, error)
        return jsonify(error=public_message or str(error), request_id=request_id), 503

    app.register_error_handler(exception_type, cannot_serve)
