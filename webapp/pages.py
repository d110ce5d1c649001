"""The pages: drawing, test sessions, saved drawings."""

from flask import Blueprint, current_app, render_template

from webapp.pad import PAD_SIZE, PEN_WIDTH

bp = Blueprint("pages", __name__)


def page(template):
    return render_template(template, pad_size=PAD_SIZE, pen_width=PEN_WIDTH,
                           model_name=current_app.extensions["classifier"].name)


@bp.get("/")
def index():
    return page("index.html")


@bp.get("/session")
def session():
    return page("session.html")


@bp.get("/samples")
def saved():
    return page("samples.html")
