"""Keras callbacks for train.py."""

import json
import os
import signal
from pathlib import Path

import keras
import numpy as np


class StopOnCtrlC(keras.callbacks.Callback):
    """Turn the first Ctrl-C into a stop after the current batch; a second one interrupts at once.

    A KeyboardInterrupt raised inside TensorFlow can crash the process. Stopping
    between batches lets Keras validate the epoch and restore the best weights.
    """

    pressed = False

    def on_train_begin(self, logs=None):
        self.previous = signal.signal(signal.SIGINT, self.press)

    def press(self, signum, frame):
        self.pressed = True
        self.model.stop_training = True
        signal.signal(signal.SIGINT, self.previous)

    def on_train_end(self, logs=None):
        signal.signal(signal.SIGINT, self.previous)


class EpochLog(keras.callbacks.Callback):
    """Append each finished epoch's figures to a file, one JSON object a line, so they outlive the process."""

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)

    def on_epoch_end(self, epoch, logs=None):
        entry = {"epoch": epoch, **{key: float(value) for key, value in (logs or {}).items()}}
        with self.path.open("a") as log:
            log.write(json.dumps(entry) + "\n")


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """Early stopping whose best epoch, its weights and the count of epochs since outlive the process.

    Keras forgets them when training begins again, and the backup that resumes
    training holds the last epoch's weights, not the best: a run cut short after
    its best epoch would otherwise end on a worse one.
    """

    def __init__(self, folder, **options):
        super().__init__(**options)
        self.folder = Path(folder)
        self.state = self.folder / "state.json"
        self.weights = self.folder / "best.npz"

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.state.exists():
            state = json.loads(self.state.read_text())
            self.best, self.wait, self.best_epoch = state["best"], state["wait"], state["best_epoch"]
            with np.load(self.weights) as saved:
                self.best_weights = [saved[f"w{index}"] for index in range(len(saved.files))]

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.best is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.best_epoch == epoch and self.best_weights is not None:
            arrays = {f"w{index}": weights for index, weights in enumerate(self.best_weights)}
            _replace(self.weights, lambda path: np.savez(path, **arrays))
        state = {"best": float(self.best), "wait": self.wait, "best_epoch": self.best_epoch}
        _replace(self.state, lambda path: path.write_text(json.dumps(state)))


def _replace(path, write):
    """Write a file through a temporary one, so that a process killed mid-write leaves the old file whole."""
    temporary = path.with_name(path.name + ".tmp" + path.suffix)
    write(temporary)
    os.replace(temporary, path)
