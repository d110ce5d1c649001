"""How faithful each served model's explanation is: the deletion check and the shuffled-weights check.

    python bench/faithfulness.py                       # writers 21-30, 200 drawings, every served model
    python bench/faithfulness.py --writers 1-20 --steps 8 --model digitpad-cnn   # another number of steps

Deletion: on drawings of held-out writers, drawn at a natural size and place
with the normal pen and preprocessed by the app, remove the 5 % of pixels the
map ranks highest, and as many random ink pixels; count the drawings where the
map's deletion lowers the answer's probability more. Sanity (``--sanity``): the
rank correlation, over the ink, of the default model's maps with those of a copy
whose weights are shuffled (Adebayo et al. 2018); near 0 means the map depends
on what the model learned. ``--steps`` (and ``--sanity``) export explanations
with TensorFlow; otherwise each model's shipped explanation file is used.
The tests (tests/test_explanation.py) assert the same checks.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recognition.explainer import Explainer  # noqa: E402
from recognition.model_files import explanation_path  # noqa: E402
from recognition.pad import PEN_WIDTHS  # noqa: E402
from recognition.preprocess import to_mnist  # noqa: E402
from training.data import load_drawings, writer_set  # noqa: E402
from training.drawn import pad_picture  # noqa: E402

DELETED = round(0.05 * 28 * 28)
"""Pixels removed: 5 % of the model input."""


def held_out_inputs(records, writers, count, seed=13):
    """``count`` model inputs of the writers' drawings, drawn like the page at a natural size and place."""
    chosen = [record for record in records if record["writer"] in writers]
    picked = np.random.default_rng(seed).choice(len(chosen), size=count, replace=False)
    return [to_mnist(pad_picture(chosen[i], PEN_WIDTHS["normal"], "natural", seed, int(i))) for i in picked]


def top_two(probabilities):
    """The likeliest digit and the runner-up."""
    versus, digit = np.argsort(probabilities, kind="stable")[-2:]
    return int(digit), int(versus)


def deletion_trial(classifier, explainer, image, rng):
    """The answer's probability after removing the map's top pixels, and after removing as many random ink pixels."""
    digit, versus = top_two(classifier.probabilities(image))
    evidence = explainer.evidence(image, digit, versus)
    by_map = image.copy().ravel()
    by_map[np.argsort(evidence.ravel(), kind="stable")[-DELETED:]] = 0
    at_random = image.copy().ravel()
    ink = np.flatnonzero(image.ravel() > 0)
    at_random[rng.choice(ink, size=min(DELETED, ink.size), replace=False)] = 0
    after_map, after_random = classifier.probabilities_batch(np.stack([by_map, at_random]))[:, digit]
    return float(after_map), float(after_random)


def deletion_check(classifier, explainer, inputs, seed=5):
    """(drawings where the map's deletion hurt more, the probabilities left after each deletion)."""
    rng = np.random.default_rng(seed)
    trials = np.array([deletion_trial(classifier, explainer, image, rng) for image in inputs])
    return int((trials[:, 0] < trials[:, 1]).sum()), trials


def shuffled_correlations(classifier, explainer, keras_model, inputs, folder, seed=3):
    """Rank correlations over the ink between the model's maps and those of a copy with shuffled weights."""
    import keras

    from training.explanation import export_explainer

    rng = np.random.default_rng(seed)
    scrambled = keras.models.clone_model(keras_model)
    scrambled.set_weights([rng.permutation(weights.ravel()).reshape(weights.shape)
                           for weights in keras_model.get_weights()])
    path = Path(folder) / "shuffled.keras"
    export_explainer(scrambled, explanation_path(path))
    shuffled = Explainer(path)
    correlations = []
    for image in inputs:
        digit, versus = top_two(classifier.probabilities(image))
        ink = image.ravel() > 0
        maps = [each.evidence(image, digit, versus).ravel()[ink] for each in (explainer, shuffled)]
        correlations.append(spearman(*maps))
    return np.array(correlations)


def spearman(a, b):
    return float(np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1])


def explainer_with_steps(model, steps, folder):
    """An explainer of the served model with ``steps`` path points, exported into ``folder``."""
    import keras

    from training.explanation import export_explainer

    path = Path(folder) / f"{model.name}.keras"
    export_explainer(keras.saving.load_model(model.path.with_suffix(".keras"), compile=False),
                     explanation_path(path), steps)
    return Explainer(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", default="21-30", help="whose drawings (default 21-30)")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--model", action="append", help="a served model's name (repeatable; default: all)")
    parser.add_argument("--steps", type=int, help="integrated-gradient steps to export with (default: the shipped files)")
    parser.add_argument("--sanity", action="store_true", help="also the shuffled-weights check on the default model")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    from webapp import create_app
    from webapp.predicting.served import served_models

    with create_app({"TESTING": True}).app_context():
        models = [model for model in served_models() if not args.model or model.name in args.model]
    inputs = held_out_inputs(load_drawings(), writer_set(args.writers), args.count)
    print(f"{len(inputs)} drawings by writers {args.writers}, natural size and place, normal pen; "
          f"{DELETED} pixels removed")
    with tempfile.TemporaryDirectory() as folder:
        for model in models:
            explainer = explainer_with_steps(model, args.steps, folder) if args.steps else model.explainer
            wins, trials = deletion_check(model.classifier, explainer, inputs)
            started = time.perf_counter()
            for image in inputs[:50]:
                explainer.evidence(image, 1, 7)
            per_map = (time.perf_counter() - started) / 50 * 1000
            print(f"{model.name}: the map's deletion hurt more on {wins} of {len(inputs)}; median probability left "
                  f"{np.median(trials[:, 0]):.3f} (map) against {np.median(trials[:, 1]):.3f} (random); "
                  f"{per_map:.2f} ms a map in this process")
        if args.sanity:
            import keras

            default = models[0]
            keras_model = keras.saving.load_model(default.path.with_suffix(".keras"), compile=False)
            correlations = shuffled_correlations(default.classifier, default.explainer, keras_model, inputs[:50], folder)
            print(f"{default.name} against its shuffled copy: median rank correlation {np.median(correlations):.3f} "
                  f"(from {correlations.min():.3f} to {correlations.max():.3f}) over {len(correlations)} drawings")


if __name__ == "__main__":
    main()
