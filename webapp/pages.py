"""The pages: drawing, test sessions, saved drawings, and a room's phone page and projector wall."""

import io

from flask import Blueprint, Response, abort, current_app, render_template, request

from webapp import room_store

from webapp.pad import PAD_SIZE, PEN_WIDTH

bp = Blueprint("pages", __name__)


def page(template, **values):
    return render_template(template, pad_size=PAD_SIZE, pen_width=PEN_WIDTH,
                           model_name=current_app.extensions["classifier"].name, **values)


@bp.get("/")
def index():
    return page("index.html")


@bp.get("/session")
def session():
    return page("session.html", teach="teach" in request.args)


@bp.get("/samples")
def saved():
    return page("samples.html")


@bp.get("/room/<code>")
def room(code):
    code = room_code(code)
    return page("room.html", room=code, is_open=room_store.is_open(code))


@bp.get("/room/<code>/present")
def present(code):
    code = room_code(code)
    return page("present.html", room=code, join_url=room_store.links(code)["join_url"],
                is_open=room_store.is_open(code))


@bp.get("/room/<code>/qr.svg")
def room_qr(code):
    """The QR code of the room's phone page, made here (segno) so that no outside service sees the address."""
    import segno

    buffer = io.BytesIO()
    segno.make(room_store.links(room_code(code))["join_url"], error="m").save(buffer, kind="svg", scale=8, border=2)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})


def room_code(code):
    """The room's code (any case); 404 for a room that never existed."""
    code = code.upper()
    if not room_store.is_code(code) or not room_store.exists(code):
        abort(404)
    return code
