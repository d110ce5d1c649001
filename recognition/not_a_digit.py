"""Tell when a drawing is not a digit at all: a tap, a dash, a cross, a doodle of a cat.

The model always answers with a digit, often a confident one: a tap is blown
up to a bold 0, an X reads as an 8. Its probabilities cannot say "none of
these", so the detector weighs what every prediction already has at hand,
without running anything more than a few small matrix products:

- the model's features (what its last layer reads, given by the same call as
  the probabilities) in the principal directions of digits' features: how far
  they are from the nearest digit's centre there (a Mahalanobis distance under
  one shared covariance), how much of them lies outside those directions, and
  the top probability (:func:`output_statistics`);
- how much of the 28×28 input lies outside the principal directions of
  digits' inputs (:func:`input_outside_norm`): what no digit's shape explains;
- the input itself, averaged down to 14×14: its shape (a tap is a round blot,
  a dash a thick bar, a cross has no digit's strokes).

A few small dense networks, trained by ``python -m training.not_a_digit`` on
digits against doodles and synthesised marks, each give log-odds that the
drawing is not a digit; their mean above the threshold chosen on writers the
networks never learned from means "not a digit". Everything here is numpy on
a 28×28 array and a few hundred numbers: a few hundredths of a millisecond.

Parameters live beside the model (``<model>.not-a-digit.npz``, with a card
``<model>.not-a-digit.json``) and record the SHA-256 of the model file they
were fitted to: another model's features mean something else, so
:func:`detector_for` gives no detector for a model they do not belong to.
"""

import hashlib
import json
import math
from pathlib import Path

import numpy as np

OUTPUT_NAMES = ("top probability", "log distance to nearest digit", "log distance to read digit",
                "log norm outside digits' directions")

POOLED_SIDE = 14
"""The input is averaged down to this many pixels a side for the networks."""

ARRAYS = ("feature_mean", "principal_directions", "whitening", "digit_centres", "input_mean", "input_directions",
          "description_mean", "description_scale", "hidden_weights", "hidden_bias", "output_weights", "output_bias")
"""What a parameter file holds besides its ``info``; the networks' weights are stacked along a first axis."""


def parameters_path(model_path):
    """Where the detector's parameters for the model at ``model_path`` live: ``<model>.not-a-digit.npz`` beside it."""
    model_path = Path(model_path)
    return model_path.with_name(f"{model_path.stem}.not-a-digit.npz")


def card_path(model_path):
    """Where the detector's card (how it was trained, its figures) lives, beside its parameters."""
    return parameters_path(model_path).with_suffix(".json")


def sha256_of(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class DetectorUnavailable(Exception):
    """The model has no detector parameters, or they were fitted to another model file; the message says which."""


def detector_for(model_path):
    """The detector fitted to the model file at ``model_path``; DetectorUnavailable when there is none."""
    path = parameters_path(model_path)
    if not path.is_file():
        raise DetectorUnavailable(f"no not-a-digit parameters at {path}; fit them with: python -m training.not_a_digit"
                                  f" --model {model_path}")
    detector = Detector.load(path)
    if detector.model_sha256 != sha256_of(model_path):
        raise DetectorUnavailable(f"{path} was fitted to another model file than {model_path}; fit it again with: "
                                  f"python -m training.not_a_digit --model {model_path}")
    return detector


class Detector:
    """Scores how unlike a digit a drawing is; :meth:`is_not_a_digit` compares the score with the fitted threshold."""

    def __init__(self, parameters, info):
        self.parameters = {name: np.asarray(parameters[name], np.float32) for name in ARRAYS}
        self.info = info
        p = self.parameters
        self._hidden_weights = p["hidden_weights"] / p["description_scale"][None, :, None]
        self._hidden_bias = p["hidden_bias"] - np.einsum("i,mih->mh", p["description_mean"], self._hidden_weights)
        self._output_weights = p["output_weights"][:, :, 0]
        self._centres = p["digit_centres"].astype(np.float32)

    @property
    def threshold(self):
        return float(self.info["threshold"])

    @property
    def model_sha256(self):
        return self.info["model_sha256"]

    @classmethod
    def load(cls, path):
        """The detector a parameter file written by ``python -m training.not_a_digit`` describes."""
        with np.load(path, allow_pickle=False) as stored:
            return cls({name: stored[name] for name in ARRAYS}, json.loads(str(stored["info"])))

    def save(self, path):
        np.savez_compressed(path, info=np.array(json.dumps(self.info)), **self.parameters)

    def is_not_a_digit(self, image, probabilities, features):
        """Whether a 28×28 input, with the probabilities and features the model gave for it, is not a digit."""
        return self.score(image, probabilities, features) > self.threshold

    def score(self, image, probabilities, features):
        """How unlike a digit the drawing is, as log-odds; above :attr:`threshold` means not a digit.

        What :meth:`scores` gives for one row of :func:`network_inputs`, in as few numpy calls as it takes:
        this runs on every prediction.
        """
        p = self.parameters
        images = np.asarray(image, np.float32)[None]
        centred = np.asarray(features, np.float32) - p["feature_mean"]
        principal = centred @ p["principal_directions"]
        distances = np.square(principal @ p["whitening"] - self._centres).sum(axis=1)
        read = int(np.argmax(probabilities))
        outside = max(float(centred @ centred) - float(principal @ principal), 0.0)
        statistics = [float(probabilities[read]), math.log1p(float(distances.min())),
                      math.log1p(float(distances[read])), math.log1p(math.sqrt(outside))]
        row = np.concatenate([statistics, principal, input_outside_norm(images, p)[0], pooled_inputs(images)[0]],
                             dtype=np.float32)
        hidden = np.maximum(row @ self._hidden_weights + self._hidden_bias, 0.0)
        return float(((hidden * self._output_weights).sum(axis=1) + p["output_bias"]).mean())

    def scores(self, inputs):
        """The networks' mean log-odds for rows of :func:`network_inputs`.

        The standardisation of the inputs is folded into the first layer's weights.
        """
        hidden = np.maximum(np.matmul(inputs, self._hidden_weights) + self._hidden_bias[:, None], 0.0)
        logits = np.matmul(hidden, self._output_weights[:, :, None])[:, :, 0] + self.parameters["output_bias"]
        return logits.mean(axis=0)


def network_inputs(images, probabilities, features, parameters):
    """Rows of what the networks read, one per drawing: output statistics with the principal coordinates, how much of
    the input its digits' directions leave out, and the pooled input."""
    images = np.asarray(images, np.float32).reshape(-1, 28, 28)
    return np.concatenate([output_statistics(probabilities, features, parameters),
                           input_outside_norm(images, parameters), pooled_inputs(images)], axis=1, dtype=np.float32)


def pooled_inputs(images):
    """Each (28, 28) float32 input averaged down to POOLED_SIDE a side, as a row: the shape the networks read."""
    side = 28 // POOLED_SIDE
    return images.reshape(len(images), POOLED_SIDE, side, POOLED_SIDE, side).mean(axis=(2, 4)).reshape(len(images), -1)


def input_outside_norm(images, parameters):
    """A column of how much of each 28×28 input lies outside the principal directions of digits' inputs (log1p of
    the norm): a one-class view of the input, large for a shape no digit's strokes explain."""
    flat = np.asarray(images, np.float32).reshape(len(images), -1) - parameters["input_mean"]
    kept = flat @ parameters["input_directions"]
    return np.log1p(np.sqrt(np.maximum((flat ** 2).sum(axis=1) - (kept ** 2).sum(axis=1), 0.0)))[:, None]


def output_statistics(probabilities, features, parameters):
    """Rows of the numbers OUTPUT_NAMES names, then the features' coordinates in digits' principal directions.

    Takes one drawing's probabilities and features, or rows of many.
    """
    probabilities = np.atleast_2d(probabilities)
    centred = np.atleast_2d(features).astype(np.float32) - parameters["feature_mean"]
    principal = centred @ parameters["principal_directions"]
    outside = np.sqrt(np.maximum((centred ** 2).sum(axis=1) - (principal ** 2).sum(axis=1), 0.0))
    whitened = principal @ parameters["whitening"]
    distances = ((whitened[:, None, :] - parameters["digit_centres"][None]) ** 2).sum(axis=2)
    read = distances[np.arange(len(distances)), probabilities.argmax(axis=1)]
    return np.column_stack([probabilities.max(axis=1), np.log1p(distances.min(axis=1)), np.log1p(read),
                            np.log1p(outside), principal])
