"""Answers adapted to one writer, from the drawings they saved (the arithmetic is :mod:`recognition.adaptation`)."""

import json

import numpy as np

from recognition.adaptation import adapted_probabilities, drawing_vectors, vectors_key
from recognition.pictures import input_from_png
from recognition.reading import reading
from webapp.storage import samples
from webapp.storage.databases import DatabaseUnavailable, SchemaError
from webapp.writers.owners import keyed_writer

NOT_ADAPTED = "the answer is not adapted: the drawings database cannot be reached"
NEWER_DATABASE = "the answer is not adapted: the drawings database was written by a newer version of Digit Pad"


def adapted_answer(answer, features, classifier, name, key):
    """``answer`` (the general one, for an input with these ``features``) adapted to the saved drawings of the
    writer ``name`` names, carrying the general answer too, when ``key`` is theirs; unchanged when it is not,
    when nobody holds the name, when the writer has no drawings or the model no features, so that an answer
    never tells whether a name is in use."""
    if features is None:
        return answer
    try:
        writer = keyed_writer(name, key)
        if writer is None:
            return answer
        vectors, labels, drawings = writer_support(classifier, writer)
    except DatabaseUnavailable:
        return {**answer, "warning": NOT_ADAPTED}
    except SchemaError:
        return {**answer, "warning": NEWER_DATABASE}
    if vectors is None:
        return answer
    general = {field: answer[field] for field in ("digit", "confidence", "probabilities")}
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
