"""
Extract, merge and compile the translation catalogues without GNU gettext.

Django's ``makemessages`` and ``compilemessages`` call the GNU gettext
programs, which a fresh machine may lack. This module does the same work in
Python: Babel's Python extractor reads the source, Django's own
``templatize`` turns each template into code that extractor understands, and
polib merges the catalogue and writes the ``.mo`` file.

Each app keeps its catalogue in ``APP/locale/<language>/LC_MESSAGES/``; the
core app's catalogue also covers the shared templates in ``templates/``.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.extract import extract, extract_python
from django.conf import settings
from django.utils.translation.template import templatize

KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml", ".ics"}
SKIPPED_DIRS = {"migrations", "locale", "__pycache__", "static", "node_modules"}

# The apps with a catalogue, and the folders each one covers.
CATALOGUES = {
    "lms": ["lms", "templates"],
    "courses": ["courses"],
    "assignments": ["courses/assignments"],
    "quizzes": ["courses/quizzes"],
    "gradebook": ["courses/gradebook"],
    "library": ["library"],
    "oai": ["library/oai"],
    "live": ["live"],
    "ppdb": ["ppdb"],
}


@dataclass(frozen=True)
class Message:
    msgid: str
    msgid_plural: str = ""
    msgctxt: str | None = None

    @property
    def key(self):
        return (self.msgctxt, self.msgid)


@dataclass
class Problems:
    missing: list = field(default_factory=list)
    untranslated: list = field(default_factory=list)
    fuzzy: list = field(default_factory=list)
    stale_mo: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.missing or self.untranslated or self.fuzzy or self.stale_mo)


def extract_source(source):
    """Return the messages that Python ``source`` marks for translation."""
    # Babel's extract() applies each keyword's argument spec, so plural
    # forms keep their message even though the count argument is no string.
    fileobj = io.BytesIO(source.encode("utf-8"))
    found = []
    for _lineno, message, _comments, context in extract(
        extract_python, fileobj, keywords=KEYWORDS, options={"encoding": "utf-8"}
    ):
        if isinstance(message, tuple):
            found.append(Message(message[0], message[1], context))
        else:
            found.append(Message(message, "", context))
    return found


def iter_files(folder, skipped=()):
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or SKIPPED_DIRS.intersection(path.parts):
            continue
        if any(other in path.parents for other in skipped):
            continue
        yield path


def extract_folder(folder, skipped=()):
    """
    Return the messages in the Python files and templates under ``folder``.

    Files under any folder in ``skipped`` are left out.
    """
    messages = []
    for path in iter_files(folder, skipped):
        if path.suffix == ".py":
            messages += extract_source(path.read_text(encoding="utf-8"))
        elif path.suffix in TEMPLATE_SUFFIXES and "templates" in path.parts:
            code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            # templatize keeps the template's indentation, which the Python
            # tokenizer reads as inconsistent blocks. Its string literals are
            # reprs on one line each, so stripping every line loses nothing.
            code = "\n".join(line.lstrip() for line in code.splitlines())
            messages += extract_source(code)
    return messages


def extract_catalogue(app_label):
    """Return the messages of one catalogue, first occurrence first, deduplicated."""
    base = Path(settings.BASE_DIR)
    # A folder inside this catalogue's folder that has a catalogue of its own
    # (courses/quizzes inside courses) is left to that catalogue.
    others = [
        base / folder
        for label, folders in CATALOGUES.items()
        if label != app_label
        for folder in folders
    ]
    seen = {}
    for folder in CATALOGUES[app_label]:
        skipped = [other for other in others if (base / folder) in other.parents]
        for message in extract_folder(base / folder, skipped):
            seen.setdefault(message.key, message)
    return list(seen.values())


def po_path(app_label, language):
    """Return the catalogue file, in the ``locale`` folder of its first folder."""
    return (
        Path(settings.BASE_DIR)
        / CATALOGUES[app_label][0]
        / "locale"
        / language
        / "LC_MESSAGES"
        / "django.po"
    )


def load_po(path):
    if path.exists():
        return polib.pofile(str(path), wrapwidth=79)
    po = polib.POFile(wrapwidth=79)
    po.metadata = {
        "Project-Id-Version": "city-learning-platform",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Language": path.parent.parent.name,
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    return po


def update(app_label, language):
    """
    Merge the extracted messages into the catalogue and compile it.

    New messages are added untranslated; messages no longer in the source are
    dropped. Return ``(added, removed)`` counts.
    """
    path = po_path(app_label, language)
    path.parent.mkdir(parents=True, exist_ok=True)
    po = load_po(path)
    messages = extract_catalogue(app_label)
    wanted = {message.key for message in messages}
    existing = {(entry.msgctxt, entry.msgid): entry for entry in po}

    removed = [entry for key, entry in existing.items() if key not in wanted]
    for entry in removed:
        po.remove(entry)
    added = 0
    for message in messages:
        if message.key in existing:
            continue
        entry = polib.POEntry(
            msgid=message.msgid, msgstr="", msgctxt=message.msgctxt or None
        )
        if message.msgid_plural:
            entry.msgid_plural = message.msgid_plural
            entry.msgstr_plural = {0: ""}
            entry.msgstr = ""
        po.append(entry)
        added += 1
    po.save(str(path))
    compile_po(path)
    return added, len(removed)


def compile_po(path):
    """Write the ``.mo`` file beside ``path`` from its translated entries."""
    po = polib.pofile(str(path))
    po.save_as_mofile(str(Path(path).with_suffix(".mo")))


def _translation_of(entry):
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
    return entry.msgstr


def check(app_label, language):
    """Return the problems of one catalogue against the source and its .mo."""
    problems = Problems()
    path = po_path(app_label, language)
    if not path.exists():
        problems.missing = [m.msgid for m in extract_catalogue(app_label)]
        return problems
    po = polib.pofile(str(path))
    entries = {(entry.msgctxt, entry.msgid): entry for entry in po}
    for message in extract_catalogue(app_label):
        entry = entries.get(message.key)
        if entry is None:
            problems.missing.append(message.msgid)
        elif "fuzzy" in entry.flags:
            problems.fuzzy.append(message.msgid)
        elif not all(_translation_of(entry) if entry.msgid_plural else [entry.msgstr]):
            problems.untranslated.append(message.msgid)

    mo_path = path.with_suffix(".mo")
    if not mo_path.exists():
        problems.stale_mo.append(str(mo_path))
        return problems
    compiled = {
        (entry.msgctxt, entry.msgid): _translation_of(entry)
        for entry in polib.mofile(str(mo_path))
        if entry.msgid
    }
    for key, entry in entries.items():
        if entry.obsolete or "fuzzy" in entry.flags or not entry.translated():
            continue
        if compiled.get(key) != _translation_of(entry):
            problems.stale_mo.append(entry.msgid)
    return problems
