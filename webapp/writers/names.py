"""Writers' names as requests give them: checked before anything is stored or looked up under them."""

from webapp.web.errors import InputError

NAME_LENGTH = (1, 64)
NAME_PUNCTUATION = frozenset(" -_.'")


def valid_writer(name):
    """A writer's name: 1-64 letters, digits, spaces and -_.' (not only spaces); InputError otherwise."""
    shortest, longest = NAME_LENGTH
    if (not isinstance(name, str) or not shortest <= len(name) <= longest or not name.strip()
            or not all(character.isalnum() or character in NAME_PUNCTUATION for character in name)):
        raise InputError(f"\"writer\" must be {shortest}-{longest} letters, digits, spaces and -_.' "
                         "(leave it out for the general model)")
    return name
