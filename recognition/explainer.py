"""Why a model reads one digit and not another: the evidence map from the model's explanation file.

``training/explanation.py`` writes ``<name>-explain.tflite`` beside each model:
integrated gradients of log p_d − log p_e, as LiteRT builtin ops, so the
server runs it without TensorFlow. The file is read on first use.
"""

import threading
from pathlib import Path

import numpy as np

from recognition.classifier import ModelError
from recognition.model_files import explanation_path

EXPORT_COMMAND = "python -m training.export models/NAME.keras"


class Explainer:
    """Signed evidence per model-input pixel for one digit against another, for one model."""

    def __init__(self, model_path):
        self.path = explanation_path(Path(model_path))
        self._lock = threading.Lock()
        self._runner = None

    def evidence(self, image, digit, versus):
        """A 28×28 float array: positive where a pixel makes the model read ``digit`` rather than ``versus``."""
        with self._lock:
            runner = self._runner or self._load()
            output = runner(image=np.asarray(image, np.float32).reshape(1, 28, 28, 1),
                            digit=np.int32(digit), versus=np.int32(versus))
            evidence = next(iter(output.values())).copy()
        return np.nan_to_num(evidence.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)

    def _load(self):
        from ai_edge_litert.interpreter import Interpreter

        if not self.path.is_file():
            raise ModelError(f"no explanation file at {self.path}; make one with: {EXPORT_COMMAND}")
        try:
            self._runner = Interpreter(model_path=str(self.path), num_threads=1).get_signature_runner()
        except Exception as error:
            raise ModelError(f"cannot load the explanation {self.path} ({type(error).__name__}: {error}); "
                             f"make a new one with: {EXPORT_COMMAND}") from None
        return self._runner
