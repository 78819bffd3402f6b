"""
Compute a student's course total from category weights and item scores.

Plain Python with no Django import, so the arithmetic is quick to test. The
total is the weighted mean of the category percentages. Weights are
normalised over the categories that have at least one counted item, so they
need not add up to 100, and a category with nothing to count does not pull
the total down.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

UNCATEGORISED = None
HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ItemSpec:
    """The parts of a grade item that the total needs."""

    id: int
    category_id: int | None
    max_score: Decimal


def round_half_up(value):
    """Round ``value`` to two decimal places, halves away from zero."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def category_percentages(items, scores, missing_counts_as_zero):
    """
    Return ``{category_id: percentage}`` for the categories with counted items.

    ``scores`` maps item ids to effective scores. An item without a score is
    left out, or counted as zero when ``missing_counts_as_zero`` is set.
    """
    earned = {}
    possible = {}
    for item in items:
        score = scores.get(item.id)
        if score is None and not missing_counts_as_zero:
            continue
        earned[item.category_id] = earned.get(item.category_id, 0) + (score or 0)
        possible[item.category_id] = possible.get(item.category_id, 0) + Decimal(
            item.max_score
        )
    return {
        category: Decimal(earned[category]) * HUNDRED / possible[category]
        for category in earned
        if possible[category] > 0
    }


def compute_total(weights, items, scores, missing_counts_as_zero=False):
    """
    Return the student's total as a percentage rounded half-up, or ``None``.

    ``weights`` maps category ids, with ``None`` for uncategorised items, to
    their weights. ``None`` is returned when no item counts, or when every
    counted category has weight zero.
    """
    percentages = category_percentages(items, scores, missing_counts_as_zero)
    weight_sum = Decimal(0)
    weighted = Decimal(0)
    for category, percentage in percentages.items():
        weight = Decimal(weights.get(category, 0))
        weight_sum += weight
        weighted += weight * percentage
    if weight_sum <= 0:
        return None
    return round_half_up(weighted / weight_sum)
