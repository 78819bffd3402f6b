"""
Every app's Indonesian catalogue is complete and compiled.

Each kind of problem has its own test, so a failure names one cause and
lists the messages behind it.
"""

import pytest

from lms import catalogue

LANGUAGE = "id"
APPS = sorted(catalogue.CATALOGUES)


def problem_list(app_label, kind):
    problems = catalogue.check(app_label, LANGUAGE)
    entries = getattr(problems, kind)
    path = catalogue.po_path(app_label, LANGUAGE)
    listing = "\n".join(f"  {msgid!r}" for msgid in entries)
    return entries, f"{len(entries)} {kind} in {path}:\n{listing}"


@pytest.mark.parametrize("app_label", APPS)
def test_catalogue_has_no_missing_messages(app_label):
    entries, report = problem_list(app_label, "missing")
    assert not entries, report


@pytest.mark.parametrize("app_label", APPS)
def test_catalogue_has_no_untranslated_messages(app_label):
    entries, report = problem_list(app_label, "untranslated")
    assert not entries, report


@pytest.mark.parametrize("app_label", APPS)
def test_catalogue_has_no_fuzzy_messages(app_label):
    entries, report = problem_list(app_label, "fuzzy")
    assert not entries, report


@pytest.mark.parametrize("app_label", APPS)
def test_catalogue_mo_matches_po(app_label):
    entries, report = problem_list(app_label, "stale_mo")
    assert not entries, report
