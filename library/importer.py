"""
Import library items from a folder of files and a CSV file of their metadata.

The CSV has a header row, and each further row describes one item with
Dublin Core columns (see ``COLUMN_NAMES``). Spreadsheet programs save it
with a UTF-8 byte-order mark and often with semicolons, and both are read.
Every row is checked before anything is stored, and each bad row is
reported with its line number and the reason. The good rows are then
imported, unless the import is strict, where one bad row stops them all.

Each item gets an import key: its identifier when it has one, otherwise a
hash of its title, date issued and file checksums. A row whose key an item
imported into the target library already has is skipped, so running the
same import again adds nothing. The key is unique per library in the
database, so two imports running at the same time cannot both store a row.
"""

import csv
import datetime
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .forms import (
    MAX_CREATORS,
    MAX_SUBJECT_LENGTH,
    MAX_SUBJECTS,
    check_content,
    check_size,
)
from .models import AccessLevel, ItemLanguage, ItemType, LibraryItemPage, Licence
from .uploads import ItemMetadata, create_item_with_files, file_checksums

logger = logging.getLogger(__name__)

# Header names accepted for each field, in lower case: Dublin Core names,
# the names of the item's fields and their Indonesian translations.
COLUMN_NAMES = {
    "title": {"title", "judul"},
    "creators": {"creators", "creator", "pengarang", "penulis", "pencipta"},
    "subjects": {"subjects", "subject", "subjek", "kata kunci", "keywords"},
    "abstract": {"abstract", "description", "abstrak", "deskripsi"},
    "publisher": {"publisher", "penerbit"},
    "contributors": {"contributors", "contributor", "kontributor"},
    "issued": {"issued", "date", "date issued", "tanggal", "tanggal terbit", "tahun"},
    "item_type": {"type", "item_type", "jenis", "tipe"},
    "language": {"language", "bahasa"},
    "licence": {"licence", "license", "lisensi"},
    "access_level": {"access", "access_level", "access level", "akses"},
    "identifier": {"identifier", "pengenal"},
    "source": {"source", "sumber"},
    "relation": {"relation", "relasi"},
    "coverage": {"coverage", "cakupan"},
    "rights": {"rights", "hak"},
    "embargo_until": {"embargo", "embargo until", "embargo_until", "embargo sampai"},
    "files": {"files", "file", "berkas"},
}
REQUIRED_COLUMNS = ["title", "creators", "item_type", "licence", "files"]
MAX_ROWS = 10_000
MAX_FILES_PER_ITEM = 20
MAX_ABSTRACT_LENGTH = 5000
MAX_NAME_LENGTH = 200
# The lengths of the item's CharFields.
MAX_FIELD_LENGTH = 255

# Further names of types, licences, languages and access levels, after
# ``normalise_choice``. The values and the English and Indonesian labels of
# each choice are accepted as well.
TYPE_ALIASES = {
    "skripsi": ItemType.THESIS,
    "tesis": ItemType.THESIS,
    "thesis": ItemType.THESIS,
    "tugas akhir": ItemType.THESIS,
    "karya tulis ilmiah": ItemType.RESEARCH_PAPER,
    "penelitian": ItemType.RESEARCH_PAPER,
    "laporan penelitian": ItemType.RESEARCH_PAPER,
    "modul": ItemType.TEACHING_MODULE,
    "ebook": ItemType.EBOOK,
    "buku": ItemType.EBOOK,
    "data": ItemType.DATASET,
}
LANGUAGE_ALIASES = {
    "indonesia": ItemLanguage.INDONESIAN,
    "bahasa indonesia": ItemLanguage.INDONESIAN,
    "ind": ItemLanguage.INDONESIAN,
    "english": ItemLanguage.ENGLISH,
    "inggris": ItemLanguage.ENGLISH,
    "bahasa inggris": ItemLanguage.ENGLISH,
    "eng": ItemLanguage.ENGLISH,
    "lainnya": ItemLanguage.OTHER,
    "lain": ItemLanguage.OTHER,
}
ACCESS_ALIASES = {
    "public": AccessLevel.PUBLIC,
    "publik": AccessLevel.PUBLIC,
    "umum": AccessLevel.PUBLIC,
    "kota": AccessLevel.CITY,
    "sekolah se kota": AccessLevel.CITY,
    "sekolah": AccessLevel.SCHOOL,
    "sekolah sendiri": AccessLevel.SCHOOL,
}
LICENCE_ALIASES = {
    "all rights reserved": Licence.ALL_RIGHTS_RESERVED,
    "hak cipta dilindungi": Licence.ALL_RIGHTS_RESERVED,
    "public domain": Licence.CC0,
    "domain publik": Licence.CC0,
}
# Words of a licence name that do not change which licence it is.
LICENCE_NOISE = {"international", "internasional", "license", "licence", "lisensi"}
LICENCE_WORDS = {
    "attribution": "by",
    "sharealike": "sa",
    "noncommercial": "nc",
    "noderivatives": "nd",
    "noderivs": "nd",
}


class CSVFileError(Exception):
    """A CSV file that cannot be imported at all, with a translated message."""


@dataclass
class ImportRow:
    """A checked CSV row, ready to be imported."""

    line: int
    metadata: ItemMetadata
    # (path, MIME type, SHA-256) of each file, in order.
    files: list


@dataclass
class ImportResult:
    """The outcome of an import: the rows imported, skipped and rejected."""

    # (line, page) of each imported row.
    imported: list = field(default_factory=list)
    # (line, existing page) of each row that was imported before.
    skipped: list = field(default_factory=list)
    # (line, message) of each bad row.
    errors: list = field(default_factory=list)
    # Good rows that a dry run or a strict import with bad rows left out.
    not_imported: int = 0

    def add_error(self, line, message):
        self.errors.append((line, message))


def normalise_choice(value):
    """Return ``value`` in lower case, with hyphens, dots and spaces folded."""
    value = re.sub(r"[\s_\-./()]+", " ", value.casefold())
    return " ".join(value.split())


def choice_names(choices, aliases):
    """Map each accepted name of ``choices`` (normalised) to its value."""
    names = {normalise_choice(name): value for name, value in aliases.items()}
    for value, label in choices:
        names[normalise_choice(value)] = value
        for language in ("en", "id"):
            with translation.override(language):
                names[normalise_choice(str(label))] = value
    return names


def licence_value(raw, names):
    """
    Return the ``Licence`` value that ``raw`` names, or ``None``.

    Besides the values and labels, common spellings are understood: "CC
    BY-SA 4.0", "CC-BY-NC-ND 3.0 International", "Creative Commons
    Attribution-ShareAlike 4.0" and "CC0 1.0". The version is ignored, since
    the platform offers one version of each licence.
    """
    name = normalise_choice(raw)
    if name in names:
        return names[name]
    words = []
    for word in name.replace("creative commons", "cc").split():
        if re.fullmatch(r"v?\d+", word) or word in LICENCE_NOISE:
            continue
        words.append(LICENCE_WORDS.get(word, word))
    if words[:1] not in (["cc"], ["cc0"]):
        words.insert(0, "cc")
    candidate = "cc0" if words == ["cc", "cc0"] else "-".join(words)
    return candidate if candidate in Licence.values else None


def parse_issued(value):
    """Return the date of ``YYYY-MM-DD`` or ``YYYY`` (as 1 January), or ``None``."""
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        return datetime.date(year, 1, 1) if year >= 1 else None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def split_list(value):
    return [part.strip() for part in value.split(";") if part.strip()]


def split_name(value):
    """Split ``Name (Extra)`` into the name and the text in brackets."""
    match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", value)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    return value.strip(), ""


def decode(data):
    """Return the text of the CSV file, or raise ``CSVFileError``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CSVFileError(
            _(
                "The CSV file is not UTF-8 text. Save it from the spreadsheet "
                "as 'CSV UTF-8' and try again."
            )
        ) from error


def column_map(header):
    """Return the column index of each known field named in ``header``."""
    found = {}
    for index, raw in enumerate(header):
        name = " ".join(raw.strip().lower().split())
        for key, names in COLUMN_NAMES.items():
            if name in names and key not in found:
                found[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in found]
    if missing:
        raise CSVFileError(
            _(
                "The CSV file lacks the columns %(columns)s. The first row must "
                "name at least the columns title, creators, type, licence and "
                "files."
            )
            % {"columns": ", ".join(missing)}
        )
    return found


class RowChecker:
    """Check the CSV rows of one import against the folder of its files."""

    def __init__(self, index, folder):
        self.index = index
        self.folder = Path(folder).resolve()
        self.types = choice_names(ItemType.choices, TYPE_ALIASES)
        self.languages = choice_names(ItemLanguage.choices, LANGUAGE_ALIASES)
        self.access_levels = choice_names(AccessLevel.choices, ACCESS_ALIASES)
        self.licences = choice_names(Licence.choices, LICENCE_ALIASES)
        self.today = timezone.localdate()

    def check(self, line, cells, columns):
        """Return an ``ImportRow``, or raise ``ValidationError`` with every problem."""

        def cell(key):
            index = columns.get(key)
            if index is None or index >= len(cells):
                return ""
            return cells[index].strip()

        problems = []
        values = {}
        for key, check in [
            ("title", self.check_title),
            ("creators", self.check_creators),
            ("subjects", self.check_subjects),
            ("abstract", self.check_abstract),
            ("contributors", self.check_contributors),
            ("issued", self.check_issued),
            ("item_type", self.check_type),
            ("language", self.check_language),
            ("licence", self.check_licence),
            ("access_level", self.check_access_level),
            ("embargo_until", self.check_embargo),
            ("files", self.check_files),
        ]:
            try:
                values[key] = check(cell(key))
            except ValidationError as error:
                problems.extend(error.messages)
        for key in ["publisher", "identifier", "source", "relation", "coverage"]:
            values[key] = cell(key)
            if len(values[key]) > MAX_FIELD_LENGTH:
                problems.append(
                    _("The %(column)s column has more than %(max)s characters.")
                    % {"column": key, "max": MAX_FIELD_LENGTH}
                )
        values["rights"] = cell("rights")
        if problems:
            raise ValidationError(problems)

        files = values.pop("files")
        metadata = ItemMetadata(**values)
        metadata.import_key = import_key(metadata, [sha256 for _p, _t, sha256 in files])
        return ImportRow(line, metadata, files)

    def check_title(self, value):
        if not value:
            raise ValidationError(_("The title is missing."))
        if len(value) > MAX_FIELD_LENGTH:
            raise ValidationError(
                _("The title has more than %(max)s characters.")
                % {"max": MAX_FIELD_LENGTH}
            )
        return value

    def check_creators(self, value):
        creators = [split_name(part) for part in split_list(value)]
        if not creators:
            raise ValidationError(_("Name at least one creator."))
        if len(creators) > MAX_CREATORS:
            raise ValidationError(
                _("Name at most %(max)s creators.") % {"max": MAX_CREATORS}
            )
        for name, affiliation in creators:
            if not name:
                raise ValidationError(
                    _("A creator has an affiliation in brackets but no name.")
                )
            if len(name) > MAX_NAME_LENGTH or len(affiliation) > MAX_NAME_LENGTH:
                raise ValidationError(
                    _("Names and affiliations may have at most 200 characters.")
                )
        return creators

    def check_contributors(self, value):
        contributors = [split_name(part) for part in split_list(value)]
        for name, role in contributors:
            if not name:
                raise ValidationError(
                    _("A contributor has a role in brackets but no name.")
                )
            if len(name) > MAX_NAME_LENGTH or len(role) > 100:
                raise ValidationError(
                    _(
                        "Contributor names may have at most 200 characters and "
                        "roles at most 100."
                    )
                )
        return contributors

    def check_subjects(self, value):
        subjects = []
        for subject in split_list(value):
            subject = " ".join(subject.split())
            if subject.casefold() not in {known.casefold() for known in subjects}:
                subjects.append(subject)
        if len(subjects) > MAX_SUBJECTS:
            raise ValidationError(
                _("Give at most %(max)s subjects.") % {"max": MAX_SUBJECTS}
            )
        if any(len(subject) > MAX_SUBJECT_LENGTH for subject in subjects):
            raise ValidationError(
                _("Each subject may have at most %(max)s characters.")
                % {"max": MAX_SUBJECT_LENGTH}
            )
        return subjects

    def check_abstract(self, value):
        if len(value) > MAX_ABSTRACT_LENGTH:
            raise ValidationError(
                _("The abstract has more than %(max)s characters.")
                % {"max": MAX_ABSTRACT_LENGTH}
            )
        return value

    def check_issued(self, value):
        if not value:
            return None
        issued = parse_issued(value)
        if issued is None:
            raise ValidationError(
                _(
                    "The date issued %(value)s is invalid. Write it as "
                    "YYYY-MM-DD or YYYY, for example 2024-05-01 or 2024."
                )
                % {"value": value}
            )
        if issued > self.today:
            raise ValidationError(
                _("The date issued %(value)s is in the future.") % {"value": value}
            )
        return issued

    def check_embargo(self, value):
        if not value:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise ValidationError(
            _(
                "The embargo date %(value)s is invalid. Write it as YYYY-MM-DD, "
                "for example 2026-12-31."
            )
            % {"value": value}
        )

    def check_type(self, value):
        item_type = self.types.get(normalise_choice(value))
        if item_type is None:
            raise ValidationError(
                _("The type %(value)s is unknown. Use one of: %(choices)s.")
                % {"value": value or "''", "choices": ", ".join(ItemType.values)}
            )
        return item_type

    def check_language(self, value):
        if not value:
            return ItemLanguage.INDONESIAN
        language = self.languages.get(normalise_choice(value))
        if language is None:
            raise ValidationError(
                _("The language %(value)s is unknown. Use one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(ItemLanguage.values)}
            )
        return language

    def check_licence(self, value):
        licence = licence_value(value, self.licences) if value else None
        if licence is None:
            raise ValidationError(
                _(
                    "The licence %(value)s is unknown. Use one of: %(choices)s "
                    "(spellings such as 'CC BY-SA 4.0' work too)."
                )
                % {"value": value or "''", "choices": ", ".join(Licence.values)}
            )
        return licence

    def check_access_level(self, value):
        if not value:
            return AccessLevel.PUBLIC
        access_level = self.access_levels.get(normalise_choice(value))
        if access_level is None or access_level == AccessLevel.PEOPLE:
            raise ValidationError(
                _(
                    "The access level %(value)s cannot be imported. Use one "
                    "of: public, city, school."
                )
                % {"value": value}
            )
        if access_level == AccessLevel.SCHOOL and self.index.school_id is None:
            raise ValidationError(
                _(
                    "An item of the city-wide library cannot be limited to its "
                    "own school. Choose another access level."
                )
            )
        return access_level

    def check_files(self, value):
        """Return ``(path, MIME type, SHA-256)`` of each file named in ``value``."""
        names = split_list(value)
        if not names:
            raise ValidationError(_("No file is named in the files column."))
        if len(names) > MAX_FILES_PER_ITEM:
            raise ValidationError(
                _("Name at most %(max)s files per item.") % {"max": MAX_FILES_PER_ITEM}
            )
        problems, files = [], []
        for name in names:
            try:
                files.append(self.check_file(name))
            except ValidationError as error:
                problems.extend(error.messages)
        if problems:
            raise ValidationError(problems)
        return files

    def check_file(self, name):
        # Spreadsheets made on Windows separate folders with backslashes.
        path = (self.folder / name.replace("\\", "/")).resolve()
        # resolve() also follows symbolic links, so a link that points out
        # of the folder is caught here as well.
        if not path.is_relative_to(self.folder):
            raise ValidationError(
                _("The file %(name)s is outside the import folder.") % {"name": name}
            )
        if not path.is_file():
            raise ValidationError(
                _("The file %(name)s was not found in the import folder.")
                % {"name": name}
            )
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            check_size(upload, name)
            content_type = check_content(upload, name)
            sha256 = hashlib.sha256()
            for chunk in upload.chunks():
                sha256.update(chunk)
        return path, content_type, sha256.hexdigest()


def import_key(metadata, checksums):
    """
    Return the key that identifies an item across imports.

    The identifier names the work, so it is the key when there is one.
    Otherwise the key hashes the title (ignoring case), the date issued and
    the SHA-256 of each file, in order.
    """
    if metadata.identifier:
        return f"identifier:{metadata.identifier}"
    digest = hashlib.sha256()
    issued = metadata.issued.isoformat() if metadata.issued else ""
    for part in [metadata.title.casefold(), issued, *checksums]:
        digest.update(part.encode() + b"\n")
    return f"sha256:{digest.hexdigest()}"


def read_rows(index, folder, data, result):
    """
    Return the good rows of CSV ``data`` and add the bad ones to ``result``.

    Raise ``CSVFileError`` when the file as a whole cannot be read.
    """
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise CSVFileError(
            _("The CSV file is invalid: %(error)s") % {"error": error}
        ) from error
    if not header or not any(cell.strip() for cell in header):
        raise CSVFileError(_("The CSV file is empty."))
    columns = column_map(header)
    checker = RowChecker(index, folder)
    rows, seen = [], {}
    while True:
        # A quoted cell may span lines, so a row starts on the line after
        # the end of the previous one.
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise CSVFileError(
                _("The CSV file is invalid at line %(line)s: %(error)s")
                % {"line": line, "error": error}
            ) from error
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + len(result.errors) >= MAX_ROWS:
            raise CSVFileError(
                _("The CSV file has more than %(max)s rows. Split it and try again.")
                % {"max": MAX_ROWS}
            )
        try:
            row = checker.check(line, cells, columns)
        except ValidationError as error:
            result.add_error(line, " ".join(error.messages))
            continue
        key = row.metadata.import_key
        if key in seen:
            result.add_error(
                line,
                _("The row describes the same item as line %(line)s.")
                % {"line": seen[key]},
            )
            continue
        seen[key] = line
        rows.append(row)
    return rows


def import_items(
    index,
    folder,
    data,
    *,
    user=None,
    dry_run=False,
    strict=False,
    publish=True,
    progress=None,
):
    """
    Import the items of CSV ``data`` (bytes) with their files from ``folder``.

    Every row is checked first. Then each good row whose import key no item
    of ``index`` has yet is imported, each in its own transaction, unless
    ``dry_run`` is set or ``strict`` is set and a row is bad. ``progress`` is
    called once per good row, for a progress bar. Return an
    ``ImportResult``, or raise ``CSVFileError`` when the file is rejected as
    a whole, and then nothing is stored.

    A row that another import stores between the lookup of the keys and
    this import's insert is skipped too. The insert fails on the unique
    import key, or on the slug or tree path that the other item took, and
    the key is then found.
    """
    result = ImportResult()
    rows = read_rows(index, folder, data, result)
    existing = imported_items(index, [row.metadata.import_key for row in rows])
    stop = dry_run or (strict and result.errors)
    for row in rows:
        page_id = existing.get(row.metadata.import_key)
        if page_id is not None:
            result.skipped.append((row.line, page_id))
        elif stop:
            result.not_imported += 1
        else:
            import_row(index, row, user, publish, result)
        if progress is not None:
            progress(row)
    result.errors.sort()
    logger.info(
        "library import index=%s imported=%s skipped=%s errors=%s "
        "not_imported=%s dry_run=%s strict=%s",
        index.pk,
        len(result.imported),
        len(result.skipped),
        len(result.errors),
        result.not_imported,
        dry_run,
        strict,
    )
    return result


def imported_items(index, keys):
    """Return {import key: page id} of the items imported into ``index``."""
    return dict(
        LibraryItemPage.objects.filter(
            import_library=index, import_key__in=keys
        ).values_list("import_key", "pk")
    )


def import_row(index, row, user, publish, result):
    """Store one checked row. A failure becomes an error of the row's line."""
    handles = []
    try:
        files = []
        for path, content_type, checked_sha256 in row.files:
            handle = path.open("rb")
            handles.append(handle)
            upload = File(handle, name=path.name)
            # Only the content that was checked may be stored.
            if file_checksums(upload)[1] != checked_sha256:
                raise ValidationError(
                    _(
                        "The file %(name)s changed after it was checked. Run "
                        "the import again."
                    )
                    % {"name": path.name}
                )
            files.append((upload, content_type))
        item_files = create_item_with_files(
            index, row.metadata, files, user=user, publish=publish
        )
    except (ValidationError, IntegrityError) as error:
        # Another import may have stored the row after this one looked the
        # keys up. Its item then has the slug, the tree path or the import
        # key first, so Wagtail's slug check or the database rejects this one.
        page_id = imported_items(index, [row.metadata.import_key]).get(
            row.metadata.import_key
        )
        if page_id is not None:
            _skip_row(index, row, page_id, result)
            return
        if isinstance(error, IntegrityError):
            raise
        message = " ".join(error.messages)
    except OSError as error:
        # The file vanished after the check, or the storage failed.
        message = str(error)
    else:
        message = None
    finally:
        for handle in handles:
            handle.close()
    if message is not None:
        logger.warning(
            "library import row failed index=%s line=%s error=%s",
            index.pk,
            row.line,
            message,
        )
        result.add_error(
            row.line,
            _("The item could not be stored: %(error)s") % {"error": message},
        )
        return
    result.imported.append((row.line, item_files[0].item))


def _skip_row(index, row, page_id, result):
    logger.info(
        "library import row skipped, stored by another import index=%s line=%s item=%s",
        index.pk,
        row.line,
        page_id,
    )
    result.skipped.append((row.line, page_id))
