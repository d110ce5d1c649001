"""Digit Pad: draw a digit in the browser and see what a model trained on MNIST makes of it."""

import os
from pathlib import Path

from flask import Flask

from webapp.access import settings_from_environment
from webapp.limits import MAX_BODY
from webapp.served import models_from_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = PROJECT_ROOT / "models" / "digitpad-cnn.tflite"


def create_app(test_config=None):
    """Build the app; ``test_config`` overrides the settings. The model is read once, on first use."""
    app = Flask(__name__, static_folder=str(PROJECT_ROOT / "static"),
                template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_mapping(
        MODEL=os.environ.get("MODEL", str(DEFAULT_MODEL)),
        MODELS=models_from_environment(),
        MAX_CONTENT_LENGTH=MAX_BODY,
        SAMPLES_DB=os.environ.get("SAMPLES_DB", os.path.join(app.instance_path, "samples.sqlite3")),
        DATABASE_URL=os.environ.get("DATABASE_URL", ""),
        ROOM_STREAM_SECONDS=float(os.environ.get("ROOM_STREAM_SECONDS", 300)),
        **settings_from_environment(),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    from webapp import (access, api, decode, errors, export, lab, limits, pages, rooms, samples, security, served,
                        writers)

    served.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(lab.bp)
    app.register_blueprint(writers.bp)
    app.register_blueprint(rooms.bp)
    access.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    decode.init_app(app)
    security.init_app(app)
    samples.init_app(app)
    export.init_app(app)
    rooms.init_app(app)
    return app

