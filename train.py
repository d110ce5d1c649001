"""Train a digit classifier on MNIST (plus optional drawn digits) and write it with its model card.

    python train.py --data ../shared/data/mnist.npz
    python train.py --data ../shared/data/mnist.npz --extra ../shared/data/pendigits/strokes_train.json

Writes ``<name>.keras`` (inference only), ``<name>.json`` (the model card) and
three pictures (confusion matrix, learning curves, misclassified digits) into
``--out``. Without ``--data`` MNIST is downloaded by Keras.
"""

import argparse
import os
import shlex
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from training.data import DataError, load_drawings, load_mnist, render_drawings, sha256_of  # noqa: E402
from webapp.pad import PEN_WIDTHS  # noqa: E402

DEFAULT_EPOCHS = {"linear": 15, "mlp": 30, "cnn": 24}
TRAINING_PEN_WIDTHS = (10, 14, 18)


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
    parser.add_argument("--members", type=int, default=1,
                        help="train this many networks (seeds SEED, SEED+1, ...) and average their predictions")
    parser.add_argument("--validation-size", type=int, default=5000, help="MNIST training images kept for validation")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction,
                        help="distort training images like drawn digits (default: on for cnn)")
    parser.add_argument("--extra", action="append", default=[], metavar="FILE",
                        help="pen-stroke JSON of drawn digits to train on too (repeatable)")
    parser.add_argument("--val-writers", default="19-20",
                        help="writers of --extra used for validation, not training (e.g. 19-20 or 3,7)")
    parser.add_argument("--test-writers", default="21-30",
                        help="writers of --extra never trained on, only scored")
    parser.add_argument("--quiet", action="store_true", help="one log line per epoch instead of a progress bar")
    args = parser.parse_args(argv)
    args.name = args.name or f"digitpad-{args.arch}"
    args.epochs = args.epochs or DEFAULT_EPOCHS[args.arch]
    args.augment = args.arch == "cnn" if args.augment is None else args.augment
    try:
        args.val_writers = writer_set(args.val_writers)
        args.test_writers = writer_set(args.test_writers)
    except ValueError:
        parser.error("writers are numbers and ranges like 19-20 or 3,7,21-30")
    return args


def writer_set(text):
    writers = set()
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        writers.update(range(int(low), int(high or low) + 1))
    return writers


def as_input(images):
    """uint8 or float images (N, 28, 28) as the model's float32 (N, 28, 28, 1) in [0, 1]."""
    images = np.asarray(images)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    return (images.astype(np.float32) / scale)[..., None]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    # Data
    try:
        mnist = load_mnist(args.data)
        drawings = [record for path in args.extra for record in load_drawings(path)]
    except DataError as error:
        print(f"train.py: {error}", file=sys.stderr)
        return 2
    cut = len(mnist["x_train"]) - min(args.validation_size, len(mnist["x_train"]) // 10)
    x_train, y_train = as_input(mnist["x_train"][:cut]), mnist["y_train"][:cut]
    x_val, y_val = as_input(mnist["x_train"][cut:]), mnist["y_train"][cut:]
    x_test, y_test = as_input(mnist["x_test"]), mnist["y_test"]
    drawn_test = {}
    if drawings:
        by_role = split_writers(drawings, args.val_writers, args.test_writers)
        x_drawn, y_drawn = render_drawings(by_role["train"], TRAINING_PEN_WIDTHS)
        x_drawn_val, y_drawn_val = render_drawings(by_role["val"], [PEN_WIDTHS["normal"]])
        x_train = np.concatenate([x_train, as_input(x_drawn)])
        y_train = np.concatenate([y_train, y_drawn])
        x_val = np.concatenate([x_val, as_input(x_drawn_val)])
        y_val = np.concatenate([y_val, y_drawn_val])
        for pen, width in PEN_WIDTHS.items():
            images, labels = render_drawings(by_role["test"], [width])
            if len(labels):
                drawn_test[pen] = (as_input(images), labels)
        print(f"drawn digits: {len(y_drawn)} training images from {len(by_role['train'])} drawings, "
              f"{len(y_drawn_val)} validation, {len(by_role['test'])} held out for testing")
    print(f"training on {len(y_train)} images, validating on {len(y_val)}")

    # Model and training: one network per member, each from its own seed
    members, histories, interrupted = [], [], False
    started = time.perf_counter()
    for member in range(args.members):
        model, history, interrupted = train_member(args, args.seed + member, (x_train, y_train), (x_val, y_val))
        if history:
            members.append(model)
            histories.append(history)
        if interrupted:
            break
    wall_time = time.perf_counter() - started
    if not members:
        print("train.py: stopped before the first epoch ended; nothing written", file=sys.stderr)
        return 1
    model = inference_model(args.arch, members)

    # Evaluate
    from training import report

    test_probabilities = predict(model, x_test)
    mnist_scores = report.scores(y_test, test_probabilities)
    drawn_scores = {pen: report.scores(labels, predict(model, images))
                    for pen, (images, labels) in drawn_test.items()}
    print(f"MNIST test accuracy {mnist_scores['accuracy']:.4f}, loss {mnist_scores['loss']:.4f}")
    for pen, scores in drawn_scores.items():
        print(f"drawn test writers, {pen} pen: accuracy {scores['accuracy']:.4f}")

    # Save
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / f"{args.name}.keras")
    model.export(str(out / f"{args.name}.tflite"), format="litert", verbose=False)
    card = {
        "name": args.name,
        "architecture": args.arch if args.members == 1 else f"average of {len(members)} {args.arch}",
        "parameters": int(model.count_params()),
        "input": "28x28 grayscale, white ink on black, values 0-1, shape (28, 28, 1)",
        "epochs_run": sum(len(history["loss"]) for history in histories),
        "members": [{"seed": args.seed + index, "epochs_run": len(history["loss"]),
                     "best_epoch": int(np.argmin(history["val_loss"])) + 1, "history": history}
                    for index, history in enumerate(histories)],
        "interrupted": interrupted,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "augmented": args.augment,
        "seed": args.seed,
        "command": shlex.join(["python", "train.py", *(sys.argv[1:] if argv is None else argv)]),
        "data": {"mnist": args.data or "keras.datasets.mnist",
                 "mnist_sha256": sha256_of(args.data) if args.data else None,
                 "extra": [{"path": path, "sha256": sha256_of(path)} for path in args.extra],
                 "val_writers": sorted(args.val_writers) if drawings else [],
                 "test_writers": sorted(args.test_writers) if drawings else [],
                 "training_images": int(len(y_train)), "validation_images": int(len(y_val))},
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_seconds": round(wall_time, 1),
        "environment": report.environment(),
        "mnist_test": mnist_scores,
        "drawn_test": drawn_scores,
    }
    report.write_card(out / f"{args.name}.json", card)
    report.plot_confusion(out / f"{args.name}-confusion.png", mnist_scores["confusion_matrix"],
                          f"{args.name}: MNIST test, accuracy {mnist_scores['accuracy']:.2%}")
    report.plot_learning_curves(out / f"{args.name}-curves.png", histories)
    report.plot_mistakes(out / f"{args.name}-mistakes.png", x_test, y_test, test_probabilities.argmax(axis=1))
    print(f"wrote {out / args.name}.keras and its card")
    return 0


def split_writers(drawings, val_writers, test_writers):
    roles = {"train": [], "val": [], "test": []}
    for record in drawings:
        writer = record.get("writer")
        role = "test" if writer in test_writers else "val" if writer in val_writers else "train"
        roles[role].append(record)
    return roles


def training_pipeline(images, labels, args, seed):
    """A shuffled, batched tf.data pipeline, distorted on the fly when augmenting."""
    import tensorflow as tf

    from training.augment import drawn_digit_augmenter

    dataset = tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int32)))
    dataset = dataset.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True).batch(args.batch_size)
    if args.augment:
        augment = drawn_digit_augmenter(seed)
        dataset = dataset.map(lambda x, y: (augment(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def predict(model, images):
    return model.predict(images, batch_size=1024, verbose=0)


def train_member(args, seed, training, validation):
    """Fit one network; returns it with its per-epoch history and whether Ctrl-C stopped it."""
    import keras

    from training.architectures import ARCHITECTURES
    from training.callbacks import StopOnCtrlC

    keras.utils.set_random_seed(seed)
    model = ARCHITECTURES[args.arch]()
    steps_per_epoch = int(np.ceil(len(training[1]) / args.batch_size))
    schedule = keras.optimizers.schedules.ExponentialDecay(args.learning_rate, steps_per_epoch, 0.9)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=args.patience, restore_best_weights=True)
    ctrl_c = StopOnCtrlC()
    model.fit(training_pipeline(*training, args, seed), validation_data=validation, epochs=args.epochs,
              callbacks=[ctrl_c, stopper], shuffle=False, verbose=2 if args.quiet else "auto")
    if ctrl_c.pressed:
        print("\ninterrupted: keeping the best epoch so far", file=sys.stderr)
    history = {key: [float(v) for v in values] for key, values in model.history.history.items()}
    return model, history if history.get("loss") else None, ctrl_c.pressed


def inference_model(arch, members):
    """The trained networks without optimizer state, as one model that averages their probabilities."""
    import keras

    from training.architectures import ARCHITECTURES, INPUT_SHAPE

    fresh = []
    for index, member in enumerate(members):
        network = ARCHITECTURES[arch](name=arch if len(members) == 1 else f"{arch}_{index}")
        network.set_weights(member.get_weights())
        fresh.append(network)
    if len(fresh) == 1:
        return fresh[0]
    inputs = keras.Input(INPUT_SHAPE)
    outputs = keras.layers.Average()([network(inputs) for network in fresh])
    return keras.Model(inputs, outputs, name=f"{arch}_ensemble")

if __name__ == "__main__":
    sys.exit(main())
