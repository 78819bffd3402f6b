"""The ppdb_simulate command: summary, translated errors, nothing written."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.ppdb.engine.helpers import Run, applicant, read_rows, school, smp_rules

X = "20200001"


def call(files, language="id", explain=True):
    stdout = io.StringIO()
    stderr = io.StringIO()
    arguments = [
        "ppdb_simulate",
        "--rules",
        str(files.rules_path),
        "--schools",
        str(files.schools_path),
        "--applicants",
        str(files.applicants_path),
        "--out",
        str(files.results_path),
    ]
    if explain:
        arguments += ["--explain", str(files.explanation_path)]
    with translation.override(language):
        call_command(*arguments, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_command_writes_results_and_summary(tmp_path):
    files = Run(
        tmp_path,
        smp_rules(),
        [school(X, 1)],
        [applicant("A", [X], 100), applicant("B", [X], 200, verified="false")],
    )

    stdout, stderr = call(files)

    assert [row["status"] for row in read_rows(files.results_path)] == [
        "accepted",
        "ineligible",
    ]
    assert len(read_rows(files.explanation_path)) == 2
    assert "domisili: 1 diterima, 0 tidak diterima, 1 tidak memenuhi syarat" in (stdout)
    assert "2 pendaftar, 1 sekolah" in stdout
    assert "menulis hasil" in stderr


def test_command_reports_bad_rows_in_indonesian(tmp_path):
    files = Run(
        tmp_path,
        smp_rules(),
        [school(X, 1)],
        [
            applicant("A", [X], 100, birth_date="2012-02-30"),
            applicant("B", [X], 200, choice_1="20209999"),
        ],
    )

    with pytest.raises(CommandError) as error:
        call(files)

    message = str(error.value)
    assert "APPLICANTS.csv, baris 2: birth_date berisi '2012-02-30'" in message
    assert "tanggal dengan format YYYY-MM-DD" in message
    assert "APPLICANTS.csv, baris 3: choice_1 berisi '20209999'" in message
    assert "bukan sekolah pada periode ini" in message
    assert not files.results_path.exists()
    assert not files.explanation_path.exists()


def test_command_reports_in_english_when_asked(tmp_path):
    files = Run(
        tmp_path, smp_rules(), [school(X, 1)], [applicant("A", [X], 100, sex="W")]
    )

    with pytest.raises(CommandError) as error:
        call(files, language="en")

    assert "APPLICANTS.csv, line 2: sex is 'W': expected L or P." in str(error.value)


def test_command_reports_invalid_rules(tmp_path):
    files = Run(
        tmp_path,
        smp_rules(mechanism="lottery"),
        [school(X, 1)],
        [applicant("A", [X], 100)],
    )

    with pytest.raises(CommandError) as error:
        call(files)

    assert "selection.mechanism" in str(error.value)
    assert "'lottery'" in str(error.value)
    assert not files.results_path.exists()


def test_command_reports_missing_file(tmp_path):
    files = Run(tmp_path, smp_rules(), [school(X, 1)], [applicant("A", [X], 100)])
    files.applicants_path.unlink()

    with pytest.raises(CommandError) as error:
        call(files)

    assert str(files.applicants_path) in str(error.value)
    assert not files.results_path.exists()
