"""The answer to a number's reading: the number, how sure it is, and each digit with its box and input."""

from recognition.numbers import number_confidence
from recognition.pictures import data_url, input_png
from recognition.reading import reading


def number_answer(parts):
    """The whole answer for the digits read left to right (:class:`recognition.numbers.DigitPart`)."""
    digits = [digit_answer(part) for part in parts]
    return {"number": "".join(str(digit["digit"]) for digit in digits), "confidence": number_confidence(parts),
            "digits": digits}


def digit_answer(part):
    """One digit's answer: its reading, its box in the picture's pixels and the 28×28 input the model read.

    This is the one place a part's answer is made: a part that is not a digit will be marked here
    (``"not_a_digit": true``) and shown as ``?`` in ``number``.
    """
    return {**reading(part.probabilities), "box": [int(value) for value in part.box],
            "input": data_url(input_png(part.input))}
