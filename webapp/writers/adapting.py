"""Answers adapted to one writer, from the drawings they saved (the arithmetic is :mod:`recognition.adaptation`)."""

import json

import numpy as np

from recognition.adaptation import adapted_probabilities, drawing_vectors, vectors_key
from recognition.pictures import input_from_png
from recognition.reading import reading
from webapp.storage import samples
from webapp.storage.databases import DatabaseUnavailable, SchemaError

NOT_ADAPTED = "the answer is not adapted: the drawings database cannot be reached"
NEWER_DATABASE = "the answer is not adapted: the drawings database was written by a newer version of Digit Pad"


def adapted_answer(answer, features, classifier, writer):
    """``answer`` (the general one, for an input with these ``features``) adapted to ``writer``'s saved
    drawings, carrying the general answer too; unchanged when the writer has none or the model no features."""
    if features is None:
        return answer
    try:
        vectors, labels, drawings = writer_support(classifier, writer)
    except DatabaseUnavailable:
        return {**answer, "warning": NOT_ADAPTED}
    except SchemaError:
        return {**answer, "warning": NEWER_DATABASE}
    if vectors is None:
        return answer
    general = {key: answer[key] for key in ("digit", "confidence", "probabilities")}
    adapted = reading(adapted_probabilities(general["probabilities"], features, vectors, labels))
    return {**answer, **adapted, "adapted": True, "writer": writer, "writer_samples": drawings, "general": general}


def writer_support(classifier, writer):
    """(vectors, one label per vector, drawings) of a writer's saved drawings for this model.

    Drawings saved under another model have their vectors made again, once, from their strokes and input.
    """
    vectors, labels, drawings = [], [], 0
    key = vectors_key(classifier)
    for row in samples.writer_vectors(writer, key):
        drawings += 1
        if row["vectors"] is None:
            kept = drawing_vectors(classifier, input_from_png(row["input_png"]), json.loads(row["strokes"]))
            if kept is None:
                continue
            samples.store_vectors(row["id"], key, kept.tobytes())
        else:
            kept = np.frombuffer(row["vectors"], np.float32).reshape(-1, classifier.feature_count)
        vectors.append(kept)
        labels.append(np.full(len(kept), row["label"]))
    if not vectors:
        return None, None, drawings
    return np.concatenate(vectors), np.concatenate(labels), drawings
