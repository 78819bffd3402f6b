"""
Generate a synthetic city of schools and applicants as the engine's CSV files.

The same seed gives the same files. Homes cluster around schools, and each
applicant chooses among the schools nearest their cluster, so schools near
each other compete for the same children as they do in a real city.
"""

import csv
import random
from datetime import date, datetime, timedelta, timezone

# A box around Kota Depok, in degrees.
SOUTH, NORTH = -6.46, -6.34
WEST, EAST = 106.72, 106.89
WIB = timezone(timedelta(hours=7))
TRACK_WEIGHTS = {
    "domisili": 55,
    "afirmasi_ekonomi": 15,
    "afirmasi_disabilitas": 2,
    "mutasi": 4,
    "prestasi_akademik": 12,
    "prestasi_nonakademik": 12,
}
APPLICANT_HEADER = (
    "registration_number",
    "name",
    "birth_date",
    "sex",
    "track",
    "latitude",
    "longitude",
    "score",
    "submitted_at",
    "kk_issued_on",
    "recommendation",
    "choice_1",
    "choice_2",
    "choice_3",
    "verified",
)


def make_schools(count, rng):
    """Return school rows: NPSN, name, latitude, longitude, capacity."""
    schools = []
    for number in range(count):
        schools.append(
            {
                "npsn": f"{20200000 + number:08d}",
                "name": f"SMP Negeri {number + 1} Depok",
                "latitude": round(rng.uniform(SOUTH, NORTH), 6),
                "longitude": round(rng.uniform(WEST, EAST), 6),
                "capacity": 32 * rng.randint(6, 10),
            }
        )
    return schools


def _neighbours(schools, count):
    neighbours = []
    for school in schools:
        ordered = sorted(
            schools,
            key=lambda other: (
                (other["latitude"] - school["latitude"]) ** 2
                + (other["longitude"] - school["longitude"]) ** 2
            ),
        )
        neighbours.append([other["npsn"] for other in ordered[:count]])
    return neighbours


def make_applicants(count, schools, rng, choices=3):
    """Yield applicant rows as dicts keyed by the APPLICANTS.csv columns."""
    neighbours = _neighbours(schools, 8)
    tracks = list(TRACK_WEIGHTS)
    weights = list(TRACK_WEIGHTS.values())
    opening = datetime(2025, 6, 2, 8, 0, tzinfo=WIB)
    youngest = date(2013, 6, 30).toordinal()
    oldest = date(2009, 6, 1).toordinal()
    for number in range(count):
        home = rng.randrange(len(schools))
        track = rng.choices(tracks, weights)[0]
        prestasi = track.startswith("prestasi")
        chosen = rng.sample(neighbours[home], choices)
        submitted = opening + timedelta(seconds=rng.randrange(5 * 24 * 3600))
        kk = date(2024, 7, 1) - timedelta(days=rng.randrange(-30, 3000))
        yield {
            "registration_number": f"SMP-2025-{number:06d}",
            "name": f"Anak {number}",
            "birth_date": date.fromordinal(rng.randint(oldest, youngest)).isoformat(),
            "sex": rng.choice("LP"),
            "track": track,
            "latitude": round(schools[home]["latitude"] + rng.gauss(0, 0.01), 6),
            "longitude": round(schools[home]["longitude"] + rng.gauss(0, 0.01), 6),
            "score": f"{rng.randint(6000, 10000) / 100:.2f}" if prestasi else "",
            "submitted_at": submitted.isoformat(),
            "kk_issued_on": kk.isoformat(),
            "recommendation": "false",
            "choice_1": chosen[0],
            "choice_2": chosen[1] if choices > 1 else "",
            "choice_3": chosen[2] if choices > 2 else "",
            "verified": "true" if rng.random() < 0.97 else "false",
        }


def write_city(directory, schools=100, applicants=200_000, seed=2025, shuffle=False):
    """Write SCHOOLS.csv and APPLICANTS.csv into ``directory``; return paths."""
    rng = random.Random(seed)
    school_rows = make_schools(schools, rng)
    applicant_rows = list(make_applicants(applicants, school_rows, rng))
    if shuffle:
        random.Random(seed + 1).shuffle(applicant_rows)
        random.Random(seed + 2).shuffle(school_rows)
    schools_path = directory / "SCHOOLS.csv"
    applicants_path = directory / "APPLICANTS.csv"
    write_csv(schools_path, list(school_rows[0]), school_rows)
    write_csv(applicants_path, APPLICANT_HEADER, applicant_rows)
    return schools_path, applicants_path


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
