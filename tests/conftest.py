import itertools
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.postgres import binaries, new_database, throwaway_postgres  # noqa: E402
from recognition.model_files import DEFAULT_MODEL  # noqa: E402
from tests.helpers import fresh_app  # noqa: E402
from training.data import load_drawings  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.storage import connections  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
MNIST_PATH = SHARED / "mnist.npz"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app with the model that ships, loaded once for the whole run, saving samples to a scratch file.

    Its rate limits' clock moves an hour at every look, so that the many tests sharing it from one address
    never run into a limit (tests/test_limits.py is about them).
    """
    samples_db = tmp_path_factory.mktemp("samples") / "samples.sqlite3"
    an_hour_at_every_look = itertools.count(step=3600.0)
    return create_app({"TESTING": True, "MODEL": str(DEFAULT_MODEL), "SAMPLES_DB": str(samples_db),
                       "RATE_LIMIT_CLOCK": lambda: next(an_hour_at_every_look)})


@pytest.fixture(scope="session")
def mnist_test():
    if not MNIST_PATH.exists():
        pytest.skip(f"MNIST is not at {MNIST_PATH}")
    with np.load(MNIST_PATH) as data:
        return data["x_test"], data["y_test"]


@pytest.fixture(scope="session")
def pendigits():
    """The pen-drawn digits that ship with the project."""
    return load_drawings()


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the whole run (scripts/test installs PostgreSQL when it can)."""
    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; scripts/test installs it with apt-get")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_app(request, tmp_path):
    """An app with the shipped model whose drawings go to a new, empty database of each kind."""
    settings = {}
    if request.param == "postgresql":
        settings["DATABASE_URL"] = new_database(request.getfixturevalue("postgres_server"))
    app = fresh_app(tmp_path, **settings)
    yield app
    database = connections.database(app)
    if hasattr(database, "close"):
        database.close()
