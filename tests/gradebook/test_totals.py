from decimal import Decimal

from courses.gradebook.totals import ItemSpec, compute_total, round_half_up

ITEMS = [
    ItemSpec(1, 10, Decimal(100)),
    ItemSpec(2, 10, Decimal(100)),
    ItemSpec(3, 20, Decimal(10)),
    ItemSpec(4, None, Decimal(50)),
]


def test_weighted_mean_of_categories():
    weights = {10: Decimal(30), 20: Decimal(70), None: Decimal(0)}
    scores = {1: Decimal(80), 2: Decimal(60), 3: Decimal(9)}
    # (70 * 30 + 90 * 70) / 100 = 84
    assert compute_total(weights, ITEMS, scores) == Decimal("84.00")


def test_weights_need_not_sum_to_100():
    scores = {1: Decimal(80), 2: Decimal(60), 3: Decimal(9)}
    small = compute_total({10: 3, 20: 7, None: 0}, ITEMS, scores)
    large = compute_total({10: 30, 20: 70, None: 0}, ITEMS, scores)
    assert small == large


def test_missing_scores_excluded_or_zero():
    weights = {10: 1, 20: 1, None: 1}
    scores = {1: Decimal(80)}
    assert compute_total(weights, ITEMS, scores) == Decimal("80.00")
    # Category 10: 80/200 = 40 %, category 20: 0 %, uncategorised: 0 %.
    assert compute_total(weights, ITEMS, scores, True) == Decimal("13.33")


def test_uncategorised_items_use_their_weight():
    weights = {10: 1, None: 3}
    items = [ItemSpec(1, 10, Decimal(100)), ItemSpec(4, None, Decimal(50))]
    scores = {1: Decimal(100), 4: Decimal(25)}
    assert compute_total(weights, items, scores) == Decimal("62.50")


def test_no_counted_item_gives_none():
    assert compute_total({10: 1}, ITEMS, {}) is None
    assert compute_total({10: 0}, ITEMS, {1: Decimal(5)}) is None


def test_round_half_up():
    assert round_half_up(Decimal("84.125")) == Decimal("84.13")
    assert round_half_up(Decimal("84.135")) == Decimal("84.14")
    assert round_half_up(Decimal("84.134")) == Decimal("84.13")


def test_distribution_bands():
    from courses.gradebook.book import distribution

    bars = distribution([Decimal(5), Decimal(95), Decimal(100), Decimal(99.99), None])
    counts = [bar["count"] for bar in bars]
    assert counts == [1, 0, 0, 0, 0, 0, 0, 0, 0, 3]
    assert bars[9]["height"] == 100
    assert bars[0]["height"] == 33
    assert bars[9]["y"] == 5
    assert bars[1]["height"] == 0
