"""Writers' names as requests give them: checked before anything is stored or looked up under them.

A name is taken in Unicode NFC with its ends trimmed, so that the same name typed
on different keyboards is one name. It may hold letters, combining marks and
digits of any script, spaces and -_.', and at least one letter or digit.

Two names are the same writer when their *skeletons* are equal: NFKC, case-folded,
runs of spaces made one, and the Cyrillic and Greek letters that look like Latin
ones read as those Latin letters. So "Ada", "ada", "Ａｄａ" (fullwidth) and "Аda"
(a Cyrillic А) are all one writer, whoever claimed it first; the full Unicode
confusables list is not applied (lookalikes across other scripts stay apart).
"""

import re
import unicodedata

from webapp.web.errors import InputError

NAME_LENGTH = (1, 64)
NAME_PUNCTUATION = frozenset(" -_.'")
NAME_CATEGORIES = ("L", "M", "N")

LATIN_LOOKALIKES = str.maketrans({
    **dict(zip("авеёзікјмнорстухѕһԁԛԝ", "abee3ikjmhopctyxshdqw")),
    **dict(zip("αβεζηικμνορτυχ", "abezhikmnoptyx")),
})
"""Cyrillic and Greek letters (case-folded) read as the Latin letter they, or their capital, look like."""


def valid_writer(name):
    """A writer's name in NFC, trimmed: 1-64 letters, marks, digits, spaces and -_.', with a letter or digit;
    InputError otherwise."""
    shortest, longest = NAME_LENGTH
    if isinstance(name, str):
        name = unicodedata.normalize("NFC", name).strip()
    if (not isinstance(name, str) or not shortest <= len(name) <= longest
            or not all(allowed(character) for character in name)
            or not any(unicodedata.category(character)[0] in "LN" for character in name)):
        raise InputError(f"\"writer\" must be {shortest}-{longest} letters, digits, spaces and -_.' "
                         "with at least one letter or digit (leave it out for the general model)")
    return name


def allowed(character):
    return character in NAME_PUNCTUATION or unicodedata.category(character)[0] in NAME_CATEGORIES


def skeleton(name):
    """What two names must share to be one writer (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"\s+", " ", folded).strip().translate(LATIN_LOOKALIKES)
