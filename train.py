"""Train a digit classifier on MNIST plus pen-drawn digits and write it with its model card.

    python train.py --data ../shared/data/mnist.npz
    python train.py --data ../shared/data/mnist.npz --extra none     # MNIST only

Writes ``<name>.keras`` (inference only), ``<name>.tflite``, its explanation
``<name>-explain.tflite``, ``<name>.json`` (the model card) and four pictures
(confusion matrix, learning curves, misclassified digits, reliability diagram)
into ``--out``. With ``--checkpoints DIR`` a long run survives an interruption:
the same command run again goes on where it stopped. Without ``--data`` MNIST is downloaded by Keras. The drawn
digits are the project's own ``data/pendigits/strokes.json.gz`` unless
``--extra`` names others.
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from recognition.model_files import explanation_path  # noqa: E402
from recognition.pad import PEN_WIDTHS  # noqa: E402
from training.checkpoints import network_checkpoints  # noqa: E402
from training.data import DRAWINGS, DataError, as_input, load_drawings, load_mnist, split_writers, writer_set  # noqa: E402
from training.drawn import fitted_set, natural_set, varied_set  # noqa: E402

DEFAULT_EPOCHS = {"linear": 15, "mlp": 30, "cnn": 24}
FITTED_PEN_WIDTHS = (10, 14, 18)
"""Pens for ``--placement fitted``: thin to normal (bolder pens fill narrow zeros in)."""


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="MNIST as a .npz (x_train y_train x_test y_test) or a folder of idx files; "
                                       "omitted: download with Keras")
    parser.add_argument("--arch", choices=("linear", "mlp", "cnn"), default="cnn")
    parser.add_argument("--name", help="file name of the model (default: digitpad-ARCH)")
    parser.add_argument("--out", default="models", help="folder to write into (default: models)")
    parser.add_argument("--epochs", type=int, help="most epochs to run (default: linear 15, mlp 30, cnn 24)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--patience", type=int, default=10, help="epochs without improvement before stopping")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--init", metavar="MODEL.keras",
                        help="go on training the networks of a model train.py wrote (network i starts from its "
                             "network i), instead of starting from random weights")
    parser.add_argument("--members", type=int, default=1,
                        help="train this many networks (seeds SEED, SEED+1, ...) and average their predictions")
    parser.add_argument("--validation-size", type=int, default=5000, help="MNIST training images kept for validation")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction,
                        help="distort training images like drawn digits (default: on for cnn)")
    parser.add_argument("--extra", action="append", metavar="FILE",
                        help=f"pen-stroke JSON of drawn digits to train on (repeatable; default {DRAWINGS.name}; "
                             "'none' for MNIST only)")
    parser.add_argument("--placement", choices=("natural", "fitted"), default="natural",
                        help="draw training digits at random sizes, places and pens with a hand's variation "
                             "(natural, default) or fitted to the pad with 10-18 px pens")
    parser.add_argument("--copies", type=int, default=3, help="renderings of each drawn digit with --placement natural")
    parser.add_argument("--val-writers", default="none",
                        help="writers of --extra used for validation, not training (e.g. 19-20 or 3,7)")
    parser.add_argument("--test-writers", default="none", help="writers of --extra never trained on, only scored")
    parser.add_argument("--checkpoints", metavar="DIR",
                        help="keep each network's training state here after every epoch; the same command run "
                             "again goes on where it stopped (see training/checkpoints.py)")
    parser.add_argument("--quiet", action="store_true", help="one log line per epoch instead of a progress bar")
    args = parser.parse_args(argv)
    args.name = args.name or f"digitpad-{args.arch}"
    args.epochs = args.epochs or DEFAULT_EPOCHS[args.arch]
    args.augment = args.arch == "cnn" if args.augment is None else args.augment
    args.extra = [] if args.extra == ["none"] else args.extra or [str(DRAWINGS)]
    try:
        args.val_writers = writer_set(args.val_writers)
        args.test_writers = writer_set(args.test_writers)
    except ValueError:
        parser.error("writers are numbers and ranges like 19-20 or 3,7,21-30, or none")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)

    # Data
    try:
        mnist = load_mnist(args.data)
        drawings = [record for path in args.extra for record in load_drawings(path)]
        if args.init and not Path(args.init).is_file():
            raise DataError(f"no model to start from at {args.init}")
        checkpoints = network_checkpoints(args) if args.checkpoints else None
    except DataError as error:
        print(f"train.py: {error}", file=sys.stderr)
        return 2
    training, validation, test = mnist_splits(mnist, args.validation_size)
    by_role = split_writers(drawings, args.val_writers, args.test_writers)
    training = joined(training, training_drawings(by_role["train"], args))
    validation = joined(validation, natural_set(by_role["val"], PEN_WIDTHS["normal"], args.seed))
    drawn_test = drawn_test_sets(by_role["test"], args.seed)
    print(f"training on {len(training[1])} images ({len(by_role['train'])} drawings), "
          f"validating on {len(validation[1])}, {len(by_role['test'])} drawings held out for testing")

    # Model and training: one network per member, each from its own seed
    from training import report
    from training.explanation import export_explainer
    from training.export import export_litert
    from training.fit import inference_model, predict, train_members

    source = report.source_version()
    started = time.perf_counter()
    networks, histories, interrupted = train_members(args, training, validation, checkpoints)
    wall_time = time.perf_counter() - started
    if not networks:
        print("train.py: stopped before the first epoch ended; nothing written", file=sys.stderr)
        return 1
    model = inference_model(args.arch, networks)

    # Evaluate
    test_probabilities = predict(model, test[0])
    mnist_scores = {**report.scores(test[1], test_probabilities),
                    "calibration": report.calibration(test[1], test_probabilities)}
    drawn_scores = {how: report.scores(labels, predict(model, images))
                    for how, (images, labels) in drawn_test.items()}
    print(f"MNIST test accuracy {mnist_scores['accuracy']:.4f}, loss {mnist_scores['loss']:.4f}")
    for how, scores in drawn_scores.items():
        print(f"drawn test writers, {how}: accuracy {scores['accuracy']:.4f}")

    # Save
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / f"{args.name}.keras")
    export_litert(model, out / f"{args.name}.tflite")
    export_explainer(model, explanation_path(out / f"{args.name}.tflite"))
    run = {"argv": argv, "source": source, "wall_time": wall_time, "interrupted": interrupted}
    card = report.model_card(args, run, model, histories,
                             {"training_images": len(training[1]), "validation_images": len(validation[1])},
                             {"mnist_test": mnist_scores, "drawn_test": drawn_scores})
    report.write_card(out / f"{args.name}.json", card)
    report.plot_confusion(out / f"{args.name}-confusion.png", mnist_scores["confusion_matrix"],
                          f"{args.name}: MNIST test, accuracy {mnist_scores['accuracy']:.2%}")
    report.plot_learning_curves(out / f"{args.name}-curves.png", histories)
    report.plot_mistakes(out / f"{args.name}-mistakes.png", test[0], test[1], test_probabilities.argmax(axis=1))
    report.mnist_reliability(out / f"{args.name}-reliability.png", args.name, mnist_scores["calibration"])
    print(f"wrote {out / args.name}.keras and its card")
    return 0


def mnist_splits(mnist, validation_size):
    """(images, labels) for training, validation (the last training images) and test, as model input."""
    cut = len(mnist["x_train"]) - min(validation_size, len(mnist["x_train"]) // 10)
    return ((as_input(mnist["x_train"][:cut]), mnist["y_train"][:cut]),
            (as_input(mnist["x_train"][cut:]), mnist["y_train"][cut:]),
            (as_input(mnist["x_test"]), mnist["y_test"]))


def training_drawings(records, args):
    if args.placement == "fitted":
        return fitted_set(records, FITTED_PEN_WIDTHS)
    return varied_set(records, args.copies, args.seed)


def drawn_test_sets(records, seed):
    """Held-out drawings fitted to the pad with each of the page's pens, and at a natural size and place."""
    if not records:
        return {}
    sets = {pen: fitted_set(records, [width]) for pen, width in PEN_WIDTHS.items()}
    sets["natural"] = natural_set(records, PEN_WIDTHS["normal"], seed)
    return {how: (as_input(images), labels) for how, (images, labels) in sets.items()}


def joined(split, extra):
    """A split with extra float images (N, 28, 28) and labels appended."""
    images, labels = extra
    return np.concatenate([split[0], as_input(images)]), np.concatenate([split[1], labels])


if __name__ == "__main__":
    sys.exit(main())
