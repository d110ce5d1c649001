"""Writer adaptation: read one person's digits better once they have saved a few labelled drawings.

A drawing saved under a writer's name is kept as feature vectors, the input
of the model's last layer: one for the drawing as the model read it and
``VARIANTS`` more for its strokes drawn again at other sizes, places and pens,
with a hand's variation (:mod:`recognition.variation`). Three drawings of a digit
then cover much of the range of ways that hand draws it.

A new drawing's answer is the general model's, reweighted by how closely the
drawing resembles the writer's own digits::

    score(d) = log p_general(d) + s(d) / TEMPERATURE

where s(d) is the highest cosine similarity between the drawing's features
and the writer's vectors for the digit d. A digit the writer has not taught
gets the lowest similarity among those they have, so it is neither favoured
nor ruled out. Nothing is trained: a new drawing counts from the next
prediction on, and one writer's drawings touch no one else's answers.

The constants were chosen on pen-drawn digits of writers the model had not
seen (docs/handwriting.md).
"""

import json
import zlib

import numpy as np

from recognition.preprocess import to_mnist
from recognition.strokes import render_strokes
from recognition.variation import hand_variation, natural_strokes

VARIANTS = 8
"""Extra renderings of each saved drawing's strokes."""

VARIANT_SIZES = (0.30, 0.85)
"""Longer side of a variant, as a fraction of the pad."""

VARIANT_PENS = (10.0, 28.0)
"""Pen widths of the variants, thin to bold, in pad pixels."""

TEMPERATURE = 0.02
"""How strongly resemblance to the writer's digits outweighs the general model."""

VARIANT_POINTS = 240
"""Points a variant is drawn from at most, whatever was sent: the cost of saving a drawing is bounded."""

VECTOR_FORMAT = "unit-float32"
"""How vectors are stored (unit length, float32 rows), part of their key so that another format is made again."""

def variant_inputs(strokes):
    """The model inputs of ``VARIANTS`` more renderings of a drawing's strokes, seeded by the strokes themselves."""
    if not strokes:
        return []
    rng = np.random.default_rng(zlib.crc32(json.dumps(strokes).encode()))
    strokes = thinned(strokes, VARIANT_POINTS)
    inputs = []
    for _ in range(VARIANTS):
        pen_width = rng.uniform(*VARIANT_PENS)
        varied = natural_strokes(hand_variation(strokes, rng), rng, VARIANT_SIZES, pen_width)
        image = to_mnist(render_strokes(varied, pen_width=pen_width))
        if image is not None:
            inputs.append(image)
    return inputs


def thinned(strokes, budget):
    """The strokes with at most about ``budget`` points in all (each keeps its ends and at least one point).

    Each stroke keeps its share of the budget, points evenly spread along it;
    a drawing within the budget is unchanged.
    """
    total = sum(len(stroke) for stroke in strokes)
    if total <= budget:
        return strokes
    kept = []
    for stroke in strokes:
        count = max(1, min(len(stroke), round(len(stroke) * budget / total)))
        indices = np.unique(np.linspace(0, len(stroke) - 1, count).round().astype(int))
        kept.append([stroke[index] for index in indices])
    return kept


def vectors_key(classifier):
    """What stored vectors were made by: this model file, in this format."""
    return f"{classifier.key}/{VECTOR_FORMAT}"


def drawing_vectors(classifier, image, strokes):
    """The vectors kept for one saved drawing (unit float32 rows), or None when the model gives no features."""
    _, features = classifier.outputs_batch(np.stack([image, *variant_inputs(strokes)]))
    return None if features is None else unit_rows(features).astype(np.float32)


def kept_vectors(classifier, image, strokes):
    """(key, bytes) of the vectors to store with a drawing a writer saves, or None without features."""
    vectors = drawing_vectors(classifier, image, strokes)
    return None if vectors is None else (vectors_key(classifier), vectors.tobytes())


def adapted_probabilities(probabilities, features, vectors, labels, temperature=TEMPERATURE, nearest=1,
                          prototype_weight=0.0):
    """The general probabilities reweighted by the drawing's resemblance to the writer's digits.

    ``vectors`` are unit rows, as :func:`drawing_vectors` makes them. The
    resemblance to a digit is the mean similarity of its ``nearest`` most
    similar vectors, mixed (``prototype_weight``) with the similarity to their
    mean direction, the digit's prototype. The served answer uses the defaults;
    ``bench/adaptation_choices.py`` compares the others across writers.
    """
    feature = unit_rows(np.asarray(features, np.float32))
    similarity = vectors @ feature
    if nearest == 1 and prototype_weight == 0.0:
        resemblance = np.full(10, -np.inf)
        np.maximum.at(resemblance, labels, similarity)
    else:
        resemblance = mixed_resemblance(similarity, vectors, feature, labels, nearest, prototype_weight)
    resemblance[np.isinf(resemblance)] = resemblance[np.isfinite(resemblance)].min()
    scores = np.log(np.clip(probabilities, 1e-9, 1.0)) + resemblance / temperature
    scores = np.exp(scores - scores.max())
    return scores / scores.sum()


def mixed_resemblance(similarity, vectors, feature, labels, nearest, prototype_weight):
    """Per digit: the mean of the ``nearest`` highest similarities, mixed with the prototype's; -inf untaught."""
    resemblance = np.full(10, -np.inf)
    for digit in np.unique(labels):
        mine = labels == digit
        closest = np.sort(similarity[mine])[::-1][:nearest].mean()
        prototype = float(unit_rows(vectors[mine].mean(axis=0)) @ feature)
        resemblance[digit] = (1 - prototype_weight) * closest + prototype_weight * prototype
    return resemblance


def unit_rows(rows):
    """Rows scaled to unit length (a zero row stays zero)."""
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-9)
