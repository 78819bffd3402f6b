"""NIK, KK and NISN numbers never reach the log output in full."""

import io
import logging

import pytest

from lms.logging import MaskIdentifiersFilter, mask_text

NIK = "3276011234567890"


@pytest.fixture
def log_output():
    """Route the platform's loggers through the configured console handler."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, MaskIdentifiersFilter) for f in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_console_handler_masks_message(log_output):
    logging.getLogger("ppdb.registration").warning("applicant nik=%s", NIK)

    output = log_output.getvalue()
    assert NIK not in output
    assert "applicant nik=************7890" in output


def test_console_handler_masks_traceback(log_output):
    try:
        raise ValueError(f"duplicate family card {NIK}")
    except ValueError:
        logging.getLogger("lms").exception("import failed row=%s", 3)

    output = log_output.getvalue()
    assert NIK not in output
    assert "duplicate family card ************7890" in output
    assert "import failed row=3" in output


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"nik={NIK}", "nik=************7890"),
        ("kk 3276 0112 3456 7890.", "kk **** **** **** 7890."),
        ("kk 3276-0112-3456-7890", "kk ****-****-****-7890"),
        ("nisn 0081234567", "nisn ******4567"),
        ("npsn 20200001", "npsn 20200001"),
        ("order 12345678901234567", "order 12345678901234567"),
        ("at 2026-12-04 22:30", "at 2026-12-04 22:30"),
    ],
)
def test_mask_text(text, expected):
    assert mask_text(text) == expected


def test_filter_masks_arguments():
    record = logging.LogRecord(
        "ppdb", logging.INFO, __file__, 1, "family=%s children=%s", (NIK, 2), None
    )

    MaskIdentifiersFilter().filter(record)

    assert record.getMessage() == "family=************7890 children=2"
