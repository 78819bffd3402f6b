"""
Names as public ranking lists show them.

Each admission period chooses how much of a child's name the public may
see. Plain Python with no Django import, so the rule is quick to test.
"""

FULL = "full"
FIRST_NAME_INITIALS = "first_name_initials"
INITIALS = "initials"
FORMATS = (FULL, FIRST_NAME_INITIALS, INITIALS)


def _initial(word):
    # Names such as "'Aisyah" or "(Alm.)" start with punctuation: the
    # initial is the first letter or digit.
    for character in word:
        if character.isalnum():
            return f"{character.upper()}."
    return ""


def public_name(full_name, name_format):
    """
    Return ``full_name`` shortened to what ``name_format`` lets the public see.

    ``"first_name_initials"`` keeps the first word and the initials of the
    rest ("Budi Santoso Putra" becomes "Budi S. P."). ``"initials"`` keeps
    only initials ("B. S. P."). Raise ``ValueError`` for an unknown format,
    so that a typo never shows full names.
    """
    if name_format not in FORMATS:
        raise ValueError(f"unknown public name format {name_format!r}")
    words = full_name.split()
    if not words:
        return ""
    if name_format == FULL:
        return " ".join(words)
    initials = [initial for initial in map(_initial, words[1:]) if initial]
    if name_format == FIRST_NAME_INITIALS:
        return " ".join([words[0], *initials])
    return " ".join(initial for initial in [_initial(words[0]), *initials] if initial)
