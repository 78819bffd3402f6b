"""
Read the applicants CSV that another admission system exported.

The file uses the selection engine's APPLICANTS.csv columns (see
ppdb/RULES.md) plus the identity numbers and a way to reach the parent:

===================== ========= ==============================================
column                required  value
===================== ========= ==============================================
registration_number   yes       the number the other system gave; unique
name                  yes       the child's full name
nik                   yes       16 digits
kk_number             yes       family card number, 16 digits
birth_date            yes       YYYY-MM-DD
sex                   yes       L or P
track                 yes       a track of the period's rule set
latitude, longitude   yes       home location in decimal degrees
score                 column    decimal, 0 or more; may be empty
submitted_at          yes       ISO 8601 with its UTC offset
kk_issued_on          yes       YYYY-MM-DD
recommendation        column    true or false; may be empty (false)
choice_1              yes       NPSN of a school of the period
choice_2, choice_3    column    NPSN or empty
verified              column    true or false
parent_email          one of    the parent's e-mail address
parent_phone          the two   the parent's phone number
parent_name           no        the parent's name
nisn                  no        10 digits
birth_place           no        text
address               no        text
kelurahan             yes       code of the home's kelurahan, as
                                32.76.01.1001
kk_reissue_reason     no        why a card newer than the rule was reissued
===================== ========= ==============================================

"column" means the header must have the column but its cells may be empty.
At least one of ``parent_email`` and ``parent_phone`` must be a column, and
each row fills at least one of them.

The file may start with a UTF-8 byte-order mark and may separate fields by
semicolons, as spreadsheet programs set to Indonesian write them. With
semicolons, decimals may use a comma (``-6,4025``). Every invalid row is
reported with its line number, and the valid rows are returned. No Django
import.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lms.identifiers import (
    check_kelurahan_code,
    check_kk,
    check_nik,
    check_nisn,
    nik_birth_date_and_sex,
)
from ppdb.engine.eligibility import Eligibility
from ppdb.engine.errors import Problem, gettext_noop
from ppdb.engine.rules import MAX_CHOICES, TRACKS

REQUIRED_COLUMNS = (
    "registration_number",
    "name",
    "nik",
    "kk_number",
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
    "kelurahan",
)
PARENT_COLUMNS = ("parent_email", "parent_phone")
OPTIONAL_COLUMNS = (
    *PARENT_COLUMNS,
    "parent_name",
    "nisn",
    "birth_place",
    "address",
    "kk_reissue_reason",
)
# Longest accepted text per column, matching what the application stores.
MAX_LENGTHS = {
    "registration_number": 40,
    "name": 200,
    "parent_name": 150,
    "parent_email": 254,
    "birth_place": 100,
    "address": 300,
    "kk_reissue_reason": 200,
}
BOOLEANS = {"true": True, "false": False, "": False}
SOURCE = "csv"

MESSAGE_INVALID = gettext_noop("%(column)s is %(value)s: expected %(expected)s.")
MESSAGE_MISSING = gettext_noop("%(column)s is empty.")
MESSAGE_TOO_LONG = gettext_noop(
    "%(column)s is longer than %(limit)s characters; shorten it."
)
# The reasons the engine finds an applicant ineligible, as import messages.
INELIGIBLE_MESSAGES = {
    "track_not_offered": gettext_noop("track %(track)s is not offered in this period."),
    "too_old": gettext_noop("The child is too old for this period's age rule."),
    "too_young": gettext_noop("The child is too young for this period's age rule."),
    "recommendation_missing": gettext_noop(
        "The child is under the minimum age and recommendation is not true."
    ),
    "kk_missing": gettext_noop(
        "kk_issued_on is empty, but track %(track)s requires the family "
        "card's issue date."
    ),
    "kk_too_new": gettext_noop(
        "The family card was issued on %(issued)s, after %(latest)s, the latest "
        "date this period accepts; give kk_reissue_reason if it was reissued "
        "without a move."
    ),
    "score_missing": gettext_noop("score is empty, but track %(track)s ranks by it."),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


class FileError(Exception):
    """Raised when the whole file is unusable. ``problems`` lists the reasons."""

    def __init__(self, *problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class ImportRow:
    """One valid row, with its values parsed."""

    line: int
    registration_number: str
    name: str
    nik: str
    kk_number: str
    birth_date: date
    sex: str
    track: str
    latitude: Decimal
    longitude: Decimal
    score: Decimal | None
    submitted_at: datetime
    kk_issued_on: date | None
    recommendation: bool
    choices: tuple
    verified: bool
    parent_email: str = ""
    parent_phone: str = ""
    parent_name: str = ""
    nisn: str = ""
    birth_place: str = ""
    address: str = ""
    kelurahan: str = ""
    kk_reissue_reason: str = ""
    identity_flags: list = field(default_factory=list)


@dataclass
class ReadResult:
    rows: list
    problems: list
    # Data rows read, valid or not.
    total: int


def decode(data):
    """
    Return the text of the CSV file ``data`` (bytes), or raise ``FileError``.

    A UTF-8 byte-order mark is dropped. UTF-16, which spreadsheet programs
    write as "Unicode text", and any other non-UTF-8 bytes are rejected
    with the line they are on.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileError(
            Problem(
                SOURCE,
                None,
                "utf16_file",
                gettext_noop(
                    "The file is UTF-16 text; save it as CSV UTF-8 and import it again."
                ),
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            Problem(
                SOURCE,
                data.count(b"\n", 0, error.start) + 1,
                "not_utf8",
                gettext_noop(
                    "The file is not UTF-8 text; save it as CSV UTF-8 and import "
                    "it again."
                ),
            )
        ) from error


def detect_delimiter(text):
    """
    Return "," or ";", whichever separates the header's columns.

    Column names contain neither, so the header settles it. Raise
    ``FileError`` for an empty file or a header of one column.
    """
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise FileError(
            Problem(SOURCE, 1, "empty_file", gettext_noop("The file is empty."))
        )
    commas, semicolons = header.count(","), header.count(";")
    if commas == semicolons == 0:
        raise FileError(
            Problem(
                SOURCE,
                1,
                "one_column",
                gettext_noop(
                    "The header has a single column; separate the columns with "
                    "commas or semicolons."
                ),
            )
        )
    return ";" if semicolons > commas else ","


def read_import(data, rules, npsns, inside_city=None, kelurahan_codes=None):
    """
    Read the CSV file ``data`` (bytes) for a period with the rule set ``rules``.

    ``npsns`` is the set of NPSNs of the period's schools. ``inside_city``,
    when given, tests a home's (latitude, longitude), and ``kelurahan_codes``,
    when given, is the set of the city's kelurahan codes. Return a
    ``ReadResult``: the valid rows, and one ``Problem`` per invalid value
    with its line number. Raise ``FileError`` when the encoding or the
    header makes the whole file unusable.
    """
    text = decode(data)
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = _columns(next(reader))
    parser = _RowParser(columns, rules, npsns, decimal_comma=delimiter == ";")
    parser.inside_city = inside_city
    parser.kelurahan_codes = kelurahan_codes
    rows = []
    total = 0
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        total += 1
        line = reader.line_num
        if len(values) != len(columns):
            parser.add(
                line,
                "wrong_field_count",
                gettext_noop(
                    "The row has %(found)s fields; the header has %(expected)s."
                ),
                found=len(values),
                expected=len(columns),
            )
            continue
        row = parser.parse(dict(zip(columns, values, strict=True)), line)
        if row is not None:
            rows.append(row)
    return ReadResult(rows, parser.problems, total)


def _columns(header):
    names = [name.strip() for name in header]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    problems = []
    for name in sorted(set(REQUIRED_COLUMNS) - set(names)):
        problems.append(
            Problem(
                SOURCE,
                1,
                "missing_column",
                gettext_noop("The column %(column)s is missing."),
                column=name,
            )
        )
    if not set(PARENT_COLUMNS) & set(names):
        problems.append(
            Problem(
                SOURCE,
                1,
                "missing_column",
                gettext_noop("The column %(column)s is missing."),
                column="parent_email / parent_phone",
            )
        )
    for name in sorted(set(names), key=names.index):
        if names.count(name) > 1:
            problems.append(
                Problem(
                    SOURCE,
                    1,
                    "repeated_column",
                    gettext_noop("The column %(column)s appears twice."),
                    column=name,
                )
            )
        if name not in known:
            problems.append(
                Problem(
                    SOURCE,
                    1,
                    "unknown_column",
                    gettext_noop(
                        "The column %(column)s is unknown; check its spelling."
                    ),
                    column=name,
                )
            )
    if problems:
        raise FileError(*problems)
    return names


class _Applicant:
    """The attributes the engine's eligibility check reads."""

    verified = True

    def __init__(self, row):
        self.track = row.track
        self.birth_date = row.birth_date
        self.recommendation = row.recommendation
        self.kk_issued_on = row.kk_issued_on
        self.score = row.score


class _RowParser:
    def __init__(self, columns, rules, npsns, decimal_comma):
        self.columns = set(columns)
        self.rules = rules
        self.npsns = npsns
        self.decimal_comma = decimal_comma
        self.eligibility = Eligibility(rules)
        self.inside_city = None
        self.kelurahan_codes = None
        self.problems = []
        self.numbers = {}
        self.niks = {}

    def add(self, line, code, template, **params):
        self.problems.append(Problem(SOURCE, line, code, template, **params))

    def invalid(self, line, column, value, expected):
        self.add(
            line,
            f"invalid_{column}",
            MESSAGE_INVALID,
            column=column,
            value=repr(value),
            expected=expected,
        )

    def parse(self, raw, line):
        values = {name: value.strip() for name, value in raw.items()}
        before = len(self.problems)
        self.texts(values, line)
        number = values["registration_number"]
        nik = values["nik"]
        self.identifiers(values, line)
        birth_date = self.date(values, "birth_date", line, required=True)
        sex = values["sex"]
        if sex not in ("L", "P"):
            self.invalid(line, "sex", sex, gettext_noop("L or P"))
        track = self.track(values["track"], line)
        latitude = self.coordinate(values, "latitude", 90, line)
        longitude = self.coordinate(values, "longitude", 180, line)
        score = self.score(values, line)
        submitted_at = self.timestamp(values, line)
        kk_issued_on = self.date(values, "kk_issued_on", line, required=True)
        recommendation = self.boolean(values, "recommendation", line)
        verified = self.boolean(values, "verified", line)
        choices = self.choices(values, line)
        self.parent(values, line)
        self.location(latitude, longitude, line)
        if len(self.problems) > before:
            return None

        row = ImportRow(
            line=line,
            registration_number=number,
            name=values["name"],
            nik=nik,
            kk_number=values["kk_number"],
            birth_date=birth_date,
            sex=sex,
            track=track,
            latitude=latitude,
            longitude=longitude,
            score=score,
            submitted_at=submitted_at,
            kk_issued_on=kk_issued_on,
            recommendation=recommendation,
            choices=choices,
            verified=verified,
            kelurahan=values["kelurahan"],
            **{name: values.get(name, "") for name in OPTIONAL_COLUMNS},
        )
        if not self.eligible(row, line):
            return None
        if not self.unique(row, line):
            return None
        row.identity_flags = identity_flags(row.nik, row.birth_date, row.sex)
        return row

    def texts(self, values, line):
        for column in ("registration_number", "name"):
            if not values[column]:
                self.add(line, "missing_value", MESSAGE_MISSING, column=column)
        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                self.add(line, "too_long", MESSAGE_TOO_LONG, column=column, limit=limit)

    def identifiers(self, values, line):
        messages = {
            "nik_format": gettext_noop("a NIK of 16 digits"),
            "nik_birth_date": gettext_noop("a NIK whose digits 7-12 form a real date"),
        }
        code = check_nik(values["nik"])
        if code is not None:
            self.invalid(line, "nik", values["nik"], messages[code])
        if check_kk(values["kk_number"]) is not None:
            self.invalid(
                line,
                "kk_number",
                values["kk_number"],
                gettext_noop("a family card number of 16 digits"),
            )
        nisn = values.get("nisn", "")
        if nisn and check_nisn(nisn) is not None:
            self.invalid(line, "nisn", nisn, gettext_noop("an NISN of 10 digits"))
        kelurahan = values.get("kelurahan", "")
        if kelurahan and check_kelurahan_code(kelurahan) is not None:
            self.invalid(
                line,
                "kelurahan",
                kelurahan,
                gettext_noop("a kelurahan code such as 32.76.01.1001"),
            )
        if not kelurahan:
            self.add(line, "missing_value", MESSAGE_MISSING, column="kelurahan")
        elif self.kelurahan_codes and kelurahan not in self.kelurahan_codes:
            self.add(
                line,
                "unknown_kelurahan",
                gettext_noop(
                    "kelurahan is %(value)s, which is not a kelurahan of the city."
                ),
                value=repr(kelurahan),
            )

    def track(self, track, line):
        if track not in TRACKS or track not in self.rules.tracks:
            self.add(
                line,
                "unknown_track",
                gettext_noop("track is %(value)s: expected one of %(choices)s."),
                value=repr(track),
                choices=", ".join(self.rules.tracks),
            )
            return None
        return track

    def date(self, values, column, line, required):
        text = values[column]
        if not text:
            if required:
                self.add(line, "missing_value", MESSAGE_MISSING, column=column)
            return None
        try:
            if len(text) != 10:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.invalid(line, column, text, gettext_noop("a date as YYYY-MM-DD"))
            return None

    def decimal(self, text):
        if self.decimal_comma:
            text = text.replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return None
        return value if value.is_finite() else None

    def coordinate(self, values, column, limit, line):
        text = values[column]
        value = self.decimal(text)
        if value is None or not -limit <= value <= limit:
            self.add(
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
        # The application stores six decimal places, about 0.1 m.
        return value.quantize(Decimal("0.000001"))

    def location(self, latitude, longitude, line):
        if latitude is None or longitude is None or self.inside_city is None:
            return
        if not self.inside_city(latitude, longitude):
            self.add(
                line,
                "outside_city",
                gettext_noop(
                    "The home at %(latitude)s, %(longitude)s lies outside the "
                    "city; check the latitude and longitude."
                ),
                latitude=str(latitude),
                longitude=str(longitude),
            )

    def score(self, values, line):
        text = values["score"]
        if not text:
            return None
        value = self.decimal(text)
        if value is None or value < 0 or value >= 1000:
            self.invalid(
                line, "score", text, gettext_noop("a decimal number from 0 to 999.99")
            )
            return None
        if value != value.quantize(Decimal("0.01")):
            self.invalid(
                line,
                "score",
                text,
                gettext_noop("a decimal number with at most 2 decimal places"),
            )
            return None
        return value

    def timestamp(self, values, line):
        text = values["submitted_at"]
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            self.invalid(
                line,
                "submitted_at",
                text,
                gettext_noop(
                    "a date and time with its UTC offset, as 2025-06-02T08:00:05+07:00"
                ),
            )
            return None
        return value

    def boolean(self, values, column, line):
        text = values.get(column, "").lower()
        if text not in BOOLEANS:
            self.invalid(line, column, text, gettext_noop("true or false"))
            return False
        return BOOLEANS[text]

    def choices(self, values, line):
        texts = [values.get(f"choice_{n}", "") for n in range(1, MAX_CHOICES + 1)]
        while texts and not texts[-1]:
            texts.pop()
        if not texts:
            self.add(
                line,
                "no_choice",
                gettext_noop("choice_1 is empty; every applicant chooses a school."),
            )
            return ()
        if "" in texts:
            self.add(
                line,
                "choice_gap",
                gettext_noop(
                    "choice_%(index)s is empty but a later choice is not; fill the "
                    "choices in order."
                ),
                index=texts.index("") + 1,
            )
            return ()
        if len(texts) > self.rules.choices:
            self.add(
                line,
                "too_many_choices",
                gettext_noop(
                    "The row has %(count)s choices; this period allows %(allowed)s."
                ),
                count=len(texts),
                allowed=self.rules.choices,
            )
        for index, npsn in enumerate(texts, start=1):
            if npsn not in self.npsns:
                self.add(
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
                self.add(
                    line,
                    "repeated_choice",
                    gettext_noop("choice_%(index)s repeats an earlier choice."),
                    index=index,
                )
        return tuple(texts)

    def parent(self, values, line):
        email = values.get("parent_email", "")
        phone = values.get("parent_phone", "")
        if not email and not phone:
            self.add(
                line,
                "no_parent_contact",
                gettext_noop(
                    "parent_email and parent_phone are both empty; give at least "
                    "one so the parent can log in."
                ),
            )
        if email and not _EMAIL.match(email):
            self.invalid(line, "parent_email", email, gettext_noop("an e-mail address"))
        compact = re.sub(r"[\s\-().]", "", phone)
        if phone and not _PHONE.match(compact):
            self.invalid(
                line,
                "parent_phone",
                phone,
                gettext_noop("a phone number of 8 to 15 digits"),
            )

    def eligible(self, row, line):
        reason = self.eligibility.reason(_Applicant(row))
        if reason == "kk_too_new" and row.kk_reissue_reason:
            # A card reissued without a move still counts; the operator
            # checks the reason at verification.
            return True
        if reason is None:
            return True
        latest = self.rules.family_card.latest_issue_date()
        self.add(
            line,
            f"ineligible_{reason}",
            INELIGIBLE_MESSAGES[reason],
            track=row.track,
            issued=row.kk_issued_on.isoformat() if row.kk_issued_on else "",
            latest=latest.isoformat() if latest else "",
        )
        return False

    def unique(self, row, line):
        for seen, value, column in (
            (self.numbers, row.registration_number, "registration_number"),
            (self.niks, row.nik, "nik"),
        ):
            if value in seen:
                self.add(
                    line,
                    f"repeated_{column}",
                    gettext_noop(
                        "%(column)s %(value)s already appears on line %(other)s."
                    ),
                    column=column,
                    value=_masked(value) if column == "nik" else value,
                    other=seen[value],
                )
                return False
        self.numbers[row.registration_number] = line
        self.niks[row.nik] = line
        return True


def _masked(value):
    return "*" * (len(value) - 4) + value[-4:]


def identity_flags(nik, birth_date, sex):
    """
    Return the codes of the ways the NIK disagrees with the birth date and sex.

    A NIK carries the birth date and, by adding 40 to the day, the sex. A
    mismatch is flagged for the operator and does not reject the row.
    """
    decoded = nik_birth_date_and_sex(nik)
    if decoded is None:
        return []
    flags = []
    nik_date, nik_sex = decoded
    # The NIK's two-digit year may be read a century off; day and month must
    # match either way.
    if (nik_date.day, nik_date.month, nik_date.year % 100) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        flags.append("nik_birth_date_mismatch")
    if nik_sex != sex:
        flags.append("nik_sex_mismatch")
    return flags
