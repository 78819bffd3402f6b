from decimal import Decimal

import pytest

from courses.quizzes import grading
from courses.quizzes.grading import Key

SINGLE = Key(kind=grading.SINGLE, correct_choices=frozenset({2}))
MULTIPLE = Key(kind=grading.MULTIPLE, correct_choices=frozenset({1, 2}))
TRUE_FALSE = Key(kind=grading.TRUE_FALSE, correct_boolean=False)
SHORT = Key(kind=grading.SHORT, accepted_texts=("Jakarta Pusat", "Monas"))
NUMERIC = Key(kind=grading.NUMERIC, number=Decimal("2.5"), tolerance=Decimal("0.1"))
EXACT = Key(kind=grading.NUMERIC, number=Decimal("0.3"), tolerance=Decimal(0))

CASES = [
    (SINGLE, {"choices": [2]}, True),
    (SINGLE, {"choices": [1]}, False),
    (SINGLE, {"choices": []}, False),
    (SINGLE, {}, False),
    (MULTIPLE, {"choices": [1, 2]}, True),
    (MULTIPLE, {"choices": [2, 1]}, True),
    (MULTIPLE, {"choices": [1]}, False),
    (MULTIPLE, {"choices": [1, 2, 3]}, False),
    (TRUE_FALSE, {"value": False}, True),
    (TRUE_FALSE, {"value": True}, False),
    (TRUE_FALSE, {"value": "false"}, False),
    (TRUE_FALSE, {}, False),
    (SHORT, {"text": "jakarta pusat"}, True),
    (SHORT, {"text": "  JAKARTA   Pusat "}, True),
    (SHORT, {"text": "MONAS"}, True),
    (SHORT, {"text": "Jakarta"}, False),
    (SHORT, {"text": ""}, False),
    (NUMERIC, {"value": "2.5"}, True),
    (NUMERIC, {"value": "2.6"}, True),
    (NUMERIC, {"value": "2.4"}, True),
    (NUMERIC, {"value": "2.61"}, False),
    (NUMERIC, {"value": "2,55"}, True),
    (NUMERIC, {"value": "dua"}, False),
    (NUMERIC, {"value": "NaN"}, False),
    (NUMERIC, {"value": "Infinity"}, False),
    (EXACT, {"value": "0.3"}, True),
    (EXACT, {"value": "0.30000000000000004"}, False),
]


@pytest.mark.parametrize(("key", "data", "expected"), CASES)
def test_is_correct_per_kind(key, data, expected):
    assert grading.is_correct(key, data) is expected


def test_grade_gives_full_points_or_none():
    assert grading.grade(SINGLE, {"choices": [2]}, "3") == Decimal(3)
    assert grading.grade(SINGLE, {"choices": [1]}, "3") == Decimal(0)


def test_grade_leaves_essay_for_teacher():
    essay = Key(kind=grading.ESSAY)
    assert grading.grade(essay, {"text": "panjang"}, 5) is None


def test_normalise_text_casefolds_and_collapses():
    assert grading.normalise_text("  Straße \t Besar\n") == "strasse besar"
