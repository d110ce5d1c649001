"""The writers who saved drawings under a name: who they are, and forgetting one of them."""

from flask import Blueprint, jsonify, request

from webapp.rooms.news import news
from webapp.rooms.store import forget_writer_in_rooms
from webapp.storage import samples, writers
from webapp.storage.connections import transaction
from webapp.web.access import admin_only, refuse_cross_site_writes
from webapp.web.errors import InputError
from webapp.writers.names import skeleton, valid_writer
from webapp.writers.owners import given_key, owner

bp = Blueprint("writers", __name__, url_prefix="/api/writers")

bp.before_request(refuse_cross_site_writes)


@bp.get("")
@admin_only
def listing():
    return jsonify(samples.writers())


@bp.delete("/<path:name>")
def forget(name):
    """The page's "Forget me": every drawing saved under the name, its place in rooms' event logs, and the name
    itself, for its key only.

    A wrong key and a name nobody holds get the same 403, so that this does not tell whether a name is used.
    """
    key = given_key(request.get_json(silent=True) if request.is_json else None)
    with transaction() as db:
        writer = owner(db, valid_writer(name), key)
        if writer is None:
            raise InputError("only the writer can forget a name: send its writer key", status=403)
        forget_writer_in_rooms(db, writer)
        forgotten = samples.delete_writer_in(db, writer)
        writers.forget(db, skeleton(writer))
    news().wake()
    return jsonify(forgotten=forgotten), 200
