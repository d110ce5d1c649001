"""The models the app serves: the default one and the others shown beside it, each read on first use.

``MODEL`` is the default model; ``MODELS`` lists the others (app config: a
list of paths; environment: comma-separated). A model is named by its file's
stem, and its card and pictures lie beside it.
"""

import os
import threading
from pathlib import Path

from flask import current_app

from recognition.classifier import Classifier, ModelError
from recognition.explainer import Explainer
from recognition.model_files import OTHER_MODELS
from recognition.not_a_digit import DetectorUnavailable, detector_for
from webapp.extension import Extension
from webapp.web.errors import InputError, answer_unavailable

KINDS = {"cnn": ("convolutional network", "convolutional networks"), "mlp": ("dense network", "dense networks"),
         "linear": ("linear model", "linear models")}
"""The architectures ``train.py`` writes on a model's card, in words for people (one, several)."""


def plain_name(architecture, fallback):
    """A model named for a class rather than for files: "Convolutional network", "Average of 2 convolutional
    networks", from its card's architecture ("cnn", "average of 2 cnn"); ``fallback`` when it says neither."""
    words = (architecture or "").split()
    if len(words) == 1 and words[0] in KINDS:
        return KINDS[words[0]][0].capitalize()
    if len(words) == 4 and words[:2] == ["average", "of"] and words[2].isdigit() and words[3] in KINDS:
        return f"Average of {words[2]} {KINDS[words[3]][1]}"
    return fallback


class ServedModel:
    """One served model: its classifier, its explainer and where its card and pictures are."""

    def __init__(self, path, default, threads=1):
        self.path = Path(path).resolve()
        self.name = self.path.stem
        self.default = default
        self.classifier = Classifier(self.path, threads)
        self.explainer = Explainer(self.path)
        self._detector_lock = threading.Lock()
        self._detector = None
        self._detector_read = False

    @property
    def detector(self):
        """The not-a-digit detector fitted to this model file, read on first use; None when there is none, which
        is logged once as a warning (answers then say ``"not_a_digit": false``)."""
        if not self._detector_read:
            with self._detector_lock:
                if not self._detector_read:
                    try:
                        self._detector = detector_for(self.path)
                    except DetectorUnavailable as reason:
                        current_app.logger.warning("model %s: every answer says not_a_digit false: %s",
                                                   self.name, reason)
                    self._detector_read = True
        return self._detector

    @property
    def card(self):
        """The card ``train.py`` wrote beside the model."""
        return self.classifier.card

    @property
    def title(self):
        """The model's name in plain words, for pages."""
        return plain_name(self.card.get("architecture"), self.name)

    def summary(self):
        """What the model is and how well it reads (accuracy on MNIST test and on held-out drawn digits)."""
        card = self.card
        return {"name": self.name, "title": self.title, "architecture": card.get("architecture"), "parameters": card.get("parameters"),
                "mnist_test": card.get("mnist_test", {}).get("accuracy"),
                "drawn_test": {how: scores["accuracy"] for how, scores in (card.get("drawn_test") or {}).items()},
                "default": self.default}


def models_from_environment():
    """``MODELS`` as the environment gives it (comma-separated paths), or the default list."""
    text = os.environ.get("MODELS")
    return [part.strip() for part in text.split(",") if part.strip()] if text else [str(path) for path in OTHER_MODELS]


def model_threads_from_environment(default=1):
    """``MODEL_THREADS`` as the environment gives it, or ``default``; ValueError for anything but a whole number
    of 1 or more."""
    threads = os.environ.get("MODEL_THREADS")
    if threads is None:
        return default
    if not (threads.isdigit() and int(threads) >= 1):
        raise ValueError(f"MODEL_THREADS must be a whole number, 1 or more, not {threads!r}")
    return int(threads)


SERVED_MODELS = Extension[dict[str, ServedModel]]("served_models")
"""The served models by name, the default first."""


def init_app(app):
    """One ServedModel per model in ``MODEL`` and ``MODELS``, the default first, each call of each using
    ``MODEL_THREADS`` threads."""
    served = {}
    for index, path in enumerate([app.config["MODEL"], *app.config["MODELS"]]):
        model = ServedModel(path, default=index == 0, threads=app.config["MODEL_THREADS"])
        served.setdefault(model.name, model)
    SERVED_MODELS.init(app, served)
    answer_unavailable(app, ModelError)


def served_models(app=None):
    """Every served model, the default first."""
    return list(SERVED_MODELS.get(app).values())


def default_model(app=None):
    """The model that answers unless a request names another."""
    return next(iter(SERVED_MODELS.get(app).values()))


def served_by_classifier(classifier):
    """The served model whose classifier this is, or None."""
    return next((model for model in SERVED_MODELS.get().values() if model.classifier is classifier), None)


def served_model(name=None):
    """The served model called ``name`` (the default when None); an unknown name is a 400."""
    models = SERVED_MODELS.get()
    if name is None:
        return default_model()
    if not isinstance(name, str) or name not in models:
        raise InputError(f"unknown model {str(name)[:80]!r}; the served models are {', '.join(models)}")
    return models[name]
