"""The drawing page."""

from flask import Blueprint, render_template

from webapp.pad import PAD_SIZE, PEN_WIDTH

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("index.html", pad_size=PAD_SIZE, pen_width=PEN_WIDTH)
