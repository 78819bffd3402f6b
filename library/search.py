"""
Search the library and build highlighted snippets of the matching text.

The snippet code is plain Python so that its escaping is easy to test.
"""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import mark_safe

SNIPPET_BEFORE = 80
SNIPPET_AFTER = 160
# Query words shorter than this are not highlighted: they match everywhere.
MIN_TERM_LENGTH = 2


def backend_query(query):
    """
    Return the text to send to the search backend for ``query``.

    The text is NFKC-normalised like the extracted text. Double quotes become
    spaces because Wagtail 8's SQLite backend (modelsearch's ``Lexeme``) puts
    each word inside FTS5 double quotes without escaping them, and a stray
    quote is then an SQL error.
    """
    return unicodedata.normalize("NFKC", query).replace('"', " ").strip()


def query_terms(query):
    """Split a search query into the distinct words to highlight."""
    query = unicodedata.normalize("NFKC", query)
    terms = []
    for word in re.findall(r"\w[\w.\-']*", query):
        word = word.strip(".-'")
        if len(word) >= MIN_TERM_LENGTH and word.casefold() not in {
            term.casefold() for term in terms
        }:
            terms.append(word)
    return terms


def term_pattern(terms):
    """
    Return a regex that finds the terms at the start of words.

    The PostgreSQL backend stems words and the SQLite backend matches the
    last word as a prefix, so a word is highlighted when it starts with a
    term ("trace" in "traces" is found, but "trace" in "tracing" is not).
    """
    if not terms:
        return None
    alternatives = "|".join(
        re.escape(term) for term in sorted(terms, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def snippet(text, terms, before=SNIPPET_BEFORE, after=SNIPPET_AFTER):
    """
    Return an HTML snippet of ``text`` around the first match of ``terms``.

    Everything is escaped and each match is wrapped in ``<mark>``. When no
    term matches, return the start of the text. Return an empty string for
    empty text.
    """
    text = " ".join(text.split())
    if not text:
        return ""
    pattern = term_pattern(terms)
    match = pattern.search(text) if pattern else None
    if match is None:
        start, end = 0, before + after
    else:
        start = max(0, match.start() - before)
        end = match.end() + after
    start, end = _widen_to_words(text, start, end)
    excerpt = text[start:end]
    parts = []
    position = 0
    if pattern is not None:
        for found in pattern.finditer(excerpt):
            parts.append(escape(excerpt[position : found.start()]))
            parts.append(f"<mark>{escape(found.group(0))}</mark>")
            position = found.end()
    parts.append(escape(excerpt[position:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308


def _widen_to_words(text, start, end):
    """Move ``start`` and ``end`` to word boundaries so no word is cut."""
    end = min(end, len(text))
    if start > 0:
        space = text.find(" ", start)
        if space != -1 and space < end:
            start = space + 1
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    return start, end
