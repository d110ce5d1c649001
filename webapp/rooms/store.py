"""Rooms in the database: which are open, the drawings sent to them, and everything that happened, in order.

Each room's history is a list of events with increasing ids: ``drawing`` (a
drawing was accepted, with the model's answer), ``hide`` (the presenter took
one off the wall), ``prompt`` (the presenter asked everyone to draw a digit) and ``closed``. A wall replays the events after the last one
it saw, which is how a reconnecting wall catches up and how every worker and
host sees every drawing: the events live in the shared database.

Hiding a drawing, or its writer's "Forget me", deletes the drawing's event: a
replay then carries only the ``hide``, never the picture or the name.
"""

import json
import secrets

from webapp.storage import samples
from webapp.storage.connections import now, row_lock, run, transaction

ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
"""Letters and digits that cannot be mistaken for one another when read aloud or off a screen."""
CODE_LENGTH = 6


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def find(code):
    """(the room's code as stored, whether it is open) for a code typed in any case; None for no such room."""
    code = code.upper()
    if len(code) != CODE_LENGTH or not all(character in ALPHABET for character in code):
        return None
    with transaction(write=False) as db:
        row = run(db, "SELECT closed_at FROM rooms WHERE code = ?", (code,)).fetchone()
    return None if row is None else (code, row["closed_at"] is None)


def create():
    """A new open room's code."""
    while True:
        code = new_code()
        with transaction() as db:
            if run(db, "SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone() is None:
                run(db, "INSERT INTO rooms (code, created_at) VALUES (?, ?)", (code, now()))
                return code


def add_drawing(code, answer, label, writer, image_png, input_png, strokes):
    """Save a drawing sent to an open room and its event in one transaction; its sample id, or None if the room
    is unknown or closed."""
    with transaction() as db:
        if not _open_for_writing(db, code):
            return None
        sample_id = samples.insert(db, label, answer["digit"], answer["probabilities"], answer["model"], image_png,
                                   input_png, strokes, writer, room=code)
        event = {"id": sample_id, "label": label, "writer": writer,
                 **{key: answer[key] for key in ("digit", "confidence", "probabilities", "not_a_digit", "input")}}
        _add_event(db, code, "drawing", event)
    return sample_id


def hide(code, sample_id):
    """Take a drawing off the room's wall (it stays saved, but its event goes); False when the room has no such
    drawing."""
    with transaction() as db:
        if run(db, "SELECT 1 FROM samples WHERE id = ? AND room = ?", (sample_id, code)).fetchone() is None:
            return False
        _hide(db, code, sample_id)
    return True


def forget_writer_in_rooms(db, writer):
    """Take every room drawing by ``writer`` off its walls and out of its room's events, in the caller's
    transaction (the one that deletes the writer's drawings, before it does)."""
    rows = run(db, "SELECT id, room FROM samples WHERE writer = ? AND room IS NOT NULL", (writer,)).fetchall()
    for row in rows:
        _hide(db, row["room"], row["id"])


def _hide(db, code, sample_id):
    run(db, "DELETE FROM room_events WHERE room = ? AND kind = 'drawing' AND data LIKE ?",
        (code, _drawing_event_start(sample_id)))
    _add_event(db, code, "hide", {"id": sample_id})


def _drawing_event_start(sample_id):
    """How the stored event of drawing ``sample_id`` begins: ``json.dumps`` writes its ``id`` first."""
    return json.dumps({"id": sample_id})[:-1] + ",%"


def set_prompt(code, digit):
    """Ask everyone in an open room to draw ``digit`` (None: anything); False when the room is not open."""
    with transaction() as db:
        if not _open_for_writing(db, code):
            return False
        _add_event(db, code, "prompt", {"digit": digit})
    return True


def prompt(code):
    """The digit the room was last asked to draw, or None."""
    with transaction(write=False) as db:
        row = run(db, "SELECT data FROM room_events WHERE room = ? AND kind = 'prompt' ORDER BY id DESC LIMIT 1",
                  (code,)).fetchone()
    return None if row is None else json.loads(row["data"])["digit"]


def close(code):
    """Close an open room: it takes no more drawings and its walls are told; False when it was not open."""
    with transaction() as db:
        if not _open_for_writing(db, code):
            return False
        run(db, "UPDATE rooms SET closed_at = ? WHERE code = ?", (now(), code))
        _add_event(db, code, "closed", {})
    return True


def events_after(code, last_id, limit=500):
    """The room's events after event ``last_id``, oldest first: (id, kind, data as JSON text)."""
    with transaction(write=False) as db:
        return run(db, "SELECT id, kind, data FROM room_events WHERE room = ? AND id > ? ORDER BY id LIMIT ?",
                           (code, last_id, limit)).fetchall()


def _open_for_writing(db, code):
    """Whether the room is open, holding it so (PostgreSQL: a row lock; SQLite's write lock holds everything)."""
    row = run(db, f"SELECT closed_at FROM rooms WHERE code = ?{row_lock()}", (code,)).fetchone()
    return row is not None and row["closed_at"] is None


def _add_event(db, code, kind, data):
    run(db, "INSERT INTO room_events (room, kind, data) VALUES (?, ?, ?)", (code, kind, json.dumps(data)))
