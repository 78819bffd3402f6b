"""Small rule sets, schools and applicants written as the engine's files."""

import csv
import math
import textwrap
from pathlib import Path

from ppdb.engine import simulate
from ppdb.engine.geo import EARTH_RADIUS_M
from tests.ppdb.engine.city import APPLICANT_HEADER

DEPOK_SMP = Path(__file__).resolve().parents[3] / "ppdb/rules/depok-smp-2025.toml"

# A point in Kota Depok; test homes lie due north of their school.
ORIGIN = (-6.4, 106.8)

SMP_RULES = """
name = "SMP test"
level = "SMP"
reference_date = 2025-07-01
timezone = "Asia/Jakarta"

[selection]
mechanism = "{mechanism}"
choices = {choices}

[seats]
rounding = "floor"
remainder = "domisili"

[tracks.domisili]
share = {domisili_share}
order = {domisili_order}

[age]
maximum = "15y"
"""


def smp_rules(
    mechanism="deferred_acceptance",
    choices=3,
    domisili_share="1",
    domisili_order='["distance", "birth_date", "submitted_at"]',
    extra="",
):
    """Return the TOML of an SMP rule set, with ``extra`` appended."""
    return SMP_RULES.format(
        mechanism=mechanism,
        choices=choices,
        domisili_share=domisili_share,
        domisili_order=domisili_order,
    ) + textwrap.dedent(extra)


def north_of(point, metres):
    """Return the point ``metres`` due north of ``point``."""
    latitude, longitude = point
    return (latitude + math.degrees(metres / EARTH_RADIUS_M), longitude)


def school(npsn, capacity, point=ORIGIN, name=None, **seats):
    row = {
        "npsn": npsn,
        "name": name or f"Sekolah {npsn}",
        "latitude": f"{point[0]:.9f}",
        "longitude": f"{point[1]:.9f}",
        "capacity": str(capacity),
    }
    row.update({f"seats_{track}": str(count) for track, count in seats.items()})
    return row


def applicant(number, choices, home=ORIGIN, **fields):
    """Return an applicant row; ``home`` may be a point or metres north."""
    if isinstance(home, int | float):
        home = north_of(ORIGIN, home)
    row = {
        "registration_number": number,
        "name": f"Anak {number}",
        "birth_date": "2012-05-05",
        "sex": "L",
        "track": "domisili",
        "latitude": f"{home[0]:.9f}",
        "longitude": f"{home[1]:.9f}",
        "score": "",
        "submitted_at": "2025-06-02T08:00:00+07:00",
        "kk_issued_on": "2020-01-01",
        "recommendation": "false",
        "choice_1": "",
        "choice_2": "",
        "choice_3": "",
        "verified": "true",
    }
    for index, npsn in enumerate(choices, start=1):
        row[f"choice_{index}"] = npsn
    row.update(fields)
    return row


def write_rows(path, rows, header=None):
    header = header or list(rows[0])
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(
            file, fieldnames=header, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


class Run:
    """The files and results of one simulation in a temporary folder."""

    def __init__(self, directory, rules, schools, applicants):
        directory.mkdir(parents=True, exist_ok=True)
        self.rules_path = directory / "RULES.toml"
        self.schools_path = directory / "SCHOOLS.csv"
        self.applicants_path = directory / "APPLICANTS.csv"
        self.results_path = directory / "RESULTS.csv"
        self.explanation_path = directory / "EXPLAIN.csv"
        self.rules_path.write_text(rules, encoding="utf-8")
        write_rows(self.schools_path, schools)
        header = list(APPLICANT_HEADER)
        if any("kelurahan" in row for row in applicants):
            header.append("kelurahan")
        write_rows(self.applicants_path, applicants, header)
        self.summary = None

    def simulate(self):
        self.summary = simulate(
            self.rules_path,
            self.schools_path,
            self.applicants_path,
            self.results_path,
            self.explanation_path,
        )
        self.results = {
            row["registration_number"]: row for row in read_rows(self.results_path)
        }
        self.explanation = {}
        for row in read_rows(self.explanation_path):
            key = (row["registration_number"], int(row["choice_rank"]))
            self.explanation[key] = row
        return self


def run(tmp_path, rules, schools, applicants):
    """Simulate and return the ``Run`` with its parsed results."""
    return Run(tmp_path, rules, schools, applicants).simulate()
