"""Rooms for live demos: an audience draws on their phones, and projector walls show every drawing live.

Walls follow ``GET /api/rooms/CODE/events``, a server-sent event stream that
replays the room's events (see :mod:`webapp.room_store`) after the one named
by ``Last-Event-ID``. A stream looks for new events as soon as a drawing is
accepted in this process and at least every ``POLL_SECONDS`` otherwise, which
is how it sees drawings that other workers and hosts took; it ends after
``ROOM_STREAM_SECONDS`` and the browser reconnects where it left off, so a
stream never holds a request thread for long.
"""

import threading
import time

from flask import Blueprint, Response, abort, current_app, jsonify, request, stream_with_context

from webapp import room_store, samples
from webapp.access import admin_only, refuse_cross_site_writes
from webapp.answers import prediction
from webapp.decode import json_object
from webapp.drawings import sent_drawing
from webapp.errors import InputError
from webapp.ratelimit import RateLimit

bp = Blueprint("rooms", __name__, url_prefix="/api/rooms")
bp.before_request(refuse_cross_site_writes)

PER_CLIENT = (1.0, 5)
"""Drawings a second one phone may send, and in a burst."""
PER_ADDRESS = (60.0, 120)
"""The same for one address, which a whole class behind one router may share."""
POLL_SECONDS = 0.25
KEEP_ALIVE_SECONDS = 15


@bp.post("")
@admin_only
def create():
    code = room_store.create()
    return jsonify(room=code, **room_store.links(code)), 201


@bp.delete("/<code>")
@admin_only
def close(code):
    if not room_store.close(known(code)):
        abort(404, description=f"room {code} is not open")
    news().wake()
    return "", 204


@bp.post("/<code>/drawings")
def send(code):
    code = known(code)
    wait_for_turn()
    drawing = sent_drawing(json_object(request), label_required=False)
    answer = prediction(drawing.image, drawing.input_png, writer=drawing.writer)
    sample_id = room_store.add_drawing(code, answer, drawing.label, drawing.writer, drawing.picture_png,
                                       drawing.input_png, drawing.strokes)
    if sample_id is None:
        abort(404, description=f"room {code} is closed")
    news().wake()
    return jsonify(id=sample_id, digit=answer["digit"], confidence=answer["confidence"]), 201


@bp.delete("/<code>/drawings/<int:sample_id>")
@admin_only
def hide(code, sample_id):
    if not room_store.hide(known(code, must_be_open=False), sample_id):
        abort(404, description=f"room {code} has no drawing {sample_id}")
    news().wake()
    return "", 204


@bp.get("/<code>/events")
def events(code):
    code = known(code, must_be_open=False)
    after = last_event_id()
    return Response(stream_with_context(event_stream(code, after)), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def known(code, must_be_open=True):
    """The room's code (any case); a 404 unless the room exists (and is open)."""
    found = room_store.find(code)
    if found is None or (must_be_open and not found[1]):
        abort(404, description=f"there is no {'open ' if must_be_open else ''}room {code.upper()}")
    return found[0]


def wait_for_turn():
    """A 429 with Retry-After when this phone, or its address, sends faster than a person draws."""
    address = request.remote_addr or ""
    phone = request.headers.get("X-Client-Id", "")[:64]
    per_client, per_address = current_app.extensions["room_limits"]
    wait = per_address.wait_needed(address) or per_client.wait_needed((address, phone))
    if wait:
        raise InputError(f"too many drawings: wait {wait} s", status=429, headers={"Retry-After": str(wait)})


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
        rows = room_store.events_after(code, after)
        samples.close_connection()
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


class News:
    """Wakes this process's streams when something happened in a room, instead of at their next poll."""

    def __init__(self):
        self.count = 0
        self._condition = threading.Condition()

    def wake(self):
        with self._condition:
            self.count += 1
            self._condition.notify_all()

    def wait(self, seen, seconds):
        """Wait until something happens after ``seen`` or ``seconds`` pass; the new count."""
        with self._condition:
            self._condition.wait_for(lambda: self.count != seen, timeout=seconds)
            return self.count


def news():
    return current_app.extensions["room_news"]


def init_app(app):
    app.extensions["room_news"] = News()
    app.extensions["room_limits"] = (RateLimit(*PER_CLIENT), RateLimit(*PER_ADDRESS))
