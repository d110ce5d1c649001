"""The LiteRT files the server runs, and a command that rewrites them from a ``.keras`` model.

    python -m training.export models/digitpad-cnn.keras

The model's file's one signature takes ``image`` (1, 28, 28, 1) and gives
``probabilities`` (1, 10) and ``features`` (1, F): what the last layer of
each network reads, side by side, so that the server can adapt its answer to
one writer's drawings without TensorFlow. Its explanation, why it reads one
digit and not another, is a file of its own (``training/explanation.py``).
The command rewrites ``<name>.tflite`` and ``<name>-explain.tflite`` beside
the model and the file checksums in its card, and records itself in the card.
"""

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from recognition.classifier import EXPECTED_INPUT
from recognition.model_files import explanation_path
from recognition.networks import networks, with_features


def export_litert(model, path):
    """Write ``model`` (one network or an average of several) as a LiteRT file with named outputs."""
    import keras

    image = keras.Input(EXPECTED_INPUT, name="image")
    outputs = [with_features(network)(image) for network in networks(model)]
    probabilities = [each for each, _ in outputs]
    features = [each for _, each in outputs]
    if len(outputs) > 1:
        probabilities = [keras.layers.Average()(probabilities)]
        features = [keras.layers.Concatenate()(features)]
    served = keras.Model(image, {"probabilities": probabilities[0], "features": features[0]})
    served.export(str(path), format="litert", verbose=False)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description="Rewrite a model's LiteRT file from its .keras file.")
    parser.add_argument("model", type=Path, help="a .keras file train.py wrote, with its card beside it")
    args = parser.parse_args(argv)
    import keras

    from training.explanation import export_explainer
    from training.report import model_files

    target = args.model.with_suffix(".tflite")
    model = keras.saving.load_model(args.model, compile=False)
    export_litert(model, target)
    export_explainer(model, explanation_path(target))
    card_path = args.model.with_suffix(".json")
    if card_path.exists():
        card = json.loads(card_path.read_text())
        card["files"] = model_files(args.model.parent, args.model.stem)
        card["exported_with"] = shlex.join(["python", "-m", "training.export", *argv])
        card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {target} and {explanation_path(target).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
