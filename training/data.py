"""Load MNIST from a Keras-style .npz, a folder of idx files, or Keras's downloader; render drawn digits."""

import gzip
import hashlib
import json
import os
import struct
import urllib.request
from pathlib import Path

import numpy as np

from recognition.model_files import PROJECT_ROOT

DRAWINGS = PROJECT_ROOT / "data" / "pendigits" / "strokes.json.gz"
"""The 7,494 pen-drawn digits by 30 writers that ship with the project (see data/pendigits/README.md)."""

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


class DataError(Exception):
    """Data that is missing, unreadable or of the wrong shape; the message names the problem."""


def load_mnist(path=None):
    """MNIST from a file or folder (downloaded when ``path`` is None) as uint8 arrays checked for shape:
    ``{"x_train", "y_train", "x_test", "y_test"}``."""
    if path is None:
        arrays = _download_mnist()
    else:
        path = Path(path)
        if not path.exists():
            raise DataError(f"no such file or folder: {path}")
        arrays = _load_idx_folder(path) if path.is_dir() else _load_npz(path)
    return _checked(arrays)


def _download_mnist():
    """MNIST from the address Keras uses, kept in Keras's cache folder and checked against its known digest."""
    cache = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets" / "mnist.npz"
    if not cache.is_file() or sha256_of(cache) != MNIST_SHA256:
        cache.parent.mkdir(parents=True, exist_ok=True)
        try:
            with urllib.request.urlopen(MNIST_URL, timeout=60) as response:
                content = response.read()
        except (OSError, ValueError) as error:
            raise DataError(f"cannot download MNIST ({getattr(error, 'reason', error)}); "
                            "give a local copy with --data") from None
        if hashlib.sha256(content).hexdigest() != MNIST_SHA256:
            raise DataError(f"the MNIST download from {MNIST_URL} is damaged; try again or use --data")
        cache.write_bytes(content)
    return _load_npz(cache)


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [key for key in IDX_FILES if key not in data]
            if missing:
                raise DataError(f"{path} lacks the arrays {', '.join(missing)}")
            return {key: data[key] for key in IDX_FILES}
    except DataError:
        raise
    except Exception as error:
        raise DataError(f"cannot read {path} as a .npz file: {error}") from None


def _load_idx_folder(folder):
    arrays = {}
    for key, stem in IDX_FILES.items():
        candidates = [folder / stem, folder / f"{stem}.gz"]
        found = next((p for p in candidates if p.exists()), None)
        if found is None:
            raise DataError(f"{folder} has neither {stem} nor {stem}.gz")
        arrays[key] = read_idx(found)
    return arrays


def read_idx(path):
    """Read one idx file (plain or gzip) into a numpy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            content = stream.read()
        zero, dtype_code, dims = struct.unpack(">HBB", content[:4])
        if zero != 0 or dtype_code != 0x08:
            raise ValueError("not an unsigned-byte idx file")
        shape = struct.unpack(f">{dims}I", content[4:4 + 4 * dims])
        return np.frombuffer(content, np.uint8, offset=4 + 4 * dims).reshape(shape)
    except Exception as error:
        raise DataError(f"cannot read {path} as an idx file: {error}") from None


def _checked(arrays):
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DataError(f"x_{split} has shape {images.shape}, expected (N, 28, 28)")
        if labels.shape != (len(images),):
            raise DataError(f"y_{split} has shape {labels.shape}, expected ({len(images)},)")
        if len(images) == 0:
            raise DataError(f"x_{split} is empty")
        if labels.min() < 0 or labels.max() > 9:
            raise DataError(f"y_{split} holds labels outside 0-9")
    return {key: np.asarray(value, np.uint8) for key, value in arrays.items()}


def sha256_of(path):
    """Hex digest of a file, or of every file in a folder in name order."""
    path = Path(path)
    digest = hashlib.sha256()
    for file in sorted(path.iterdir()) if path.is_dir() else [path]:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def load_drawings(path=DRAWINGS):
    """Records ``{"label", "writer", "strokes"}`` from a pen-stroke JSON file, plain or gzipped."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as stream:
            records = json.loads(stream.read())
        for record in records:
            if not (0 <= int(record["label"]) <= 9) or not record["strokes"]:
                raise ValueError("a record needs a label 0-9 and at least one stroke")
        return records
    except OSError as error:
        raise DataError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise DataError(f"{path} is not a pen-stroke JSON list: {error}") from None


def as_input(images):
    """uint8 or float images (N, 28, 28) as the model's float32 (N, 28, 28, 1) in [0, 1]."""
    images = np.asarray(images)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    return (images.astype(np.float32) / scale)[..., None]


def writer_set(text):
    """Writers named like ``19-20`` or ``3,7,21-30`` (empty or ``none``: no writers) as a set of ints."""
    writers = set()
    for part in filter(None, text.split(",")):
        if part == "none":
            continue
        low, _, high = part.partition("-")
        writers.update(range(int(low), int(high or low) + 1))
    return writers


def split_writers(drawings, val_writers, test_writers):
    """Records by role: ``{"train", "val", "test"}``, by the writer who drew them."""
    roles = {"train": [], "val": [], "test": []}
    for record in drawings:
        writer = record.get("writer")
        role = "test" if writer in test_writers else "val" if writer in val_writers else "train"
        roles[role].append(record)
    return roles
