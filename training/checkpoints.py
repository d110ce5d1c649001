"""Checkpoints that let a long training run survive an interruption: run the same command again and it goes on.

``train.py --checkpoints DIR`` keeps, for each network of the model, a folder
``DIR/network-N`` with the state after its last finished epoch (weights, the
optimizer's state and the epoch, as Keras's BackupAndRestore writes them), a
log of every finished epoch's figures, and, once the network is done, its
final weights. Run again with the same options, finished networks are read
back, the one that was cut short goes on from its last finished epoch, and
the rest are trained. The options are kept in ``DIR/options.json``; a folder
written by other options is refused, so that two recipes never mix.

Early stopping's best epoch, its weights and its count of epochs without
improvement are kept too, so a resumed network ends on its best epoch of every
run. What a resumed network cannot carry over: the shuffling and augmentation
of the later epochs differ from those of an uninterrupted run, and the model
card's ``training_seconds`` counts the last run only.
"""

import json
from pathlib import Path

from training.data import DataError

OPTIONS_FILE = "options.json"
UNCHECKED_OPTIONS = ("checkpoints", "quiet", "out", "name")
"""Options that do not change what is trained."""


class NetworkCheckpoint:
    """One network's folder: its backup, its epoch log and, once done, its final weights."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.backup = self.folder / "backup"
        self.log = self.folder / "epochs.jsonl"
        self.finished = self.folder / "finished.weights.h5"

    def callbacks(self):
        """Keras callbacks that log each finished epoch, then back the training state up."""
        import keras

        from training.callbacks import EpochLog

        self.folder.mkdir(parents=True, exist_ok=True)
        return [EpochLog(self.log), keras.callbacks.BackupAndRestore(str(self.backup), delete_checkpoint=False)]

    def early_stopping(self, **options):
        """Keras's early stopping, its best epoch and weights kept here so that a resumed run ends on them."""
        from training.callbacks import ResumableEarlyStopping

        return ResumableEarlyStopping(self.folder / "early-stopping", **options)

    def history(self):
        """Each finished epoch's figures ({"loss": [...], ...}), over every run; an epoch run twice counts once,
        and a line cut short by the end of a process is left out (that epoch was not backed up either)."""
        if not self.log.exists():
            return {}
        epochs = {}
        for line in self.log.read_text().splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            epochs[entry.pop("epoch")] = entry
        history = {}
        for epoch in sorted(epochs):
            for key, value in epochs[epoch].items():
                history.setdefault(key, []).append(value)
        return history

    def finish(self, network):
        network.save_weights(self.finished)

    def is_finished(self):
        return self.finished.exists()

    def finished_network(self, arch):
        from training.architectures import ARCHITECTURES

        network = ARCHITECTURES[arch]()
        network.load_weights(self.finished)
        return network


def network_checkpoints(args):
    """One :class:`NetworkCheckpoint` per network under ``args.checkpoints``, after checking (or recording) the
    options. A DataError when the folder holds the checkpoints of other options."""
    folder = Path(args.checkpoints)
    folder.mkdir(parents=True, exist_ok=True)
    options = json.loads(json.dumps({key: value for key, value in vars(args).items() if key not in UNCHECKED_OPTIONS},
                                    default=lambda value: sorted(value) if isinstance(value, (set, frozenset))
                                    else str(value)))
    recorded = folder / OPTIONS_FILE
    if recorded.exists():
        earlier = json.loads(recorded.read_text())
        if earlier != options:
            changed = sorted(key for key in options.keys() | earlier.keys() if options.get(key) != earlier.get(key))
            raise DataError(f"{folder} holds checkpoints of other options ({', '.join(changed)}): "
                            "run the same command again, or give another --checkpoints folder")
    else:
        recorded.write_text(json.dumps(options, indent=2, sort_keys=True) + "\n")
    return [NetworkCheckpoint(folder / f"network-{member + 1}") for member in range(args.members)]
