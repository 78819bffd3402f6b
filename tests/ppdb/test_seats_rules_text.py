"""Rule set problems placed on the line of the TOML text they concern."""

import pytest

from ppdb.admin_views.toml_lines import key_lines, line_of, problem_line
from ppdb.engine import InputError, parse_rules
from tests.ppdb.engine.helpers import DEPOK_SMP

TEXT = DEPOK_SMP.read_text()


def problems(text):
    with pytest.raises(InputError) as error:
        parse_rules(text)
    return error.value.problems


def line_number(text, fragment):
    return next(
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if fragment in line
    )


def test_key_lines_of_tables_and_arrays():
    lines = key_lines(TEXT)

    assert lines["tracks.domisili.share"] == line_number(TEXT, "share = 0.45")
    assert lines["selection.mechanism"] == line_number(TEXT, "mechanism =")
    assert lines["spillover[1].from"] > lines["spillover[0].to"]
    assert lines["spillover[1]"] < lines["spillover[1].from"]
    assert lines["spillover[4].to"] == len(TEXT.rstrip("\n").splitlines())


def test_index_falls_back_to_parent_key():
    lines = key_lines('[age]\nbands = ["7y", "6y"]\n')

    assert line_of("age.bands[1]", lines) == 2
    assert line_of("nothing.here", lines) is None


def test_bad_share_points_at_its_line():
    text = TEXT.replace("share = 0.45", "share = 1.45")

    found = problems(text)

    lines = key_lines(text)
    share_line = line_number(text, "share = 1.45")
    assert [problem_line(p, lines) for p in found if p.code == "invalid_share"] == [
        share_line
    ]


def test_unknown_key_points_at_its_line():
    text = TEXT.replace('mechanism = "deferred_acceptance"', 'mechanizm = "single"')

    found = problems(text)

    lines = key_lines(text)
    unknown = [p for p in found if p.code == "unknown_key"]
    assert problem_line(unknown[0], lines) == line_number(text, "mechanizm")


def test_syntax_error_line_comes_from_parser():
    text = TEXT.replace("choices = 3", "choices = = 3")

    found = problems(text)

    assert found[0].code == "invalid_toml"
    assert problem_line(found[0], key_lines("")) == line_number(text, "choices = =")


def test_multiline_string_is_skipped():
    text = 'name = """\nfake = 1\n"""\nlevel = "SMP"\n'

    lines = key_lines(text)

    assert "fake" not in lines
    assert lines["level"] == 4
