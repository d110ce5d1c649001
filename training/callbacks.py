"""Keras callbacks for train.py."""

import json
import signal
from pathlib import Path

import keras


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
