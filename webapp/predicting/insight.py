"""What the "Look inside" panel shows: every served model's answer, the evidence behind an answer, and
the preprocessing as it happened."""

import numpy as np

from recognition.pictures import data_url, input_png
from recognition.reading import reading
from webapp.predicting.served import served_models

READING = ("digit", "confidence", "probabilities")
"""What the comparison gives of each model's answer."""

MAP_DIGITS = 4
"""Significant digits kept of each evidence value: the page draws them in a few dozen colours."""


def comparison(image, name, known):
    """Every served model's general reading of a 28×28 input, the default first, each with its name and its
    name in plain words (``title``); ``known`` is the reading of the model called ``name``, already made."""
    readings = []
    for model in served_models():
        answer = known if model.name == name else reading(model.classifier.probabilities(image))
        readings.append({"model": model.name, "title": model.title, **{key: answer[key] for key in READING}})
    return readings


def explanation(model, image, known):
    """Why ``model`` reads the input as it does (``known``, its reading) and not as the runner-up:
    signed evidence per pixel."""
    digit = known["digit"]
    others = np.array(known["probabilities"])
    others[digit] = -1.0
    versus = int(np.argmax(others))
    evidence = model.explainer.evidence(image, digit, versus)
    return {"digit": digit, "versus": versus,
            "map": [[float(f"{value:.{MAP_DIGITS}g}") for value in row] for row in evidence]}


def preprocessing_steps(steps):
    """The stages ``to_mnist`` recorded, each as a PNG data URL, white ink on black."""
    return [{"name": name, "image": data_url(input_png(array))} for name, array in steps]
