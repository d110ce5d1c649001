"""What a trained model leaves beside it: the model card (JSON) and pictures a person can read at a glance."""

import json
import platform
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


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
    import os

    return {
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "processor": platform.processor() or platform.machine(),
    }


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


def plot_learning_curves(path, history):
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for axes, metric in ((left, "accuracy"), (right, "loss")):
        axes.plot(epochs, history[metric], label="training (augmented)")
        axes.plot(epochs, history[f"val_{metric}"], label="validation")
        axes.set(xlabel="epoch", ylabel=metric, title=metric)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_mistakes(path, images, labels, probabilities, limit=100):
    predictions = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predictions != labels)[:limit]
    columns = 10
    rows = max(1, int(np.ceil(len(wrong) / columns)))
    figure, grid = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.25), squeeze=False)
    for axes in grid.flat:
        axes.axis("off")
    for axes, index in zip(grid.flat, wrong):
        axes.imshow(images[index].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        axes.set_title(f"{labels[index]}→{predictions[index]}", fontsize=9)
    figure.suptitle(f"{len(wrong)} misclassified (true→predicted)" if len(wrong) else "no mistakes")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
