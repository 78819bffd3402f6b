"""Logging helpers that keep identity numbers out of log files."""

import logging
import re

# Sixteen-digit runs are NIK or family card numbers; ten-digit runs standing
# alone are NISN. Both are masked down to their last four digits.
IDENTIFIER_RE = re.compile(r"(?<!\d)(\d{12}|\d{6})(\d{4})(?!\d)")


def mask_text(text):
    return IDENTIFIER_RE.sub(lambda m: "*" * len(m.group(1)) + m.group(2), text)


class MaskIdentifiersFilter(logging.Filter):
    """Mask NIK, KK and NISN numbers in every record that passes through."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
