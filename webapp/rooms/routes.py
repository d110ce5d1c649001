"""Rooms for live demos: an audience draws on their phones, and projector walls show every drawing live.

Walls follow ``GET /api/rooms/CODE/events``, a server-sent event stream that
replays the room's events (see :mod:`webapp.rooms.store`) after the one named
by ``Last-Event-ID``. A stream looks for new events as soon as a drawing is
accepted in this process and at least every ``POLL_SECONDS`` otherwise, which
is how it sees drawings that other workers and hosts took; it ends after
``ROOM_STREAM_SECONDS`` and the browser reconnects where it left off, so a
stream never holds a request thread for long.
"""

import time

from flask import Blueprint, Response, abort, current_app, jsonify, request

from webapp.lab.drawings import sent_drawing
from webapp.predicting.answers import prediction
from webapp.predicting.served import default_model
from webapp.rooms import store
from webapp.rooms.links import links
from webapp.rooms.news import ROOM_NEWS, News, news
from webapp.storage import limits
from webapp.storage.connections import close_connection
from webapp.storage.samples import MAX_ID
from webapp.web.access import admin_only, refuse_cross_site_writes
from webapp.web.errors import InputError
from webapp.web.parsing import json_object
from webapp.web.streams import error_event, streamed
from webapp.writers.adapting import adapted_answer

bp = Blueprint("rooms", __name__, url_prefix="/api/rooms")
bp.before_request(refuse_cross_site_writes)

POLL_SECONDS = 0.25
KEEP_ALIVE_SECONDS = 15


@bp.post("")
@admin_only
def create():
    code = store.create()
    return jsonify(room=code, **links(code)), 201


@bp.delete("/<code>")
@admin_only
def close(code):
    if not store.close(known(code)):
        abort(404, description=f"room {code} is not open")
    news().wake()
    return "", 204


@bp.post("/<code>/drawings")
def send(code):
    code = known(code)
    wait_for_turn()
    drawing = sent_drawing(json_object(), label_required=False)
    classifier = default_model().classifier
    answer, features = prediction(drawing.image, drawing.input_png, classifier)
    if drawing.writer is not None:
        answer = adapted_answer(answer, features, classifier, drawing.writer)
    sample_id = store.add_drawing(code, answer, drawing.label, drawing.writer, drawing.picture_png,
                                       drawing.input_png, drawing.strokes)
    if sample_id is None:
        abort(404, description=f"room {code} is closed")
    news().wake()
    return jsonify(id=sample_id, digit=answer["digit"], confidence=answer["confidence"]), 201


@bp.delete(f"/<code>/drawings/<int(min=1, max={MAX_ID}):sample_id>")
@admin_only
def hide(code, sample_id):
    if not store.hide(known(code, must_be_open=False), sample_id):
        abort(404, description=f"room {code} has no drawing {sample_id}")
    news().wake()
    return "", 204


@bp.get("/<code>/events")
def events(code):
    code = known(code, must_be_open=False)
    after = last_event_id()
    return Response(streamed(event_stream(code, after), error_event), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def known(code, must_be_open=True):
    """The room's code (any case); a 404 unless the room exists (and is open)."""
    found = limits.look_up(limits.ROOM_CODE_MISSES, store.find, code)
    if found is None or (must_be_open and not found[1]):
        abort(404, description=f"there is no {'open ' if must_be_open else ''}room {code.upper()}")
    return found[0]


def wait_for_turn():
    """A 429 with Retry-After when this phone, or its address, sends faster than a person draws."""
    limits.take(limits.ROOM_SENDS)
    limits.take(limits.PHONE_SENDS, key=request.headers.get("X-Client-Id", "")[:64])


def last_event_id():
    text = request.headers.get("Last-Event-ID", request.args.get("after", "0"))
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise InputError("Last-Event-ID must be a whole number")
    return int(text)


def event_stream(code, after):
    """Server-sent events: every event of the room after ``after``, then new ones as they come."""
    yield "retry: 1000\n\n"
    seen = news().count
    deadline = time.monotonic() + current_app.config["ROOM_STREAM_SECONDS"]
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        rows = store.events_after(code, after)
        close_connection()
        for row in rows:
            after = row["id"]
            yield f"id: {row['id']}\nevent: {row['kind']}\ndata: {row['data']}\n\n"
            if row["kind"] == "closed":
                return
        if rows:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        seen = news().wait(seen, POLL_SECONDS)


def init_app(app):
    ROOM_NEWS.init(app, News())
