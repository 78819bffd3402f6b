"""Reading an applicants CSV exported by another system, without a database."""

from decimal import Decimal

import pytest

from ppdb.engine import load_rules, parse_rules
from ppdb.import_csv import FileError, identity_flags, read_import
from tests.ppdb.engine.helpers import DEPOK_SMP, smp_rules

NPSNS = {"20200001", "20200002", "20200003"}
HEADER = (
    "registration_number,name,nik,kk_number,birth_date,sex,track,latitude,"
    "longitude,score,submitted_at,kk_issued_on,recommendation,choice_1,"
    "choice_2,choice_3,verified,kelurahan,parent_email,parent_phone"
)
# NIK 3276014503120001: born 05-03-2012 (day 45 = 5 + 40, so a girl).
GOOD = (
    "EXT-1,Siti Aminah,3276014503120001,3276010101200001,2012-03-05,P,domisili,"
    "-6.4000,106.8000,,2025-06-02T08:00:05+07:00,2024-01-10,,20200001,20200002,,"
    "false,32.76.06.1001,ibu.siti@example.org,"
)


@pytest.fixture(scope="module")
def rules():
    return load_rules(DEPOK_SMP)


def read(text, rules, npsns=NPSNS):
    return read_import(text.encode("utf-8"), rules, npsns)


def codes(result):
    return [problem.code for problem in result.problems]


def test_good_row_is_parsed(rules):
    result = read(f"{HEADER}\n{GOOD}\n", rules)

    assert result.problems == []
    assert result.total == 1
    row = result.rows[0]
    assert row.line == 2
    assert row.nik == "3276014503120001"
    assert row.choices == ("20200001", "20200002")
    assert row.latitude == Decimal("-6.400000")
    assert row.identity_flags == []


def test_byte_order_mark_and_semicolons_are_read(rules):
    text = f"{HEADER}\n{GOOD}\n".replace(",", ";").replace("-6.4000", "-6,4000")

    result = read_import(b"\xef\xbb\xbf" + text.encode("utf-8"), rules, NPSNS)

    assert result.problems == []
    assert result.rows[0].registration_number == "EXT-1"
    assert result.rows[0].latitude == Decimal("-6.400000")


def test_utf16_file_is_rejected(rules):
    data = f"{HEADER}\n{GOOD}\n".encode("utf-16")

    with pytest.raises(FileError) as error:
        read_import(data, rules, NPSNS)

    assert error.value.problems[0].code == "utf16_file"


def test_latin1_bytes_are_rejected_with_line(rules):
    data = f"{HEADER}\n{GOOD}\n".encode() + "EXT-2,Andr\xe9\n".encode("latin-1")

    with pytest.raises(FileError) as error:
        read_import(data, rules, NPSNS)

    assert error.value.problems[0].code == "not_utf8"
    assert error.value.problems[0].line == 3


def test_header_of_one_column_is_rejected(rules):
    with pytest.raises(FileError) as error:
        read("registration_number\nEXT-1\n", rules)

    assert error.value.problems[0].code == "one_column"


def test_missing_and_unknown_columns_are_listed(rules):
    header = HEADER.replace("nik,", "").replace("verified", "verifed")

    with pytest.raises(FileError) as error:
        read(header + "\n", rules)

    found = {(p.code, p.params.get("column")) for p in error.value.problems}
    assert ("missing_column", "nik") in found
    assert ("missing_column", "verified") in found
    assert ("unknown_column", "verifed") in found


def test_each_bad_row_is_reported_with_line(rules):
    bad_nik = GOOD.replace("EXT-1", "EXT-2").replace("3276014503120001", "12345")
    bad_choice = (
        GOOD.replace("EXT-1", "EXT-3")
        .replace("3276014503120001", "3276010505120002")
        .replace("2012-03-05,P", "2012-05-05,L")
        .replace("20200002", "99999999")
    )
    text = f"{HEADER}\n{GOOD}\n{bad_nik}\n\n{bad_choice}\n"

    result = read(text, rules)

    assert [row.registration_number for row in result.rows] == ["EXT-1"]
    assert result.total == 3
    lines = {(p.line, p.code) for p in result.problems}
    assert (3, "invalid_nik") in lines
    assert (5, "unknown_school") in lines


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("2012-03-05,P", "2009-03-05,P", "ineligible_too_old"),
        ("2024-01-10", "2024-08-01", "ineligible_kk_too_new"),
        ("2024-01-10", "", "missing_value"),
        ("32.76.06.1001", "32.76.6.1001", "invalid_kelurahan"),
        (",P,domisili", ",X,domisili", "invalid_sex"),
        ("domisili", "zonasi", "unknown_track"),
        ("-6.4000", "-96.4", "invalid_coordinate"),
        ("+07:00", "", "invalid_submitted_at"),
        ("ibu.siti@example.org,", ",", "no_parent_contact"),
        ("ibu.siti@example.org", "ibu.siti", "invalid_parent_email"),
        ("20200001,20200002,", ",20200002,", "choice_gap"),
        ("20200001,20200002,", "20200001,20200001,", "repeated_choice"),
        ("3276010101200001", "327601010120", "invalid_kk_number"),
        (",false,", ",ya,", "invalid_verified"),
    ],
)
def test_invalid_value_is_reported(rules, old, new, code):
    row = GOOD.replace(old, new, 1)
    assert row != GOOD

    result = read(f"{HEADER}\n{row}\n", rules)

    assert result.rows == []
    assert code in codes(result)
    assert all(problem.line == 2 for problem in result.problems)


def test_reissued_card_with_reason_is_kept(rules):
    header = HEADER + ",kk_reissue_reason"
    row = GOOD.replace("2024-01-10", "2024-08-01") + ",birth of a sibling"

    result = read(f"{header}\n{row}\n", rules)

    assert result.problems == []
    assert result.rows[0].kk_reissue_reason == "birth of a sibling"


def test_home_outside_city(rules):
    result = read_import(
        f"{HEADER}\n{GOOD}\n".encode(),
        rules,
        NPSNS,
        inside_city=lambda latitude, longitude: latitude > 0,
    )

    assert codes(result) == ["outside_city"]
    assert result.rows == []


def test_unknown_kelurahan(rules):
    result = read_import(
        f"{HEADER}\n{GOOD}\n".encode(),
        rules,
        NPSNS,
        kelurahan_codes={"32.76.01.1001"},
    )

    assert codes(result) == ["unknown_kelurahan"]


def test_too_long_reissue_reason(rules):
    header = HEADER + ",kk_reissue_reason"
    row = GOOD.replace("2024-01-10", "2024-08-01") + "," + "x" * 201

    result = read(f"{header}\n{row}\n", rules)

    assert codes(result) == ["too_long"]
    assert result.problems[0].params["column"] == "kk_reissue_reason"


def test_more_choices_than_allowed(rules):
    single = parse_rules(smp_rules(mechanism="single", choices=1))

    result = read(f"{HEADER}\n{GOOD}\n", single)

    assert codes(result) == ["too_many_choices"]


def test_repeated_nik_is_reported_once(rules):
    again = GOOD.replace("EXT-1", "EXT-9")

    result = read(f"{HEADER}\n{GOOD}\n{again}\n", rules)

    assert len(result.rows) == 1
    assert codes(result) == ["repeated_nik"]
    assert result.problems[0].params["other"] == 2
    assert "3276014503120001" not in str(result.problems[0])


def test_wrong_field_count(rules):
    result = read(f"{HEADER}\n{GOOD},extra\n", rules)

    assert codes(result) == ["wrong_field_count"]


def test_nik_mismatch_is_flagged_not_rejected():
    from datetime import date

    flags = identity_flags("3276014503120001", date(2012, 3, 6), "L")

    assert flags == ["nik_birth_date_mismatch", "nik_sex_mismatch"]
    assert identity_flags("3276014503120001", date(2012, 3, 5), "P") == []
