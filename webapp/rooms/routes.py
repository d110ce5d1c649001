"""Rooms for live demos: an audience draws on their phones, and projector walls show every drawing live.

Walls follow ``GET /api/rooms/CODE/events``, a server-sent event stream that
replays the room's events (see :mod:`webapp.rooms.store`) after the one named
by ``Last-Event-ID``. Streams must not starve the process of request threads.
A stream that gets a seat (``ROOM_WAITING_STREAMS`` in the process,
``ROOM_STREAMS_PER_CLIENT`` per client address, see :mod:`webapp.rooms.slots`;
the server adds that many request threads, so seated streams never take the
threads predictions use) stays open for at most ``ROOM_STREAM_SECONDS`` and
sends drawings as they come. Every other stream is a short poll: it sends what
is new and ends, and the browser asks again ``POLL_RETRY_MS`` later from the
last event it saw. So a class's walls get drawings at once, and hundreds of
walls poll instead of holding threads; walls asking for the same events share
one read (:mod:`webapp.rooms.shared_reads`). Seated streams are told together of
the drawings this process accepts, at most every ``NEWS_TICK_SECONDS``
(:mod:`webapp.rooms.news`), and look together every ``POLL_SECONDS``, which is
how they see drawings that other workers and hosts took. A quiet seated stream
writes a comment every ``KEEP_ALIVE_SECONDS``, which is how the server notices
that its wall went away and gives the seat back.
"""

import time
from functools import partial

from flask import Blueprint, Response, abort, current_app, jsonify, request

from webapp.lab.drawings import sent_drawing
from webapp.predicting.answers import prediction
from webapp.predicting.served import default_model
from webapp.rooms import store
from webapp.rooms.links import links
from webapp.rooms.news import ROOM_NEWS, News, news
from webapp.rooms.shared_reads import ROOM_READS, SharedReads, shared_reads
from webapp.rooms.slots import STREAM_SLOTS, Slots
from webapp.storage import limits
from webapp.storage.samples import MAX_ID
from webapp.web.access import admin_only, refuse_cross_site_writes
from webapp.web.errors import InputError
from webapp.web.parsing import json_object
from webapp.web.streams import error_event, streamed
from webapp.writers.adapting import adapted_answer
from webapp.writers.owners import given_key, room_writer

bp = Blueprint("rooms", __name__, url_prefix="/api/rooms")
bp.before_request(refuse_cross_site_writes)

POLL_SECONDS = 0.25
KEEP_ALIVE_SECONDS = 1
"""How long a seated stream stays silent at most. The server learns that a wall went away only when it writes to
it, so a quiet stream writes a comment this often: its seat comes back within a second or two of its wall leaving,
not at the stream's end (ROOM_STREAM_SECONDS). A few seats writing a dozen bytes a second cost nothing."""
POLL_RETRY_MS = 750
"""When a wall asks again after a stream that did not wait: sooner would cost more requests, later would let a
drawing take over a second to reach the wall."""
RESUME_RETRY_MS = 100
NEWS_TICK_SECONDS = 0.25
"""Seated streams are told of a busy room's drawings together, at most this often (see :mod:`webapp.rooms.news`)."""
SHARED_READ_SECONDS = 0.2
"""How long walls share one read of a room while nothing happens in this process (see
:mod:`webapp.rooms.shared_reads`): what other workers wrote reaches walls this much later at most."""


@bp.post("")
@admin_only
def create():
    code = store.create()
    return jsonify(room=code, **links(code)), 201


@bp.get("/<code>")
def status(code):
    """Whether the room is open: phones ask now and then, so that Send stops as soon as the room closes."""
    code, is_open = existing(code)
    return jsonify(room=code, open=is_open, prompt=shared_reads().get(("prompt", code), lambda: store.prompt(code)))


@bp.put("/<code>/prompt")
@admin_only
def set_prompt(code):
    """``{"digit": 0-9}`` asks everyone to draw that digit (phones send it as their label); ``null`` stops."""
    digit = json_object().get("digit")
    if digit is not None and (type(digit) is not int or not 0 <= digit <= 9):
        raise InputError("digit must be a whole number from 0 to 9, or null")
    if not store.set_prompt(known(code), digit):
        abort(404, description=f"room {code} is not open")
    news().wake()
    return "", 204


@bp.delete("/<code>")
@admin_only
def close(code):
    if not store.close(known(code)):
        abort(404, description=f"room {code} is not open")
    news().wake()
    return "", 204


@bp.post("/<code>/drawings")
def send(code):
    """A phone's drawing for the wall; it is saved as a writer's, and read adapted to them, only with their key.

    Like a save, the first drawing under a name nobody holds creates the writer and is answered with the key;
    under a name someone else holds it is taken, but as nobody's (a demo is not stopped by a name clash).
    """
    code = known(code)
    wait_for_turn()
    payload = json_object()
    drawing = sent_drawing(payload, label_required=False)
    key = given_key(payload)
    classifier = default_model().classifier
    answer, features = prediction(drawing.image, drawing.input_png, classifier)
    writer, new_key = (None, None) if drawing.writer is None else room_writer(drawing.writer, key)
    if writer is not None:
        answer = adapted_answer(answer, features, classifier, writer, key)
    sample_id = store.add_drawing(code, answer, drawing.label, writer, drawing.picture_png,
                                       drawing.input_png, drawing.strokes)
    if sample_id is None:
        abort(404, description=f"room {code} is closed")
    news().wake()
    sent = {"id": sample_id, "digit": answer["digit"], "confidence": answer["confidence"],
            "not_a_digit": answer["not_a_digit"]}
    if new_key is not None:
        sent["writer_key"] = new_key
    return jsonify(sent), 201


@bp.delete(f"/<code>/drawings/<int(min=1, max={MAX_ID}):sample_id>")
@admin_only
def hide(code, sample_id):
    if not store.hide(known(code, must_be_open=False), sample_id):
        abort(404, description=f"room {code} has no drawing {sample_id}")
    news().wake()
    return "", 204


@bp.get("/<code>/events")
def events(code):
    code, is_open = existing(code)
    after = last_event_id()
    client = request.remote_addr or ""
    config = current_app.config
    slots = STREAM_SLOTS.get()
    seated = is_open and slots.take(client, config["ROOM_WAITING_STREAMS"], config["ROOM_STREAMS_PER_CLIENT"])
    try:
        body = streamed(event_stream(code, after, is_open, seated), error_event)
    except BaseException:
        if seated:
            slots.give_back(client)
        raise
    response = Response(body, mimetype="text/event-stream", headers={"Cache-Control": "no-store",
                                                                     "X-Accel-Buffering": "no"})
    if seated:
        response.call_on_close(lambda: slots.give_back(client))
    return response


def existing(code):
    """(the room's code, whether it is open) for a code in any case; a 404 for no such room, counted against
    the address's guesses."""
    found = limits.look_up(limits.ROOM_CODE_MISSES, shared_find, code)
    if found is None:
        abort(404, description=f"there is no room {code.upper()}")
    return found


def shared_find(code):
    return shared_reads().get(("room", code.upper()), lambda: store.find(code))


def known(code, must_be_open=True):
    """The room's code (any case); a 404 unless the room exists (and is open)."""
    code, is_open = existing(code)
    if must_be_open and not is_open:
        abort(404, description=f"there is no open room {code}")
    return code


def wait_for_turn():
    """A 429 with Retry-After when this phone, or its address, sends faster than a person draws."""
    limits.take_all(limits.Spend(limits.ROOM_SENDS),
                    limits.Spend(limits.PHONE_SENDS, key=request.headers.get("X-Client-Id", "")[:64]))


def last_event_id():
    text = request.headers.get("Last-Event-ID", request.args.get("after", "0"))
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise InputError("Last-Event-ID must be a whole number")
    return int(text)


def event_stream(code, after, is_open, seated):
    """Server-sent events: the room's events after ``after``; a ``seated`` stream then goes on with new ones as
    they come, for at most ``ROOM_STREAM_SECONDS``. A closed room's stream always ends with ``closed``.

    What one look at the database finds is sent as one chunk, the first with the ``retry`` before it: a wall
    that has missed a busy second gets dozens of events, and each chunk costs the server as much as an event.
    Walls asking after the same event are sent the same chunk, made once.
    """
    pending = f"retry: {RESUME_RETRY_MS if seated else POLL_RETRY_MS}\n\n".encode()
    told, news_seen, asked_at = news().told, news().count, time.monotonic()
    deadline = time.monotonic() + (current_app.config["ROOM_STREAM_SECONDS"] if seated else 0)
    quiet_since = time.monotonic()
    while True:
        chunk, after, ended = shared_reads().get(("events", code, after, is_open),
                                                 partial(events_after, code, after, is_open), news_seen, asked_at)
        if pending or chunk:
            yield pending + chunk
            pending = b""
        if ended or time.monotonic() >= deadline:
            return
        if chunk:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
            yield b": still here\n\n"
            quiet_since = time.monotonic()
        told, asked_at = news().wait(told, POLL_SECONDS)
        news_seen = told


def events_after(code, after, is_open):
    """(the room's events after ``after`` as server-sent events in UTF-8, the last event's id, whether the stream
    ends): it ends at a ``closed`` event, and a closed room's stream ends with one."""
    events = []
    for row in store.events_after(code, after):
        after = row["id"]
        events.append(f"id: {row['id']}\nevent: {row['kind']}\ndata: {row['data']}\n\n")
        if row["kind"] == "closed":
            return "".join(events).encode(), after, True
    if not is_open:
        events.append(f"id: {after}\nevent: closed\ndata: {{}}\n\n")
    return "".join(events).encode(), after, not is_open


def init_app(app):
    room_news = ROOM_NEWS.init(app, News(NEWS_TICK_SECONDS))
    ROOM_READS.init(app, SharedReads(room_news, SHARED_READ_SECONDS))
    STREAM_SLOTS.init(app, Slots())
