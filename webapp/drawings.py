"""What a saved drawing's request must hold besides its picture: a digit label and pen strokes within limits."""

import math

from webapp.errors import InputError

MAX_STROKES = 100
MAX_POINTS = 20_000
MAX_MAGNITUDE = 1e12


def valid_label(label):
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise InputError("\"label\" must be a whole number from 0 to 9")
    return label


def valid_strokes(strokes):
    """Strokes as lists of [x, y] or [x, y, t] points, within size limits."""
    if not isinstance(strokes, list) or len(strokes) > MAX_STROKES:
        raise InputError(f"\"strokes\" must be a list of at most {MAX_STROKES} strokes")
    points = 0
    for stroke in strokes:
        if not isinstance(stroke, list) or not stroke:
            raise InputError("each stroke must be a non-empty list of points")
        points += len(stroke)
        if points > MAX_POINTS:
            raise InputError(f"at most {MAX_POINTS} points in all")
        for point in stroke:
            if not (isinstance(point, list) and len(point) in (2, 3)
                    and all(_finite_number(value) for value in point)):
                raise InputError("each point must be [x, y] or [x, y, time] with finite numbers")
    return strokes


def _finite_number(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_MAGNITUDE)
