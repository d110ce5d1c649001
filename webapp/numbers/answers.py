"""The answer to a number's reading: the number, how sure it is, and each digit with its box and input."""

from recognition.numbers import number_confidence
from recognition.pictures import data_url, input_png
from recognition.reading import reading
from webapp.predicting.answers import not_a_digit

UNREAD = "?"
"""What stands in ``number`` for a part that is not a digit."""


def number_answer(parts, classifier):
    """The whole answer for the digits read left to right (:class:`recognition.numbers.DigitPart`) by
    ``classifier``'s model."""
    digits = [digit_answer(part, classifier) for part in parts]
    return {"number": "".join(UNREAD if digit["not_a_digit"] else str(digit["digit"]) for digit in digits),
            "confidence": number_confidence(parts), "digits": digits}


def digit_answer(part, classifier):
    """One digit's answer: its reading, whether it is not a digit at all, its box in the picture's pixels and
    the 28×28 input the model read.

    This is the one place a part's answer is made: a part that is not a digit is marked here
    (``"not_a_digit": true``, its likeliest ``digit`` still given) and shown as ``?`` in ``number``.
    """
    return {**reading(part.probabilities), "not_a_digit": not_a_digit(classifier, part.input),
            "box": [int(value) for value in part.box], "input": data_url(input_png(part.input))}
