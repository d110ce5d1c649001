"""The models the app serves: the default one and the others shown beside it, each read on first use.

``MODEL`` is the default model; ``MODELS`` lists the others (app config: a
list of paths; environment: comma-separated). A model is named by its file's
stem, and its card and pictures lie beside it.
"""

import os
from pathlib import Path

from flask import current_app

from webapp.classifier import Classifier
from webapp.errors import InputError
from webapp.explainer import Explainer

MODELS_FOLDER = Path(__file__).resolve().parent.parent / "models"
OTHER_MODELS = tuple(str(MODELS_FOLDER / f"digitpad-{name}.tflite") for name in ("cnn-single", "mlp", "linear"))
"""What ``MODELS`` is unless set: one network of the default's kind, the dense network and the linear model."""


class ServedModel:
    """One served model: its classifier, its explainer and where its card and pictures are."""

    def __init__(self, path, default):
        self.path = Path(path).resolve()
        self.name = self.path.stem
        self.default = default
        self.classifier = Classifier(self.path)
        self.explainer = Explainer(self.path)

    @property
    def card(self):
        """The card ``train.py`` wrote beside the model."""
        return self.classifier.card

    def summary(self):
        """What the model is and how well it reads (accuracy on MNIST test and on held-out drawn digits)."""
        card = self.card
        return {"name": self.name, "architecture": card.get("architecture"), "parameters": card.get("parameters"),
                "mnist_test": card.get("mnist_test", {}).get("accuracy"),
                "drawn_test": {how: scores["accuracy"] for how, scores in (card.get("drawn_test") or {}).items()},
                "default": self.default}


def models_from_environment():
    """``MODELS`` as the environment gives it (comma-separated paths), or the default list."""
    text = os.environ.get("MODELS")
    return [part.strip() for part in text.split(",") if part.strip()] if text else list(OTHER_MODELS)


def init_app(app):
    """One ServedModel per model, the default first; the default's classifier is also the app's ``classifier``."""
    served = {}
    for index, path in enumerate([app.config["MODEL"], *app.config["MODELS"]]):
        model = ServedModel(path, default=index == 0)
        served.setdefault(model.name, model)
    app.extensions["served_models"] = served
    app.extensions["classifier"] = next(iter(served.values())).classifier


def served_models():
    """Every served model, the default first."""
    return list(current_app.extensions["served_models"].values())


def served_model(name=None):
    """The served model called ``name`` (the default when None); an unknown name is a 400."""
    models = current_app.extensions["served_models"]
    if name is None:
        return next(iter(models.values()))
    if not isinstance(name, str) or name not in models:
        raise InputError(f"unknown model {str(name)[:80]!r}; the served models are {', '.join(models)}")
    return models[name]
