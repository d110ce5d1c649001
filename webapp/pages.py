"""The pages: drawing, test sessions, saved drawings, a room's phone page and projector wall, and the served
models' cards."""

import io

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file

from webapp import room_store
from webapp.pad import PAD_SIZE, PEN_WIDTH
from webapp.served import served_models

bp = Blueprint("pages", __name__)

PICTURES = {"confusion": "Confusion matrix on MNIST test", "curves": "Learning curves",
            "mistakes": "Misread MNIST test digits (true→read)", "reliability": "Reliability diagram on MNIST test"}
"""The pictures train.py draws beside each model, by the file name's ending."""


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


@bp.get("/model")
def model_cards():
    return page("model.html", models=served_models(), pictures=PICTURES)


@bp.get("/model/<name>/<kind>.png")
def model_picture(name, kind):
    """A picture from beside a served model; nothing else in its folder is served."""
    model = next((model for model in served_models() if model.name == name), None)
    path = model.path.with_name(f"{name}-{kind}.png") if model and kind in PICTURES else None
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/png", max_age=3600)
