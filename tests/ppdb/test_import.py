"""The ppdb_import command: applicants from another system's CSV file."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from lms.models import AuditLog, User
from ppdb.models import Application, VerificationDecision
from tests.factories import make_operator, make_user
from tests.ppdb.verification_helpers import make_admission

pytestmark = pytest.mark.django_db

HEADER = (
    "registration_number,name,nik,kk_number,birth_date,sex,track,latitude,"
    "longitude,score,submitted_at,kk_issued_on,recommendation,choice_1,"
    "choice_2,choice_3,verified,kelurahan,parent_email,parent_phone,parent_name"
)


def row(number, nik, choices, **changes):
    values = {
        "registration_number": number,
        "name": "Siti Aminah",
        "nik": nik,
        "kk_number": "3276010101200001",
        "birth_date": "2012-03-05",
        "sex": "P",
        "track": "domisili",
        "latitude": "-6.380000",
        "longitude": "106.820000",
        "score": "",
        "submitted_at": "2025-06-02T08:00:05+07:00",
        "kk_issued_on": "2024-01-10",
        "recommendation": "",
        "choice_1": choices[0],
        "choice_2": choices[1] if len(choices) > 1 else "",
        "choice_3": "",
        "verified": "false",
        "kelurahan": "32.76.06.1001",
        "parent_email": f"parent-{number.lower()}@example.org",
        "parent_phone": "",
        "parent_name": "Ibu Aminah",
    }
    values.update(changes)
    return ",".join(values[name] for name in HEADER.split(","))


@pytest.fixture
def admission():
    period, schools = make_admission()
    return period, [period_school.school.npsn for period_school in schools]


def run(period, path, *args, language="en"):
    out, err = io.StringIO(), io.StringIO()
    with translation.override(language):
        call_command(
            "ppdb_import",
            "--period",
            str(period.pk),
            str(path),
            *args,
            stdout=out,
            stderr=err,
        )
    return out.getvalue(), err.getvalue()


def write(tmp_path, lines, encoding="utf-8", name="applicants.csv"):
    path = tmp_path / name
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def test_good_rows_imported_once(tmp_path, admission):
    period, npsns = admission
    path = write(
        tmp_path,
        [
            HEADER,
            row("EXT-1", "3276014503120001", npsns),
            row(
                "EXT-2", "3276010505120002", npsns[:1], sex="L", birth_date="2012-05-05"
            ),
        ],
    )

    out, _err = run(period, path)
    again, _err = run(period, path)

    assert "2 imported" in out
    assert "2 already present" in again
    assert Application.objects.filter(period=period).count() == 2
    first = Application.objects.get(nik="3276014503120001")
    assert first.registration_number.startswith(
        f"SMP-{period.academic_year.starts_on.year}-"
    )
    assert [c.period_school.school.npsn for c in first.ordered_choices()] == npsns
    assert first.parent.email == "parent-ext-1@example.org"
    assert not first.parent.has_usable_password()
    assert first.status == Application.Status.SUBMITTED
    entry = AuditLog.objects.get(
        action="ppdb.application_imported", object_id=str(first.pk)
    )
    assert entry.details["external_number"] == "EXT-1"


def test_bad_rows_reported_with_lines(tmp_path, admission):
    period, npsns = admission
    path = write(
        tmp_path,
        [
            HEADER,
            row("EXT-1", "3276014503120001", npsns),
            row("EXT-2", "32760145031200", npsns),
            row(
                "EXT-3",
                "3276010505120002",
                ["99999999"],
                sex="L",
                birth_date="2012-05-05",
            ),
            row(
                "EXT-4",
                "3276010606120003",
                npsns,
                sex="L",
                birth_date="2012-06-06",
                latitude="-7.250000",
                longitude="112.750000",
            ),
        ],
    )

    out, err = run(period, path)

    assert "1 imported" in out
    assert "3 invalid" in out
    assert "line 3" in err
    assert "nik" in err
    assert "line 4" in err
    assert "99999999" in err
    assert "line 5" in err
    assert "outside the city" in err
    assert Application.objects.count() == 1


def test_semicolons_and_byte_order_mark(tmp_path, admission):
    period, npsns = admission
    line = row("EXT-1", "3276014503120001", npsns, latitude="-6,38", longitude="106,82")
    path = tmp_path / "excel.csv"
    # Spreadsheets set to Indonesian separate fields by semicolons and
    # write decimal commas.
    fields = line.replace("-6,38", "-6|38").replace("106,82", "106|82")
    fields = fields.replace(",", ";").replace("|", ",")
    text = HEADER.replace(",", ";") + "\n" + fields + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    out, _err = run(period, path)

    assert "1 imported" in out
    application = Application.objects.get()
    assert str(application.latitude) == "-6.380000"


def test_utf16_file_is_refused(tmp_path, admission):
    period, npsns = admission
    path = write(tmp_path, [HEADER, row("EXT-1", "3276014503120001", npsns)], "utf-16")

    with pytest.raises(CommandError, match="UTF-16"):
        run(period, path)

    assert not Application.objects.exists()


def test_unknown_period_is_refused(tmp_path, admission):
    _period, npsns = admission
    path = write(tmp_path, [HEADER, row("EXT-1", "3276014503120001", npsns)])

    with translation.override("en"), pytest.raises(CommandError, match="not exist"):
        call_command("ppdb_import", "--period", "999999", str(path))


def test_existing_parent_is_reused(tmp_path, admission):
    period, npsns = admission
    parent = make_user(email="Ibu@Example.org")
    path = write(
        tmp_path,
        [
            HEADER,
            row("EXT-1", "3276014503120001", npsns, parent_email="ibu@example.org"),
        ],
    )

    out, _err = run(period, path)

    assert "0 new parent accounts" in out
    assert Application.objects.get().parent == parent
    assert User.objects.filter(email__iexact="ibu@example.org").count() == 1


def test_verified_rows_with_verifier(tmp_path, admission):
    period, npsns = admission
    operator = make_operator(period.schools.first().school)
    path = write(
        tmp_path, [HEADER, row("EXT-1", "3276014503120001", npsns, verified="true")]
    )

    out, _err = run(period, path, "--verified-by", operator.username)

    assert "1 verified" in out
    application = Application.objects.get()
    assert application.status == Application.Status.VERIFIED
    assert all(c.distance_m is not None for c in application.ordered_choices())
    decisions = VerificationDecision.objects.filter(application=application)
    assert {d.aspect for d in decisions} == {"identity", "domicile", "documents"}
    assert all(d.decided_by == operator for d in decisions)


def test_verified_rows_without_verifier_wait(tmp_path, admission):
    period, npsns = admission
    path = write(
        tmp_path, [HEADER, row("EXT-1", "3276014503120001", npsns, verified="true")]
    )

    run(period, path)

    assert Application.objects.get().status == Application.Status.SUBMITTED
    assert not VerificationDecision.objects.exists()


def test_verifier_must_be_staff(tmp_path, admission):
    period, npsns = admission
    parent = make_user()
    path = write(tmp_path, [HEADER, row("EXT-1", "3276014503120001", npsns)])

    with pytest.raises(CommandError, match="neither a school operator"):
        run(period, path, "--verified-by", parent.username)

    assert not Application.objects.exists()


def test_row_errors_are_translated(tmp_path, admission):
    period, npsns = admission
    path = write(tmp_path, [HEADER, row("EXT-1", "3276014503120001", ["99999999"])])

    out, err = run(period, path, language="id")

    assert "baris 2" in err
    assert "bukan sekolah pada periode ini" in err
    assert "0 diimpor" in out
    assert not Application.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_imports_store_each_row_once(tmp_path, postgres):
    import threading

    from django.db import connection

    from ppdb.importing import import_rows, read_for_period

    period, schools = make_admission()
    npsns = [period_school.school.npsn for period_school in schools]
    lines = [HEADER] + [
        row(
            f"EXT-{n}",
            f"32760105031200{n:02d}",
            npsns,
            sex="L",
            birth_date="2012-03-05",
        )
        for n in range(1, 21)
    ]
    data = ("\n".join(lines) + "\n").encode()
    result = read_for_period(period, data)
    assert len(result.rows) == 20
    summaries = []

    def worker():
        try:
            summaries.append(import_rows(period, result))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Application.objects.filter(period=period).count() == 20
    assert sum(summary.imported for summary in summaries) == 20
    assert sum(summary.already_present for summary in summaries) == 40
    numbers = Application.objects.values_list("registration_number", flat=True)
    assert len(set(numbers)) == 20


def test_verifier_of_other_school_is_refused_per_row(tmp_path, admission):
    period, npsns = admission
    second_school = period.schools.get(school__npsn=npsns[1]).school
    operator = make_operator(second_school)
    path = write(
        tmp_path, [HEADER, row("EXT-1", "3276014503120001", npsns, verified="true")]
    )

    out, err = run(period, path, "--verified-by", operator.username)

    assert "0 imported" in out
    assert "line 2" in err
    assert "not an operator of the first choice's school" in err
    assert not Application.objects.exists()
    assert not VerificationDecision.objects.exists()
