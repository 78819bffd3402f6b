"""Input files: every invalid row reported by line, and stable output bytes."""

import random

import pytest

from ppdb.engine import InputError, simulate
from tests.ppdb.engine.city import write_city
from tests.ppdb.engine.helpers import (
    DEPOK_SMP,
    Run,
    applicant,
    read_rows,
    school,
    smp_rules,
    write_rows,
)

X = "20200001"
Y = "20200002"


def failing_run(tmp_path, applicants, rules=None, schools=None):
    files = Run(
        tmp_path,
        rules or smp_rules(choices=2),
        schools or [school(X, 5), school(Y, 5)],
        applicants,
    )
    with pytest.raises(InputError) as error:
        files.simulate()
    assert not files.results_path.exists()
    assert not files.explanation_path.exists()
    assert list(tmp_path.glob(".*.tmp")) == []
    return [(problem.line, problem.code) for problem in error.value.problems]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"birth_date": "2012-02-30"}, "invalid_date"),
        ({"birth_date": "05/05/2012"}, "invalid_date"),
        ({"kk_issued_on": "2020-13-01"}, "invalid_date"),
        ({"submitted_at": "2025-06-02T08:00:00"}, "invalid_timestamp"),
        ({"track": "zonasi"}, "unknown_track"),
        ({"sex": "X"}, "invalid_sex"),
        ({"latitude": "-96.4"}, "invalid_coordinate"),
        ({"longitude": "timur"}, "invalid_coordinate"),
        ({"score": "-1"}, "invalid_score"),
        ({"score": "NaN"}, "invalid_score"),
        ({"verified": "ya"}, "invalid_boolean"),
        ({"registration_number": ""}, "missing_value"),
        ({"choice_1": "20209999"}, "unknown_school"),
        ({"choice_1": ""}, "no_choice"),
        ({"choice_2": X}, "repeated_choice"),
        ({"choice_3": Y}, "choice_gap"),
    ],
)
def test_invalid_field_reported_with_line(tmp_path, fields, code):
    rows = [applicant("A", [X], 100), applicant("B", [X], 200, **fields)]

    assert failing_run(tmp_path, rows) == [(3, code)]


def test_more_choices_than_allowed(tmp_path):
    rows = [applicant("A", [X], 100), applicant("B", [X, Y], 200)]

    assert failing_run(tmp_path, rows, rules=smp_rules(choices=1)) == [
        (3, "too_many_choices")
    ]


def test_every_bad_row_listed(tmp_path):
    rows = [
        applicant("A", [X], 100, birth_date="kemarin"),
        applicant("B", [X], 200),
        applicant("C", [X], 300, track="zonasi"),
        applicant("A", [X], 400),
    ]

    assert failing_run(tmp_path, rows) == [
        (2, "invalid_date"),
        (4, "unknown_track"),
        (5, "repeated_registration_number"),
    ]


def test_whitespace_around_values_accepted(tmp_path):
    row = applicant("A", [X], 100, sex=" P ", choice_1=f" {X}", verified="TRUE")
    result = Run(tmp_path, smp_rules(), [school(X, 5)], [row]).simulate()

    assert result.results["A"]["status"] == "accepted"


def test_missing_column_reported(tmp_path):
    files = Run(tmp_path, smp_rules(), [school(X, 5)], [applicant("A", [X], 100)])
    rows = read_rows(files.applicants_path)
    header = [name for name in rows[0] if name != "verified"]
    write_rows(files.applicants_path, rows, header)

    with pytest.raises(InputError) as error:
        files.simulate()

    problem = error.value.problems[0]
    assert (problem.line, problem.code) == (1, "missing_column")
    assert problem.params == {"column": "verified"}
    assert not files.results_path.exists()


def test_short_row_reported(tmp_path):
    files = Run(tmp_path, smp_rules(), [school(X, 5)], [applicant("A", [X], 100)])
    with open(files.applicants_path, "a", encoding="utf-8") as file:
        file.write("B,Anak B,2012-01-01\n")

    with pytest.raises(InputError) as error:
        files.simulate()

    assert [(p.line, p.code) for p in error.value.problems] == [
        (3, "wrong_field_count")
    ]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"npsn": "2020001"}, "invalid_npsn"),
        ({"capacity": "-3"}, "invalid_count"),
        ({"latitude": ""}, "invalid_coordinate"),
        ({"npsn": X}, "repeated_npsn"),
    ],
)
def test_invalid_school_reported(tmp_path, fields, code):
    schools = [school(X, 5), {**school(Y, 5), **fields}]
    files = Run(tmp_path, smp_rules(), schools, [applicant("A", [X], 100)])

    with pytest.raises(InputError) as error:
        files.simulate()

    assert [(p.line, p.code) for p in error.value.problems] == [(3, code)]
    assert not files.results_path.exists()


def test_seat_column_of_unknown_track(tmp_path):
    files = Run(
        tmp_path,
        smp_rules(),
        [school(X, 5, mutasi=1)],
        [applicant("A", [X], 100)],
    )

    with pytest.raises(InputError) as error:
        files.simulate()

    assert [(p.line, p.code) for p in error.value.problems] == [(1, "unknown_track")]


def test_failed_run_keeps_previous_results(tmp_path):
    files = Run(tmp_path, smp_rules(), [school(X, 5)], [applicant("A", [X], 100)])
    files.results_path.write_text("previous\n")
    with open(files.applicants_path, "a", encoding="utf-8") as file:
        file.write("B,,,,,,,,,,,,,,\n")

    with pytest.raises(InputError):
        files.simulate()

    assert files.results_path.read_text() == "previous\n"


def test_output_format(tmp_path):
    result = Run(
        tmp_path,
        smp_rules(),
        [school(X, 1)],
        [applicant("B", [X], 200), applicant("A", [X], 100)],
    ).simulate()
    data = result.results_path.read_bytes()

    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    assert data.decode("utf-8").splitlines() == [
        "registration_number,status,npsn,choice_rank,track,rank,distance_m,reason",
        f"A,accepted,{X},1,domisili,1,100,accepted",
        "B,not_accepted,,,domisili,,,below_cutoff",
    ]
    assert result.explanation_path.read_text().splitlines()[0] == (
        "registration_number,choice_rank,npsn,outcome,rank,cutoff"
    )


def simulate_city(directory, shuffle):
    directory.mkdir()
    schools, applicants = write_city(
        directory, schools=12, applicants=3000, seed=7, shuffle=shuffle
    )
    summary = simulate(
        DEPOK_SMP,
        schools,
        applicants,
        directory / "RESULTS.csv",
        directory / "EXPLAIN.csv",
    )
    return summary, directory


def test_row_order_does_not_change_output(tmp_path):
    first, first_dir = simulate_city(tmp_path / "sorted", shuffle=False)
    second, second_dir = simulate_city(tmp_path / "shuffled", shuffle=True)

    assert first_dir.joinpath("APPLICANTS.csv").read_bytes() != (
        second_dir.joinpath("APPLICANTS.csv").read_bytes()
    )
    assert first.input_hash == second.input_hash
    for name in ("RESULTS.csv", "EXPLAIN.csv"):
        assert first_dir.joinpath(name).read_bytes() == (
            second_dir.joinpath(name).read_bytes()
        )
    statuses = {row["status"] for row in read_rows(first_dir / "RESULTS.csv")}
    assert statuses == {"accepted", "not_accepted", "ineligible"}


def test_changed_input_changes_hash(tmp_path):
    first, first_dir = simulate_city(tmp_path / "a", shuffle=False)
    rows = read_rows(first_dir / "APPLICANTS.csv")
    rows[random.Random(1).randrange(len(rows))]["birth_date"] = "2011-01-01"
    write_rows(first_dir / "APPLICANTS.csv", rows)

    second = simulate(
        DEPOK_SMP,
        first_dir / "SCHOOLS.csv",
        first_dir / "APPLICANTS.csv",
        first_dir / "RESULTS.csv",
    )

    assert second.input_hash != first.input_hash


def test_column_order_does_not_change_hash(tmp_path):
    rows = [applicant("A", [X], 100), applicant("B", [X], 200)]
    first = Run(tmp_path / "a", smp_rules(), [school(X, 5)], rows)
    second = Run(tmp_path / "b", smp_rules(), [school(X, 5)], rows)
    for path in (second.schools_path, second.applicants_path):
        table = read_rows(path)
        write_rows(path, table, list(reversed(list(table[0]))))

    assert first.simulate().summary.input_hash == (second.simulate().summary.input_hash)


def test_long_problem_list_is_cut(tmp_path):
    rows = [applicant(f"R{n:03d}", [X], 100, sex="X") for n in range(150)]
    files = Run(tmp_path, smp_rules(), [school(X, 5)], rows)

    with pytest.raises(InputError) as error:
        files.simulate()

    problems = error.value.problems
    assert len(problems) == 101
    assert problems[99].line == 101
    assert problems[-1].code == "more_problems"
    assert problems[-1].params == {"count": 50}
