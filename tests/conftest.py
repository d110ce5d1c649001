import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from training.data import load_drawings  # noqa: E402
from webapp import DEFAULT_MODEL, create_app  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
MNIST_PATH = SHARED / "mnist.npz"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app with the model that ships, loaded once for the whole run, saving samples to a scratch file."""
    samples_db = tmp_path_factory.mktemp("samples") / "samples.sqlite3"
    return create_app({"TESTING": True, "MODEL": str(DEFAULT_MODEL), "SAMPLES_DB": str(samples_db)})


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
