"""What a trained model leaves beside it: the model card (JSON) and pictures a person can read at a glance."""

import json
import os
import platform
import shlex
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from recognition.model_files import PROJECT_ROOT  # noqa: E402
from training.data import MNIST_SHA256, sha256_of  # noqa: E402


def confusion_matrix(labels, predictions):
    matrix = np.zeros((10, 10), np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def scores(labels, probabilities):
    """Accuracy, log loss, per-digit accuracy and confusion matrix of predicted probabilities."""
    labels = np.asarray(labels)
    predictions = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predictions)
    picked = probabilities[np.arange(len(labels)), labels]
    return {
        "count": int(len(labels)),
        "accuracy": float((predictions == labels).mean()),
        "loss": float(-np.log(np.clip(picked, 1e-7, 1.0)).mean()),
        "per_digit_accuracy": [float(matrix[d, d] / max(matrix[d].sum(), 1)) for d in range(10)],
        "confusion_matrix": matrix.tolist(),
    }


def environment():
    import keras
    import tensorflow as tf

    return {
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "processor": platform.processor() or platform.machine(),
    }


def model_card(args, run, model, histories, sizes, scores):
    """Everything needed to trust and reproduce a trained model: what it is, how it was made, how good it is.

    ``run`` holds the command line (``argv``), the ``source`` version taken when
    training started, ``wall_time`` and whether training was ``interrupted``;
    ``sizes`` the training and validation image counts; ``scores`` the
    ``mnist_test`` and ``drawn_test`` results. The files the card describes are
    read from ``args.out`` for their SHA-256, so write them first.
    """
    out = Path(args.out)
    drawn = bool(args.extra)
    return {
        "name": args.name,
        "architecture": args.arch if len(histories) == 1 else f"average of {len(histories)} {args.arch}",
        "parameters": int(model.count_params()),
        "input": "28x28 grayscale, white ink on black, values 0-1, shape (28, 28, 1)",
        "epochs_run": sum(len(history["loss"]) for history in histories),
        "members": [{"seed": args.seed + index, "epochs_run": len(history["loss"]),
                     "best_epoch": int(np.argmin(history["val_loss"])) + 1, "history": history}
                    for index, history in enumerate(histories)],
        "interrupted": run["interrupted"],
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "augmented": args.augment,
        "placement": args.placement if drawn else None,
        "copies": args.copies if drawn and args.placement == "natural" else None,
        "seed": args.seed,
        "init": initial_model(args.init) if args.init else None,
        "command": shlex.join(["python", "train.py", *run["argv"]]),
        "source": run["source"],
        "files": model_files(out, args.name),
        "data": {"mnist": args.data or "keras.datasets.mnist",
                 "mnist_sha256": sha256_of(args.data) if args.data else MNIST_SHA256,
                 "extra": [{"path": _relative(path), "sha256": sha256_of(path)} for path in args.extra],
                 "val_writers": sorted(args.val_writers) if drawn else [],
                 "test_writers": sorted(args.test_writers) if drawn else [],
                 **sizes},
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_seconds": round(run["wall_time"], 1),
        "environment": environment(),
        **scores,
    }


def model_files(folder, name):
    """Name and SHA-256 of each file a model is served from: Keras, LiteRT and its explanation."""
    names = {"keras": f"{name}.keras", "tflite": f"{name}.tflite", "explain": f"{name}-explain.tflite"}
    return {kind: {"file": file, "sha256": sha256_of(Path(folder) / file)} for kind, file in names.items()}


def initial_model(path):
    """Where a fine-tuned model started: the file, its SHA-256 and the command that made it."""
    card_path = Path(path).with_suffix(".json")
    command = json.loads(card_path.read_text()).get("command") if card_path.exists() else None
    return {"path": _relative(path), "sha256": sha256_of(path), "command": command}


def source_version():
    """The git commit the code came from and whether the work tree differed from it, or None outside git."""
    def git(*words):
        return subprocess.run(["git", *words], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout

    try:
        return {"commit": git("rev-parse", "HEAD").strip(), "clean": not git("status", "--porcelain", "--untracked-files=no").strip()}
    except (OSError, subprocess.CalledProcessError):
        return None


def _relative(path):
    """A data path relative to the project when it lies inside it, so the card reads the same on every clone."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def write_card(path, card):
    path.write_text(json.dumps(card, indent=2) + "\n")


def plot_confusion(path, matrix, title):
    matrix = np.asarray(matrix)
    figure, axes = plt.subplots(figsize=(6, 5.5))
    shown = np.log1p(matrix)
    axes.imshow(shown, cmap="Blues")
    for true in range(10):
        for predicted in range(10):
            count = matrix[true, predicted]
            if count:
                colour = "white" if shown[true, predicted] > shown.max() / 2 else "black"
                axes.text(predicted, true, str(count), ha="center", va="center", fontsize=7, color=colour)
    axes.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title=title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_learning_curves(path, histories):
    """Training and validation accuracy and loss per epoch, one pair of lines per trained network."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for axes, metric in ((left, "accuracy"), (right, "loss")):
        for index, history in enumerate(histories):
            epochs = np.arange(1, len(history["loss"]) + 1)
            which = f" {index + 1}" if len(histories) > 1 else ""
            axes.plot(epochs, history[metric], label=f"training{which}")
            axes.plot(epochs, history[f"val_{metric}"], label=f"validation{which}")
        axes.set(xlabel="epoch", ylabel=metric, title=metric)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_mistakes(path, images, labels, predictions, limit=100):
    """A grid of the misclassified images (2-D arrays, any scale), each titled true→predicted."""
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    wrong = np.flatnonzero(predictions != labels)[:limit]
    columns = 10
    rows = max(1, int(np.ceil(len(wrong) / columns)))
    figure, grid = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.25), squeeze=False)
    for axes in grid.flat:
        axes.axis("off")
    for axes, index in zip(grid.flat, wrong):
        axes.imshow(np.squeeze(np.asarray(images[index])), cmap="gray")
        axes.set_title(f"{labels[index]}→{predictions[index]}", fontsize=9)
    figure.suptitle(f"{len(wrong)} misclassified (true→predicted)" if len(wrong) else "no mistakes")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def calibration(labels, probabilities, bins=15):
    """Expected calibration error and the per-bin (confidence, accuracy, count) behind it."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    table, error = [], 0.0
    for index in range(bins):
        members = which == index
        if members.any():
            mean_confidence, accuracy = float(confidence[members].mean()), float(correct[members].mean())
            error += members.mean() * abs(mean_confidence - accuracy)
            table.append({"confidence": mean_confidence, "accuracy": accuracy, "count": int(members.sum())})
    return {"expected_calibration_error": float(error), "bins": table}


def mnist_reliability(path, name, calibration_on_mnist):
    """The reliability diagram of a model's calibration on MNIST test, titled with its name and error."""
    plot_reliability(path, calibration_on_mnist["bins"],
                     f"{name}: MNIST test, ECE {calibration_on_mnist['expected_calibration_error']:.4f}")


def plot_reliability(path, table, title):
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    confidences = [row["confidence"] for row in table]
    accuracies = [row["accuracy"] for row in table]
    sizes = [20 + 200 * row["count"] / max(r["count"] for r in table) for row in table]
    axes.plot(confidences, accuracies, color="#1d6fd6")
    axes.scatter(confidences, accuracies, s=sizes, color="#1d6fd6", label="model (dot size: how many)")
    axes.set(xlim=(0, 1.02), ylim=(0, 1.02), xlabel="confidence", ylabel="accuracy", title=title)
    axes.grid(alpha=0.3)
    axes.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)

