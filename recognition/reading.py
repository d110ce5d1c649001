"""A model's reading of one input: the likeliest digit, how sure it is, and all ten probabilities."""

import numpy as np


def reading(probabilities):
    """Digit, confidence and probabilities (normalised to sum to 1) from ten probabilities."""
    probabilities = np.asarray(probabilities, np.float64)
    probabilities = probabilities / probabilities.sum()
    digit = int(np.argmax(probabilities))
    return {"digit": digit, "confidence": float(probabilities[digit]),
            "probabilities": [float(p) for p in probabilities]}
