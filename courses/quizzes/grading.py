"""
Grade one answer against one question, without Django.

Answers arrive as the JSON stored on ``quizzes.Answer.data``:

- single, multiple: ``{"choices": [choice ids]}``
- true/false: ``{"value": true or false}``
- short answer, essay: ``{"text": "..."}``
- numeric: ``{"value": "decimal as a string"}``

``grade`` returns the points earned, or ``None`` for an essay, which a
teacher grades by hand.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
SHORT = "short"
NUMERIC = "numeric"
ESSAY = "essay"


@dataclass(frozen=True)
class Key:
    """The correct answer of a question, in the form ``grade`` compares."""

    kind: str
    correct_choices: frozenset = field(default_factory=frozenset)
    correct_boolean: bool | None = None
    accepted_texts: tuple = ()
    number: Decimal | None = None
    tolerance: Decimal = Decimal(0)


def normalise_text(value):
    """Strip, collapse inner whitespace and casefold, for short answers."""
    return " ".join(str(value).split()).casefold()


def parse_decimal(value):
    """Return ``value`` as a finite Decimal, or ``None`` when it is no number."""
    if isinstance(value, bool) or value is None:
        return None
    # Indonesian writes the decimal separator as a comma.
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def is_correct(key, data):
    """Return whether ``data`` answers the question of ``key`` correctly."""
    data = data or {}
    if key.kind in (SINGLE, MULTIPLE):
        # All or nothing: a several-answer question earns its points only for
        # exactly the set of correct choices, with no partial credit.
        chosen = frozenset(data.get("choices") or ())
        return bool(chosen) and chosen == key.correct_choices
    if key.kind == TRUE_FALSE:
        value = data.get("value")
        return isinstance(value, bool) and value == key.correct_boolean
    if key.kind == SHORT:
        given = normalise_text(data.get("text", ""))
        accepted = {normalise_text(text) for text in key.accepted_texts}
        return bool(given) and given in accepted
    if key.kind == NUMERIC:
        number = parse_decimal(data.get("value"))
        if number is None or key.number is None:
            return False
        return abs(number - key.number) <= key.tolerance
    raise ValueError(f"question kind {key.kind!r} has no automatic grading")


def grade(key, data, points):
    """Return the points ``data`` earns out of ``points``, or ``None``."""
    if key.kind == ESSAY:
        return None
    return Decimal(points) if is_correct(key, data) else Decimal(0)
