"""The pages: drawing, test sessions, saved drawings."""

from flask import Blueprint, current_app, render_template, request

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
