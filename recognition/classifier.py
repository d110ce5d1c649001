"""The loaded model: read once when the app starts, warmed up, then called directly for each image.

For each image the model gives the ten probabilities and, when the file has
them, its features: what the last layer of each network reads. Writer
adaptation compares drawings by their features.

``train.py`` writes every model twice: ``<name>.tflite`` for LiteRT, which
the server runs without importing TensorFlow (a fraction of a millisecond per
image, a small process, a fast start), and ``<name>.keras`` for Keras. Either
file can be served. With Keras the model is called through a traced
``tf.function``, never ``model.predict()``, which builds a data pipeline on
every call and costs about 70 ms for one image.
"""

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np

from recognition.networks import networks, with_features

EXPECTED_INPUT = (28, 28, 1)
TRAIN_COMMAND = "python train.py (docs/model.md: Training your own)"


class ModelError(Exception):
    """The model file is missing, unreadable or of the wrong shape; the message says how to get a good one."""


class Classifier:
    """Ten class probabilities for 28×28 images, from a model file and the card beside it.

    The file is read on first use (or by :meth:`load`), so commands that never
    predict, such as ``flask export-samples``, work without a model.
    """

    def __init__(self, path, threads=1):
        self.path = Path(path)
        self.name = self.path.stem
        self.threads = threads
        """Threads one LiteRT call may use: more answer one request sooner, and give the same numbers."""
        self._lock = threading.Lock()
        self._run = None

    def load(self):
        """Read, check and warm up the model once; raise ModelError saying how to get a good one."""
        if self._run is not None:
            return self
        with self._lock:
            if self._run is None:
                run, self._runtime, self._card = _open_checked(self.path, self.threads)
                _, features = run(np.zeros((1, *EXPECTED_INPUT), np.float32))
                self._feature_count = 0 if features is None else features.shape[1]
                self._key = f"{self.name}:{hashlib.sha256(self.path.read_bytes()).hexdigest()[:16]}"
                self._run = run
        return self

    @property
    def feature_count(self):
        """Length of the features the model gives with its probabilities; 0 when it gives none."""
        return self.load()._feature_count

    @property
    def key(self):
        """Names this exact model file: features from another file cannot be compared with its own."""
        return self.load()._key

    @property
    def runtime(self):
        """The runtime that runs the model: LiteRT or Keras."""
        return self.load()._runtime

    @property
    def card(self):
        """The model card ``train.py`` wrote beside the model, or just its name."""
        return self.load()._card

    def probabilities(self, image):
        """Probabilities of the digits 0-9 for one 28×28 float image in [0, 1]."""
        return self.probabilities_batch(image[None])[0]

    def probabilities_batch(self, images):
        return self.outputs_batch(images)[0]

    def outputs(self, image):
        """Probabilities and features (None when the model file has no features) of one 28×28 image."""
        probabilities, features = self.outputs_batch(image[None])
        return probabilities[0], None if features is None else features[0]

    def outputs_batch(self, images):
        batch = np.asarray(images, np.float32).reshape(-1, *EXPECTED_INPUT)
        probabilities, features = self.load()._run(batch)
        return np.asarray(probabilities, np.float64), None if features is None else np.asarray(features, np.float32)


def _open_checked(path, threads=1):
    """The model's run function, runtime name and card; a LiteRT model's calls use ``threads`` threads (a Keras
    model's, TensorFlow's own pool)."""
    if not path.is_file():
        raise ModelError(f"no model file at {path}; train one with: {TRAIN_COMMAND}")
    litert = path.suffix == ".tflite"
    try:
        run, input_shape, output_shape = open_litert(path, threads) if litert else open_keras(path)
    except Exception as error:
        raise ModelError(f"cannot load the model {path} ({type(error).__name__}: {error}); "
                         f"train a new one with: {TRAIN_COMMAND}") from None
    if input_shape != EXPECTED_INPUT or output_shape != (10,):
        raise ModelError(f"the model {path} takes {input_shape} and gives {output_shape}, but the app "
                         f"needs {EXPECTED_INPUT} in and (10,) out; train one with: {TRAIN_COMMAND}")
    runtime = "LiteRT" if litert else "Keras"
    return run, runtime, _read_card(path.with_suffix(".json"), path.stem)


def open_litert(path, threads=1):
    """A LiteRT interpreter for one image at a time; calls are serialised because an interpreter is not thread-safe.

    Files from ``training/export.py`` name their outputs ``probabilities`` and
    ``features``; an older file's single output is the probabilities. Each
    answer is copied once, from the interpreter's own buffer into the
    arrays returned.
    """
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(path), num_threads=threads)
    interpreter.allocate_tensors()
    (source,) = interpreter.get_input_details()
    outputs = interpreter.get_signature_runner().get_output_details()
    target = outputs.get("probabilities") or next(iter(outputs.values()))
    features = outputs.get("features")
    given = [output for output in (target, features) if output is not None]
    views = [interpreter.tensor(output["index"]) for output in given]
    lock = threading.Lock()

    def run(batch):
        answers = [np.empty((len(batch), *output["shape"][1:]), output["dtype"]) for output in given]
        with lock:
            for row, image in enumerate(batch):
                interpreter.set_tensor(source["index"], image[None])
                interpreter.invoke()
                for answer, view in zip(answers, views):
                    answer[row] = view()[0]
        probabilities, *vectors = answers
        return probabilities, vectors[0] if vectors else None

    return run, tuple(int(n) for n in source["shape"][1:]), tuple(int(n) for n in target["shape"][1:])


def open_keras(path):
    """A Keras model behind a traced function, safe to call from many threads."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    model = keras.saving.load_model(path, compile=False)
    parts = [with_features(network) for network in networks(model)]

    def outputs(batch):
        pairs = [part(batch, training=False) for part in parts]
        return tf.add_n([p for p, _ in pairs]) / len(pairs), tf.concat([f for _, f in pairs], axis=1)

    call = tf.function(outputs, input_signature=[tf.TensorSpec((None, *EXPECTED_INPUT), tf.float32)])
    shapes = getattr(model, "input_shape", None), getattr(model, "output_shape", None)
    input_shape, output_shape = (tuple(shape[1:]) if shape else None for shape in shapes)
    return (lambda batch: tuple(each.numpy() for each in call(batch))), input_shape, output_shape


def _read_card(path, name):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"name": name}
