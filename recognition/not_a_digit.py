"""Tell when a drawing is not a digit at all: a tap, a dash, a cross, a doodle of a cat.

The model always answers with a digit, often a confident one: a tap is blown
up to a bold 0, an X reads as an 8. Its probabilities cannot say "none of
these", so the detector weighs what every prediction already has at hand,
without running anything more than a few small matrix products:

- the 28×28 input's shape (:func:`shape_statistics`): how wide its strokes are
  for its extent, how much line there is, whether it is one straight line and
  at what angle, how many pieces and enclosed holes it has;
- the model's features (what its last layer reads, given by the same call as
  the probabilities) in the principal directions of digits' features: how far
  they are from the nearest digit's centre there (a Mahalanobis distance under
  one shared covariance), how much of them lies outside those directions, and
  the top probability (:func:`output_statistics`);
- the input itself, averaged down to 14×14.

A few small dense networks, trained by ``python -m training.not_a_digit`` on
digits against doodles and synthesised marks, each give log-odds that the
drawing is not a digit; their mean above the threshold chosen on writers the
networks never learned from means "not a digit". Everything here is numpy and
SciPy on a 28×28 array: about 0.05 ms a drawing.

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
from scipy import ndimage

from recognition.preprocess import INK_LEVEL

SHAPE_NAMES = ("log height/width", "box filled", "log extent in stroke widths", "log line length / extent",
               "straightness", "uprightness", "flat straightness", "pieces", "holes")

OUTPUT_NAMES = ("top probability", "log distance to nearest digit", "log distance to read digit",
                "log norm outside digits' directions")

POOLED_SIDE = 14
"""The input is averaged down to this many pixels a side for the networks."""

MOST_COUNTED = 6
"""Pieces and holes are counted up to this many."""

EIGHT_NEIGHBOURS = np.ones((3, 3), bool)

ARRAYS = ("feature_mean", "principal_directions", "whitening", "digit_centres", "description_mean",
          "description_scale", "hidden_weights", "hidden_bias", "output_weights", "output_bias")
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
        """How unlike a digit the drawing is, as log-odds; above :attr:`threshold` means not a digit."""
        return float(self.scores(network_inputs(image[None], probabilities, features, self.parameters))[0])

    def scores(self, inputs):
        """The networks' mean log-odds for rows of :func:`network_inputs`.

        The standardisation of the inputs is folded into the first layer's weights.
        """
        hidden = np.maximum(np.matmul(inputs, self._hidden_weights) + self._hidden_bias[:, None], 0.0)
        logits = np.matmul(hidden, self._output_weights[:, :, None])[:, :, 0] + self.parameters["output_bias"]
        return logits.mean(axis=0)


def network_inputs(images, probabilities, features, parameters):
    """Rows of what the networks read, one per drawing: shape statistics, output statistics with the principal
    coordinates, and the pooled input."""
    images = np.asarray(images, np.float32).reshape(-1, 28, 28)
    count = len(images)
    shapes = np.stack([shape_statistics(image) for image in images]) if count > 1 else shape_statistics(images[0])[None]
    side = 28 // POOLED_SIDE
    pooled = images.reshape(count, POOLED_SIDE, side, POOLED_SIDE, side).mean(axis=(2, 4)).reshape(count, -1)
    outputs = output_statistics(probabilities, features, parameters)
    return np.concatenate([shapes, outputs, pooled], axis=1, dtype=np.float32)


def shape_statistics(image):
    """The numbers SHAPE_NAMES names, for one 28×28 input.

    Stroke width is estimated as 2 × area / length of the ink's outline, exact
    for a long line; straightness and uprightness come from the principal axes
    of the ink's second moments. Holes are pieces less the Euler number, which
    2×2 windows give without labelling the background.
    """
    mask = image > INK_LEVEL
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return np.zeros(len(SHAPE_NAMES))
    height, width = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    span = max(height, width)
    area = int(np.count_nonzero(mask))
    stroke = max(2.0 * area / max(_outline(mask), 1), 1.0)
    straightness, uprightness = _axes(image)
    pieces = ndimage.label(mask, structure=EIGHT_NEIGHBOURS)[1]
    holes = pieces - _euler_number(mask)
    return np.array([
        math.log(height / width),
        area / (height * width),
        math.log(span / stroke),
        math.log(area / stroke / span),
        straightness,
        uprightness,
        straightness * (1.0 - uprightness) / 2.0,
        min(pieces, MOST_COUNTED),
        min(max(holes, 0), MOST_COUNTED),
    ])


def _outline(mask):
    """Length of the ink's outline: sides between an ink pixel and a background one (the input's border is
    background)."""
    return int(np.count_nonzero(mask[1:] != mask[:-1]) + np.count_nonzero(mask[:, 1:] != mask[:, :-1])
               + np.count_nonzero(mask[[0, -1]]) + np.count_nonzero(mask[:, [0, -1]]))


def _euler_number(mask):
    """Pieces (8-connected) minus holes (4-connected) of a mask, by Gray's count of 2×2 patterns."""
    padded = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), np.uint8)
    padded[1:-1, 1:-1] = mask
    quad = padded[:-1, :-1] + 2 * padded[:-1, 1:] + 4 * padded[1:, :-1] + 8 * padded[1:, 1:]
    counts = np.bincount(quad.ravel(), minlength=16).tolist()
    ones = counts[1] + counts[2] + counts[4] + counts[8]
    threes = counts[7] + counts[11] + counts[13] + counts[14]
    return (ones - threes - 2 * (counts[6] + counts[9])) // 4


COORDINATES = np.arange(28, dtype=np.float64)
SQUARES = COORDINATES ** 2


def _axes(image):
    """(log of the ratio of the ink's principal second moments, cos 2θ of its main axis from vertical).

    Straightness is near 0 for a round blob and large for a line; uprightness
    is 1 for a vertical main axis and -1 for a horizontal one.
    """
    weights = image.astype(np.float64)
    total = max(float(weights.sum()), 1e-9)
    by_row, by_col = weights.sum(axis=1), weights.sum(axis=0)
    mean_y, mean_x = float(by_row @ COORDINATES) / total, float(by_col @ COORDINATES) / total
    var_y = float(by_row @ SQUARES) / total - mean_y ** 2 + 1 / 12
    var_x = float(by_col @ SQUARES) / total - mean_x ** 2 + 1 / 12
    cov = float(COORDINATES @ weights @ COORDINATES) / total - mean_y * mean_x
    spread = math.hypot((var_y - var_x) / 2, cov)
    major, minor = (var_y + var_x) / 2 + spread, max((var_y + var_x) / 2 - spread, 1e-9)
    uprightness = (var_y - var_x) / (2 * spread) if spread > 1e-12 else 0.0
    return math.log(major / minor), uprightness


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
