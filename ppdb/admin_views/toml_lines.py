"""
Find the line of a TOML document on which a key is written.

The rule set parser reports invalid values by their key path, such as
``tracks.domisili.share`` or ``spillover[1].from``, and a syntax error by a
message that ends with "(at line 3, column 5)". Staff edit the rule set as
text, so each problem is shown next to its line. No Django import.
"""

import re

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\".' ]+?)\s*=")
_DECODE_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_INDEX = re.compile(r"\[(\d+)\]")


def _split_key(text):
    """Split a dotted TOML key into its parts, removing quotes."""
    return [part.strip().strip("\"'") for part in text.split(".")]


def key_lines(text):
    """
    Return ``{key path: line number}`` for every table and key in ``text``.

    Paths use the parser's notation: dotted names, and ``name[index]`` for
    the entries of an array of tables. Line numbers start at 1. Keys inside
    inline tables and multi-line values are not listed; a lookup falls back
    to the key that holds them.
    """
    lines = {}
    prefix = []
    array_counts = {}
    in_multiline = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        array = _ARRAY_TABLE.match(line)
        if array:
            name = ".".join(_split_key(array.group(1)))
            index = array_counts.get(name, 0)
            array_counts[name] = index + 1
            prefix = [f"{name}[{index}]"]
            lines.setdefault(prefix[0], number)
            continue
        table = _TABLE.match(line)
        if table:
            parts = _split_key(table.group(1))
            prefix = [".".join(parts)]
            for depth in range(1, len(parts) + 1):
                lines.setdefault(".".join(parts[:depth]), number)
            continue
        key = _KEY.match(line)
        if key:
            path = ".".join([*prefix, *_split_key(key.group(1))])
            lines.setdefault(path, number)
            value = line[key.end() :]
            for quotes in ('"""', "'''"):
                if value.count(quotes) % 2 == 1:
                    in_multiline = quotes
    return lines


def line_of(path, lines):
    """
    Return the line of ``path`` in ``lines`` (from ``key_lines``), or ``None``.

    A path that is not written as such, like ``age.bands[2]`` inside an
    inline array, falls back to its nearest written parent.
    """
    candidate = path
    while candidate:
        if candidate in lines:
            return lines[candidate]
        without_index = _INDEX.sub("", candidate)
        if without_index != candidate and without_index in lines:
            return lines[without_index]
        if "." not in candidate:
            break
        candidate = candidate.rsplit(".", 1)[0]
    return None


def decode_error_line(message):
    """Return the line number in a ``tomllib`` syntax error message, or None."""
    match = _DECODE_LINE.search(message)
    return int(match.group(1)) if match else None


# Problems that name no key in their parameters, and the key they concern.
CODE_KEYS = {
    "unknown_timezone": "timezone",
    "invalid_choices": "selection.choices",
    "single_needs_one_choice": "selection.mechanism",
    "age_bands_missing": "age.bands",
    "bands_not_descending": "age.bands",
    "shares_over_one": "tracks",
    "route_cycle": "spillover",
}


def problem_line(problem, lines):
    """Return the line a rule set ``Problem`` concerns, or ``None``."""
    if problem.code == "invalid_toml":
        return decode_error_line(str(problem.params.get("error", "")))
    path = problem.params.get("key") or CODE_KEYS.get(problem.code)
    if not path:
        return None
    return line_of(str(path), lines)
