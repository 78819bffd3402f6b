"""Logging helpers that keep identity numbers out of log files."""

import logging
import re

# Sixteen-digit runs are NIK or family card (KK) numbers; ten-digit runs
# standing alone are NISN. Both are masked down to their last four digits.
IDENTIFIER_RE = re.compile(r"(?<!\d)(\d{12}|\d{6})(\d{4})(?!\d)")
# A NIK or KK number written in four groups of four digits, as on the
# printed family card ("3276 0112 3456 7890" or with dashes or dots).
GROUPED_IDENTIFIER_RE = re.compile(
    r"(?<![\d.-])(\d{4})([ .-])(\d{4})\2(\d{4})\2(\d{4})(?![\d]|[.-]\d)"
)


def mask_text(text):
    """Return ``text`` with every NIK, KK and NISN masked to its last four digits."""
    text = GROUPED_IDENTIFIER_RE.sub(
        lambda m: m.group(2).join(["****", "****", "****", m.group(5)]), text
    )
    return IDENTIFIER_RE.sub(lambda m: "*" * len(m.group(1)) + m.group(2), text)


class MaskIdentifiersFilter(logging.Filter):
    """
    Mask NIK, KK and NISN numbers in every record that passes through.

    The message with its arguments, the traceback of a logged exception and
    the stack information are all masked. Attach the filter to handlers:
    a filter on a logger does not see the records of its child loggers.
    """

    def filter(self, record):
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
