"""The addresses of a room that people open, as they reach this server."""

from flask import current_app, request


def links(code):
    """The phone page (``join_url``) and the projector wall (``present_url``), under ``PUBLIC_URL`` if it is set."""
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    return {"join_url": f"{base}/room/{code}", "present_url": f"{base}/room/{code}/present"}
