"""The writers who saved drawings under a name: who they are, and forgetting one of them."""

from flask import Blueprint, abort, jsonify

from webapp.rooms.store import forget_writer_in_rooms
from webapp.storage import samples
from webapp.web.access import admin_only, refuse_cross_site_writes
from webapp.writers.names import valid_writer

bp = Blueprint("writers", __name__, url_prefix="/api/writers")

bp.before_request(refuse_cross_site_writes)


@bp.get("")
@admin_only
def listing():
    return jsonify(samples.writers())


@bp.delete("/<path:name>")
def forget(name):
    """Anyone may make the app forget a name (the page's "Forget me"); writes from other sites are refused."""
    if not samples.delete_writer(valid_writer(name), first=forget_writer_in_rooms):
        abort(404, description=f"there are no drawings by {name}")
    return "", 204
