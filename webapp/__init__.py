"""Digit Pad: draw a digit in the browser and see what a model trained on MNIST makes of it.

The app is put together here from packages by concern: ``predicting`` (the
answer, its options and the served models), ``numbers`` (reading whole numbers), ``writers``, ``lab`` (saved
drawings), ``rooms``, ``pages``, ``apidocs`` (the API's description), ``storage`` (the database and its
migrations) and ``web`` (access, errors, limits and reading requests). What
reads digits is the Flask-free package ``recognition``.
"""

import os

from flask import Flask

from recognition.model_files import DEFAULT_MODEL, PROJECT_ROOT
from webapp.predicting.served import model_threads_from_environment, models_from_environment
from webapp.web.access import settings_from_environment
from webapp.web.body_limits import MAX_BODY


def create_app(test_config=None):
    """Build the app; ``test_config`` overrides the settings. The model is read once, on first use."""
    app = Flask(__name__, static_folder=str(PROJECT_ROOT / "static"),
                template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_mapping(
        MODEL=os.environ.get("MODEL", str(DEFAULT_MODEL)),
        MODELS=models_from_environment(),
        MODEL_THREADS=model_threads_from_environment(),
        MAX_CONTENT_LENGTH=MAX_BODY,
        SAMPLES_DB=os.environ.get("SAMPLES_DB", os.path.join(app.instance_path, "samples.sqlite3")),
        DATABASE_URL=os.environ.get("DATABASE_URL", ""),
        ROOM_STREAM_SECONDS=float(os.environ.get("ROOM_STREAM_SECONDS", 20)),
        ROOM_WAITING_STREAMS=int(os.environ.get("ROOM_WAITING_STREAMS", 256)),
        ROOM_STREAMS_PER_CLIENT=int(os.environ.get("ROOM_STREAMS_PER_CLIENT", 2)),
        **settings_from_environment(),
    )
    if test_config is not None:
        app.config.from_mapping(test_config)

    from webapp.apidocs import routes as apidocs
    from webapp.lab import export
    from webapp.lab import routes as lab
    from webapp.numbers import routes as numbers
    from webapp.pages import routes as pages
    from webapp.predicting import routes as predicting
    from webapp.predicting import served
    from webapp.rooms import routes as rooms
    from webapp.storage import connections, limits
    from webapp.web import access, body_limits, errors, pictures, security
    from webapp.writers import routes as writers

    errors.init_app(app)
    served.init_app(app)
    connections.init_app(app)
    limits.init_app(app)
    for blueprint in (pages.bp, predicting.bp, numbers.bp, lab.bp, writers.bp, rooms.bp, apidocs.bp):
        app.register_blueprint(blueprint)
    access.init_app(app)
    body_limits.init_app(app)
    pictures.init_app(app)
    security.init_app(app)
    export.init_app(app)
    rooms.init_app(app)
    return app
