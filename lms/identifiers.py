"""
Validation of the Indonesian identifiers that the platform stores.

Plain Python with no Django import, so the rules are quick to test and can
be reused by the admission engine. Each check returns ``None`` when the value
is valid and an error code otherwise; callers turn codes into messages in the
person's language.

Formats, as issued by the ministries:

- NPSN (school number): 8 digits.
- NISN (student number): 10 digits.
- NIK (identity number): 16 digits; digits 7-12 are the birth date as DDMMYY,
  with 40 added to the day for women.
- No. KK (family card): 16 digits, starting with the issuing region's code.
- Region codes (Kemendagri): ``32`` province, ``32.76`` city,
  ``32.76.01`` kecamatan, ``32.76.01.1001`` kelurahan.
"""

import datetime
import re

NPSN_RE = re.compile(r"\d{8}")
NISN_RE = re.compile(r"\d{10}")
NIK_RE = re.compile(r"\d{16}")
KK_RE = re.compile(r"\d{16}")
KECAMATAN_CODE_RE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
KELURAHAN_CODE_RE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")


def check_npsn(value):
    """Return ``None`` for a valid NPSN, or the error code ``"npsn_format"``."""
    return None if NPSN_RE.fullmatch(value or "") else "npsn_format"


def check_nisn(value):
    """Return ``None`` for a valid NISN, or the error code ``"nisn_format"``."""
    return None if NISN_RE.fullmatch(value or "") else "nisn_format"


def check_kecamatan_code(value):
    if KECAMATAN_CODE_RE.fullmatch(value or ""):
        return None
    return "kecamatan_code_format"


def check_kelurahan_code(value):
    if KELURAHAN_CODE_RE.fullmatch(value or ""):
        return None
    return "kelurahan_code_format"


def nik_birth_date_and_sex(nik):
    """
    Decode the birth date and sex that a NIK carries.

    Return ``(date, sex)`` with ``sex`` ``"L"`` or ``"P"``, or ``None`` when
    the digits do not form a real date. The two-digit year is read as the
    most recent year that is not in the future.
    """
    if not NIK_RE.fullmatch(nik or ""):
        return None
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    this_year = datetime.date.today().year
    full_year = 2000 + year if 2000 + year <= this_year else 1900 + year
    try:
        return datetime.date(full_year, month, day), sex
    except ValueError:
        return None


def check_nik(value):
    """Return ``None`` for a valid NIK, or an error code."""
    if not NIK_RE.fullmatch(value or ""):
        return "nik_format"
    if nik_birth_date_and_sex(value) is None:
        return "nik_birth_date"
    return None


def check_kk(value):
    """Return ``None`` for a valid family card number, or an error code."""
    return None if KK_RE.fullmatch(value or "") else "kk_format"


def mask_identifier(value, visible=4):
    """Mask all but the last ``visible`` characters: ``************1234``."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= visible:
        return "*" * len(value)
    return "*" * (len(value) - visible) + value[-visible:]
