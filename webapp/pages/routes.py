"""The pages: drawing, test sessions, saved drawings, a room's phone page and projector wall, and the served
models' cards."""

import io
import ipaddress
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for

from recognition.pad import NUMBER_PAD, PAD_SIZE, PEN_WIDTH
from webapp.predicting.served import default_model, served_models
from webapp.rooms import store
from webapp.rooms.links import links
from webapp.storage import limits

bp = Blueprint("pages", __name__)

PICTURES = {"confusion": "Confusion matrix on MNIST test", "curves": "Learning curves",
            "mistakes": "Misread MNIST test digits (true→read)", "reliability": "Reliability diagram on MNIST test"}
"""The pictures train.py draws beside each model, by the file name's ending."""


def page(template, **values):
    return render_template(template, pad_size=PAD_SIZE, pen_width=PEN_WIDTH,
                           model_name=default_model().name, **values)


@bp.get("/")
def index():
    return page("index.html")


@bp.get("/numbers")
def numbers():
    return page("numbers.html", number_pad=NUMBER_PAD)


@bp.get("/session")
def session():
    return page("session.html", teach="teach" in request.args)


@bp.get("/samples")
def saved():
    return page("samples.html")


@bp.get("/room")
def join():
    """Where a room's code can be typed; the form sends it back here as ``?code=``."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("pages.room", code=code.upper()[:16]))
    return page("join.html")


@bp.get("/room/<code>")
def room(code):
    found = limits.look_up(limits.ROOM_CODE_MISSES, store.find, code)
    if found is None:
        return page("join.html", unknown=code.upper()[:16]), 404
    code, is_open = found
    return page("room.html", room=code, is_open=is_open)


@bp.get("/room/<code>/present")
def present(code):
    code, is_open = existing_room(code)
    join_url = links(code)["join_url"]
    return page("present.html", room=code, join_url=join_url, is_open=is_open,
                phones_cannot_reach=is_loopback(urlsplit(join_url).hostname))


def is_loopback(host):
    """Whether ``host`` names this machine only, which no phone can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@bp.get("/room/<code>/qr.svg")
def room_qr(code):
    """The QR code of the room's phone page, made here (segno) so that no outside service sees the address."""
    import segno

    code, _ = existing_room(code)
    buffer = io.BytesIO()
    segno.make(links(code)["join_url"], error="m").save(buffer, kind="svg", scale=8, border=2)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-cache"})


def existing_room(code):
    """(code, is it open) of a room that was opened, closed or not; 404 for one that never was."""
    found = limits.look_up(limits.ROOM_CODE_MISSES, store.find, code)
    if found is None:
        abort(404)
    return found


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
