"""
Schools and applicants read from CSV files, with every invalid row reported.

Both readers check the whole file and raise one ``InputError`` listing each
invalid row with its line number, so a file is either used whole or not at
all. Rows come out sorted by their identifier, so the order of the file never
changes a result.
"""

import csv
import hashlib
import itertools
import operator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .errors import ProblemList, gettext_noop
from .geo import Point
from .rules import MAX_CHOICES, TRACKS

SCHOOL_COLUMNS = ("npsn", "name", "latitude", "longitude", "capacity")
APPLICANT_COLUMNS = (
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
# Needed only by a catchment by kelurahan: the home's 10-digit Kemendagri code.
OPTIONAL_APPLICANT_COLUMNS = ("kelurahan",)
BOOLEANS = {"true": True, "false": False}
_OPTIONAL_BOOLEANS = {"true", "false", ""}
_SEXES = {"L", "P"}
_TRACKS = set(TRACKS)
# Separates a row's fields in the input digest: the ASCII unit separator,
# which does not occur in ordinary CSV text.
_SEPARATOR = "\x1f"

MESSAGE_INVALID = gettext_noop("%(column)s is %(value)s: expected %(expected)s.")
MESSAGE_MISSING = gettext_noop("%(column)s is empty.")


class School:
    __slots__ = ("npsn", "name", "point", "capacity", "seat_overrides", "line")

    def __init__(self, npsn, name, point, capacity, seat_overrides, line):
        self.npsn = npsn
        self.name = name
        self.point = point
        self.capacity = capacity
        self.seat_overrides = seat_overrides
        self.line = line


class Applicant:
    """
    One applicant row. ``submitted_at`` is in whole seconds since the epoch.

    ``choices`` contains the chosen NPSNs, first choice first.
    """

    __slots__ = (
        "registration_number",
        "name",
        "birth_date",
        "sex",
        "track",
        "point",
        "score",
        "submitted_at",
        "kk_issued_on",
        "recommendation",
        "choices",
        "verified",
        "kelurahan",
        "line",
    )

    def __init__(
        self,
        registration_number,
        name,
        birth_date,
        sex,
        track,
        point,
        score,
        submitted_at,
        kk_issued_on,
        recommendation,
        choices,
        verified,
        kelurahan,
        line,
    ):
        self.registration_number = registration_number
        self.name = name
        self.birth_date = birth_date
        self.sex = sex
        self.track = track
        self.point = point
        self.score = score
        self.submitted_at = submitted_at
        self.kk_issued_on = kk_issued_on
        self.recommendation = recommendation
        self.choices = choices
        self.verified = verified
        self.kelurahan = kelurahan
        self.line = line


def _open_csv(path):
    # utf-8-sig accepts the byte-order mark spreadsheet programs write.
    return open(path, encoding="utf-8-sig", newline="")


def _header(reader, problems, required, optional=()):
    """
    Read the header row; return its column names and each known column's index.

    Return ``(header, None)`` when a required column is missing.
    """
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        problems.add(1, "empty_file", gettext_noop("The file is empty."))
        return [], None
    positions = {}
    for index, name in enumerate(header):
        if name in positions:
            problems.add(
                1,
                "repeated_column",
                gettext_noop("The column %(column)s appears twice."),
                column=name,
            )
        positions[name] = index
    for name in required:
        if name not in positions:
            problems.add(
                1,
                "missing_column",
                gettext_noop("The column %(column)s is missing."),
                column=name,
            )
    if problems:
        return header, None
    known = (*required, *optional)
    return header, {name: positions[name] for name in known if name in positions}


def _digest(lines):
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _coordinates(fields, problems, line):
    values = []
    for column, limit in (("latitude", 90), ("longitude", 180)):
        text = fields[column]
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not -limit <= value <= limit:
            problems.add(
                line,
                "invalid_coordinate",
                gettext_noop(
                    "%(column)s is %(value)s: expected a decimal number of degrees "
                    "from -%(limit)s to %(limit)s."
                ),
                column=column,
                value=repr(text),
                limit=limit,
            )
            return None
        values.append(value)
    return Point(*values)


def read_schools(path, tracks):
    """
    Read the schools of SCHOOLS.csv; return them sorted by NPSN and a digest.

    ``seats_<track>`` columns, where present and not empty, override the
    seats computed from the capacity for that track.
    """
    problems = ProblemList(str(path))
    with _open_csv(path) as file:
        reader = csv.reader(file)
        header, columns = _header(reader, problems, SCHOOL_COLUMNS)
        problems.raise_if_any()
        seat_columns = {}
        for index, name in enumerate(header):
            if not name.startswith("seats_"):
                continue
            track = name.removeprefix("seats_")
            if track not in TRACKS or track not in tracks:
                problems.add(
                    1,
                    "unknown_track",
                    gettext_noop(
                        "The column %(column)s names no track of the rule set."
                    ),
                    column=name,
                )
            seat_columns[track] = index
        # The digest reads the columns in a fixed order, whatever the file's.
        canonical = [columns[name] for name in SCHOOL_COLUMNS]
        canonical += [seat_columns[track] for track in sorted(seat_columns)]
        schools = {}
        lines = []
        for row in reader:
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(header):
                _wrong_width(problems, line, len(header), len(row))
                continue
            school = _school(row, columns, seat_columns, problems, line)
            if school is None:
                continue
            if school.npsn in schools:
                problems.add(
                    line,
                    "repeated_npsn",
                    gettext_noop("NPSN %(value)s already appears on line %(other)s."),
                    value=school.npsn,
                    other=schools[school.npsn].line,
                )
                continue
            schools[school.npsn] = school
            lines.append(_SEPARATOR.join(row[index].strip() for index in canonical))
    if not schools and not problems:
        problems.add(None, "no_rows", gettext_noop("The file has no data rows."))
    problems.raise_if_any()
    ordered = sorted(schools.values(), key=lambda school: school.npsn)
    return ordered, _digest(lines)


def _wrong_width(problems, line, expected, found):
    problems.add(
        line,
        "wrong_field_count",
        gettext_noop("The row has %(found)s fields; the header has %(expected)s."),
        found=found,
        expected=expected,
    )


def _npsn(text):
    return len(text) == 8 and text.isascii() and text.isdigit()


def _school(row, columns, seat_columns, problems, line):
    before = problems.count
    npsn = row[columns["npsn"]].strip()
    if not _npsn(npsn):
        problems.add(
            line,
            "invalid_npsn",
            MESSAGE_INVALID,
            column="npsn",
            value=repr(npsn),
            expected=gettext_noop("an NPSN of 8 digits"),
        )
    name = row[columns["name"]].strip()
    if not name:
        problems.add(line, "missing_value", MESSAGE_MISSING, column="name")
    fields = {name: row[index].strip() for name, index in columns.items()}
    point = _coordinates(fields, problems, line)
    capacity = _count(row[columns["capacity"]], "capacity", problems, line)
    overrides = {}
    for track, index in seat_columns.items():
        if row[index].strip():
            overrides[track] = _count(row[index], f"seats_{track}", problems, line)
    if problems.count > before:
        return None
    return School(npsn, name, point, capacity, overrides, line)


def _count(text, column, problems, line):
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    problems.add(
        line,
        "invalid_count",
        MESSAGE_INVALID,
        column=column,
        value=repr(text),
        expected=gettext_noop("a whole number of seats, 0 or more"),
    )
    return None


def read_applicants(path, rules, schools, progress=None):
    """
    Read APPLICANTS.csv; return applicants sorted by registration number.

    ``schools`` maps NPSN to ``School``: a choice of any other NPSN is an
    error. ``progress``, when given, is called with the number of rows read
    since its last call. Also return a digest of the rows in canonical order.
    """
    problems = ProblemList(str(path))
    with _open_csv(path) as file:
        reader = csv.reader(file)
        header, columns = _header(
            reader, problems, APPLICANT_COLUMNS, OPTIONAL_APPLICANT_COLUMNS
        )
        if columns is not None and rules.catchment.kind == "kelurahan":
            if "kelurahan" not in columns:
                problems.add(
                    1,
                    "missing_column",
                    gettext_noop("The column %(column)s is missing."),
                    column="kelurahan",
                )
        problems.raise_if_any()
        rows = []
        while chunk := list(itertools.islice(reader, 10_000)):
            rows.extend(chunk)
            if progress is not None:
                progress(len(chunk))
    parser = _ApplicantParser(columns, rules, schools, problems)
    rows = [row for row in rows if row]
    if set(map(len, rows)) <= {len(header)}:
        result = _read_columns(rows, parser.order, rules, schools)
        if result is not None:
            return result
    # The fast reader found a problem: read row by row to report each one.
    return _read_rows(path, header, parser, problems)


def _read_columns(rows, order, rules, schools):
    """
    Read valid rows column by column, with no Python code per field.

    ``order`` gives the index of each column of ``APPLICANT_COLUMNS`` (then
    ``kelurahan``, when present) in the rows. Return ``None`` at the first
    doubt, and the caller reads the file row by row to report what is wrong.
    """
    if not rows:
        return [], _digest([])
    (
        numbers,
        names,
        births,
        sexes,
        tracks,
        latitudes,
        longitudes,
        scores,
        submitted,
        kk_dates,
        recommendations,
        *choices,
    ) = operator.itemgetter(*order)(list(zip(*rows, strict=True)))
    verified = choices[MAX_CHOICES]
    kelurahan = choices[MAX_CHOICES + 1] if len(choices) > MAX_CHOICES + 1 else None
    choices = choices[:MAX_CHOICES]
    known = set(schools) | {""}
    if (
        list(map(str.strip, numbers)) != list(numbers)
        or "" in numbers
        or len(set(numbers)) != len(numbers)
        or not set(sexes) <= _SEXES
        or not set(tracks) <= _TRACKS
        or not set(verified) <= BOOLEANS.keys()
        or not set(recommendations) <= _OPTIONAL_BOOLEANS
        or set(map(len, births)) != {10}
        or not set(map(len, kk_dates)) <= {0, 10}
        or "" in choices[0]
        or not all(set(column) <= known for column in choices)
    ):
        return None
    chosen = _choice_tuples(choices, rules.choices)
    if chosen is None:
        return None
    try:
        latitudes = list(map(float, latitudes))
        longitudes = list(map(float, longitudes))
        births = list(map(date.fromisoformat, births))
        kk_dates = [date.fromisoformat(text) if text else None for text in kk_dates]
        moments = list(map(datetime.fromisoformat, submitted))
        scores = [Decimal(text) if text else None for text in scores]
    except (ValueError, InvalidOperation):
        return None
    given = [score for score in scores if score is not None]
    if (
        min(latitudes) < -90
        or max(latitudes) > 90
        or min(longitudes) < -180
        or max(longitudes) > 180
        or None in set(map(operator.attrgetter("tzinfo"), moments))
        or not all(map(Decimal.is_finite, given))
        or min(given, default=0) < 0
    ):
        return None
    applicants = list(
        map(
            Applicant,
            numbers,
            map(str.strip, names),
            births,
            sexes,
            tracks,
            map(Point, latitudes, longitudes),
            scores,
            map(int, map(datetime.timestamp, moments)),
            kk_dates,
            map("true".__eq__, recommendations),
            chosen,
            map("true".__eq__, verified),
            map(str.strip, kelurahan) if kelurahan else itertools.repeat(""),
            # Line numbers matter only in error messages, which the
            # row-by-row reader writes.
            itertools.repeat(None),
        )
    )
    applicants.sort(key=operator.attrgetter("registration_number"))
    return applicants, _digest(map(_SEPARATOR.join, map(_reorder(order), rows)))


def _reorder(order):
    return operator.itemgetter(*order)


def _choice_tuples(choices, allowed):
    """Return each row's choices as a tuple, or ``None`` if a row is invalid."""
    first, second, third = choices
    chosen = [
        (a, b, c) if c else (a, b) if b else (a,)
        for a, b, c in zip(first, second, third, strict=True)
    ]
    for choice in chosen:
        if len(choice) > allowed or len(set(choice)) != len(choice) or "" in choice:
            return None
    return chosen


def _read_rows(path, header, parser, problems):
    """Read the file again row by row, recording every invalid field."""
    width = len(header)
    applicants = []
    seen = {}
    lines = []
    with _open_csv(path) as file:
        reader = csv.reader(file)
        next(reader)
        for row in reader:
            if not row:
                continue
            line = reader.line_num
            if len(row) != width:
                _wrong_width(problems, line, width, len(row))
                continue
            values = parser.values(row)
            number = values[0].strip()
            if number in seen:
                problems.add(
                    line,
                    "repeated_registration_number",
                    gettext_noop(
                        "Registration number %(value)s already appears on line "
                        "%(other)s."
                    ),
                    value=number,
                    other=seen[number],
                )
                continue
            if number:
                seen[number] = line
            applicant = parser.parse(values, line)
            if applicant is None:
                continue
            applicants.append(applicant)
            lines.append(_SEPARATOR.join(values))
    problems.raise_if_any()
    applicants.sort(key=operator.attrgetter("registration_number"))
    return applicants, _digest(lines)


class _ApplicantParser:
    """
    Turn one APPLICANTS.csv row into an ``Applicant``, or record problems.

    ``values()`` puts a row's fields in the order of ``APPLICANT_COLUMNS``
    (then ``kelurahan`` when present), whatever the file's column order.
    """

    def __init__(self, columns, rules, schools, problems):
        self.rules = rules
        self.schools = schools
        self.problems = problems
        order = [columns[name] for name in APPLICANT_COLUMNS]
        self.has_kelurahan = "kelurahan" in columns
        if self.has_kelurahan:
            order.append(columns["kelurahan"])
        self.order = order
        self.values = operator.itemgetter(*order)

    def invalid(self, line, code, column, value, expected):
        self.problems.add(
            line,
            code,
            MESSAGE_INVALID,
            column=column,
            value=repr(value),
            expected=expected,
        )

    def parse(self, values, line):
        values = [value.strip() for value in values]
        fields = dict(zip(APPLICANT_COLUMNS, values, strict=False))
        before = self.problems.count
        number = fields["registration_number"]
        if not number:
            self.problems.add(
                line, "missing_value", MESSAGE_MISSING, column="registration_number"
            )
        birth_date = self.date(fields, "birth_date", line, required=True)

        sex = fields["sex"]
        if sex not in _SEXES:
            self.invalid(line, "invalid_sex", "sex", sex, gettext_noop("L or P"))
        track = fields["track"]
        if track not in _TRACKS:
            self.problems.add(
                line,
                "unknown_track",
                gettext_noop("track is %(value)s: expected one of %(choices)s."),
                value=repr(track),
                choices=", ".join(TRACKS),
            )

        point = _coordinates(fields, self.problems, line)
        score = self.score(fields, line)
        submitted_at = self.timestamp(fields, line)
        kk_issued_on = self.date(fields, "kk_issued_on", line, required=False)
        recommendation = self.boolean(fields, "recommendation", line, required=False)
        verified = self.boolean(fields, "verified", line, required=True)
        choices = self.choices(fields, line)
        if self.problems.count > before:
            return None

        return Applicant(
            number,
            fields["name"],
            birth_date,
            sex,
            track,
            point,
            score,
            int(submitted_at.timestamp()),
            kk_issued_on,
            recommendation,
            choices,
            verified,
            values[-1] if self.has_kelurahan else "",
            line,
        )

    def date(self, fields, column, line, required):
        text = fields[column]
        if not text:
            if required:
                self.problems.add(line, "missing_value", MESSAGE_MISSING, column=column)
            return None
        try:
            if len(text) != 10:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.invalid(
                line,
                "invalid_date",
                column,
                text,
                gettext_noop("a date as YYYY-MM-DD"),
            )
            return None

    def timestamp(self, fields, line):
        text = fields["submitted_at"]
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            self.invalid(
                line,
                "invalid_timestamp",
                "submitted_at",
                text,
                gettext_noop(
                    "a date and time with its UTC offset, as 2025-06-02T08:00:05+07:00"
                ),
            )
            return None
        return value

    def score(self, fields, line):
        text = fields["score"]
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            self.invalid(
                line,
                "invalid_score",
                "score",
                text,
                gettext_noop("a decimal number, 0 or more"),
            )
            return None
        return value

    def boolean(self, fields, column, line, required):
        text = fields[column].lower()
        if not text and not required:
            return False
        if text not in BOOLEANS:
            self.invalid(
                line, "invalid_boolean", column, text, gettext_noop("true or false")
            )
            return None
        return BOOLEANS[text]

    def choices(self, fields, line):
        texts = [fields[f"choice_{n}"] for n in range(1, MAX_CHOICES + 1)]
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            self.problems.add(
                line,
                "no_choice",
                gettext_noop("choice_1 is empty; every applicant chooses a school."),
            )
            return ()
        if "" in texts:
            self.problems.add(
                line,
                "choice_gap",
                gettext_noop(
                    "choice_%(index)s is empty but a later choice is not; fill the "
                    "choices in order."
                ),
                index=texts.index("") + 1,
            )
            return ()
        allowed = self.rules.choices
        if len(texts) > allowed:
            self.problems.add(
                line,
                "too_many_choices",
                gettext_noop(
                    "The row has %(count)s choices; this period allows %(allowed)s."
                ),
                count=len(texts),
                allowed=allowed,
            )
        for index, npsn in enumerate(texts, start=1):
            if npsn not in self.schools:
                self.problems.add(
                    line,
                    "unknown_school",
                    gettext_noop(
                        "choice_%(index)s is %(value)s, which is not a school of "
                        "this period."
                    ),
                    index=index,
                    value=repr(npsn),
                )
            elif npsn in texts[: index - 1]:
                self.problems.add(
                    line,
                    "repeated_choice",
                    gettext_noop("choice_%(index)s repeats an earlier choice."),
                    index=index,
                )
        return tuple(texts)
