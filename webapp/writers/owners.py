"""Who may use a writer's name: whoever holds the secret key its first save was answered with.

The key travels as the field ``writer_key`` or the header ``X-Writer-Key``; only
its SHA-256 is stored, and it is compared in constant time. A name nobody has
claimed and a name with a wrong key are treated alike wherever an answer could
tell them apart.
"""

import hashlib
import hmac
import secrets

from flask import request

from webapp.storage import writers
from webapp.storage.connections import transaction
from webapp.web.errors import InputError
from webapp.writers.names import skeleton

KEY_HEADER = "X-Writer-Key"
KEY_FIELD = "writer_key"
LONGEST_KEY = 200
NO_ONES_HASH = hashlib.sha256(b"no writer has this name").hexdigest()
"""Compared with when a name has no writer, so that an unused name costs the same as a wrong key."""


def given_key(fields=None):
    """The writer key a request carries in ``fields`` (its JSON object or form) or its header; None without."""
    key = (fields or {}).get(KEY_FIELD, request.headers.get(KEY_HEADER))
    if key is not None and (not isinstance(key, str) or len(key) > LONGEST_KEY):
        raise InputError(f"\"{KEY_FIELD}\" must be the text the first save under the name was answered with")
    return key


def key_hash(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def holds(key, stored_hash):
    """Whether ``key`` is the one whose hash is stored, in time that does not depend on where they differ."""
    return hmac.compare_digest(key_hash(key or ""), stored_hash) and key is not None


def owner(db, name, key):
    """The writer's name as stored when ``key`` is theirs; None for a wrong key or a name nobody holds."""
    found = writers.find(db, skeleton(name))
    name_held, stored_hash = found or (None, NO_ONES_HASH)
    return name_held if holds(key, stored_hash) and found else None


def keyed_writer(name, key):
    """:func:`owner` in a transaction of its own: whose drawings an adapted answer may use."""
    with transaction(write=False) as db:
        return owner(db, name, key)


class NameTaken(InputError):
    """A save under a name someone else holds, without their key."""

    def __init__(self, name):
        super().__init__(f"the name {name} is taken: save under it with its writer key, or choose another name",
                         status=403)


def writer_for_saving(db, name, key):
    """(the name to save under, the new key when this save created the writer, else None).

    A name nobody holds is claimed by this save; a name someone holds needs their key, else a 403.
    """
    shape = skeleton(name)
    found = writers.find(db, shape)
    if found is None:
        new_key = secrets.token_urlsafe(24)
        if writers.claim(db, shape, name, key_hash(new_key)):
            return name, new_key
        found = writers.find(db, shape)
    name_held, stored_hash = found
    if not holds(key, stored_hash):
        raise NameTaken(name)
    return name_held, None


def room_writer(name, key):
    """(whose a room drawing sent under ``name`` is, the new key when it created the writer) in a transaction of
    its own: like a save, except that a name held by someone else is not refused; the drawing is nobody's."""
    try:
        with transaction() as db:
            return writer_for_saving(db, name, key)
    except NameTaken:
        return None, None
