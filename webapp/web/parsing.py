"""What a request says besides its picture: its JSON object, yes/no flags, whole numbers and pen strokes, checked.

Anything malformed is an :class:`InputError`, answered with a 400 that says what was expected.
"""

import math

from flask import request

from webapp.web.errors import InputError

MAX_STROKES = 100
MAX_POINTS = 20_000
MAX_MAGNITUDE = 1e12
FLAGS = {"": False, "0": False, "false": False, "no": False, "1": True, "true": True, "yes": True}


def json_object(given_request=None):
    """The request's JSON body, which must be an object."""
    given_request = given_request or request
    try:
        payload = given_request.get_json(silent=True)
    except RecursionError:
        payload = None
    if payload is None:
        raise InputError("body is not valid JSON")
    if not isinstance(payload, dict):
        raise InputError("JSON body must be an object")
    return payload


def parse_flag(name, value):
    """A yes/no option: JSON true or false, or the text 1/0, true/false or yes/no (empty is no)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in FLAGS:
        return FLAGS[value.lower()]
    raise InputError(f"{name} must be true or false (1 or 0)")


def query_flag(name):
    """A yes/no query parameter (absent is no)."""
    return parse_flag(name, request.args.get(name, ""))


def query_whole_number(name, default, largest):
    """A query parameter that must be ASCII digits from 1 to ``largest``."""
    text = request.args.get(name, str(default))
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(largest))
            and 1 <= int(text) <= largest):
        raise InputError(f"{name} must be a whole number from 1 to {largest}")
    return int(text)


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
