"""
Cite library items: APA 7th edition references, BibTeX and RIS.

``Citation.from_item`` reads the Dublin Core fields of a ``LibraryItemPage``
once; ``apa_parts``, ``bibtex_entry`` and ``ris_record`` turn that into each
format. Names are split as people write them in Indonesia: one word is a
whole name ("Sukarno"), otherwise the last word is the family name, and
"Family, Given" is kept as written. Academic titles ("Dr.", "S.Pd.") are
dropped.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import ItemType

# Academic titles and degrees written before or after Indonesian names,
# compared without dots, spaces and case.
TITLES_BEFORE = {"dr", "drs", "dra", "prof", "ir", "hj", "kh", "ust", "ustadz"}
DEGREES_AFTER = {
    "spd", "mpd", "ssi", "msi", "skom", "mkom", "st", "mt", "se", "mm", "sh",
    "mh", "ssos", "msos", "phd", "ma", "msc", "bsc", "sag", "mag", "lc", "ssn",
    "spsi", "mpsi", "skm", "skep", "sked", "amd", "mhum", "shum", "ba", "bed",
    "med", "mba", "sip", "spdi", "mpdi", "sth", "sfarm", "apt", "dr",
}  # fmt: skip
# APA 7th edition lists up to 20 authors; with 21 or more it lists the
# first 19, an ellipsis and the last author.
APA_MAX_AUTHORS = 20
DOI_RE = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.I
)
ISBN_RE = re.compile(r"^(?:ISBN[-: ]*)?((?:97[89][- ]?)?(?:\d[- ]?){9}[\dX])$", re.I)
ISSN_RE = re.compile(r"^(?:ISSN[-: ]*)?(\d{4}-?\d{3}[\dX])$", re.I)

BIBTEX_TYPES = {
    ItemType.ARTICLE: "article",
    ItemType.EBOOK: "book",
    ItemType.RESEARCH_PAPER: "techreport",
    # A school's final paper is not a master's thesis, so it is a @misc
    # whose note names the kind of work.
    ItemType.THESIS: "misc",
    ItemType.DATASET: "misc",
    ItemType.TEACHING_MODULE: "misc",
}
RIS_TYPES = {
    ItemType.THESIS: "THES",
    ItemType.ARTICLE: "JOUR",
    ItemType.EBOOK: "BOOK",
    ItemType.DATASET: "DATA",
    ItemType.RESEARCH_PAPER: "RPRT",
    ItemType.TEACHING_MODULE: "GEN",
}


@dataclass
class Name:
    family: str
    given: str = ""

    @property
    def initials(self):
        """Return the given names as APA initials: "Jean-Paul Ari" is "J.-P. A."."""
        words = []
        for word in self.given.split():
            parts = [part for part in word.split("-") if part]
            words.append("-".join(f"{part[0].upper()}." for part in parts))
        return " ".join(words)

    def apa(self):
        return f"{self.family}, {self.initials}" if self.given else self.family

    def inverted(self):
        return f"{self.family}, {self.given}" if self.given else self.family


def _bare(word):
    return re.sub(r"[.\s]", "", word).casefold()


def split_name(name):
    """
    Split a person's name into family and given names.

    "Siti Nur Aisyah" is family "Aisyah", given "Siti Nur"; "Sukarno" is a
    family name alone; "Santoso, Budi" keeps its order. Titles such as
    "Dr." before and degrees such as ", S.Pd." after the name are dropped.
    """
    name = " ".join(unicodedata.normalize("NFC", name).split())
    parts = [part.strip() for part in name.split(",")]
    while len(parts) > 1 and all(_bare(w) in DEGREES_AFTER for w in parts[-1].split()):
        parts.pop()
    if len(parts) > 1:
        return Name(family=parts[0], given=" ".join(parts[1:]))
    words = parts[0].split()
    while len(words) > 1 and _bare(words[0]) in TITLES_BEFORE:
        words.pop(0)
    if len(words) == 1:
        return Name(family=words[0])
    return Name(family=words[-1], given=" ".join(words[:-1]))


def parse_identifier(identifier):
    """Return ``(kind, value)`` for a DOI, ISBN or ISSN, else ``("", identifier)``."""
    identifier = identifier.strip()
    for kind, pattern in (("doi", DOI_RE), ("isbn", ISBN_RE), ("issn", ISSN_RE)):
        match = pattern.match(identifier)
        if match:
            return kind, match.group(1)
    return "", identifier


@dataclass
class Citation:
    """The parts of an item that references need, read once from the page."""

    pk: int
    title: str
    item_type: str
    url: str
    creators: list = field(default_factory=list)
    year: int | None = None
    issued: object = None
    publisher: str = ""
    institution: str = ""
    identifier: str = ""
    relation: str = ""
    language: str = ""
    abstract: str = ""
    subjects: list = field(default_factory=list)

    @classmethod
    def from_item(cls, item, request=None, *, creators=None, subjects=None):
        """
        Read ``item``'s Dublin Core fields. ``request`` makes its URL absolute.

        ``creators`` and ``subjects`` are the item's, when the caller has
        loaded them already. Prefetch both when citing many items. A Wagtail
        page alias is cited as its original, with the original's id and URL,
        so a work has one reference wherever it is shown.
        """
        original = item.original_item()
        if original is not item:
            item, creators, subjects = original, None, None
        if creators is None:
            creators = item.creators.all()
        if subjects is None:
            subjects = item.subjects.all()
        url = item.get_full_url(request) or ""
        return cls(
            pk=item.pk,
            title=item.title,
            item_type=item.item_type,
            url=url,
            creators=[split_name(c.name) for c in creators if c.name],
            year=item.issued.year if item.issued else None,
            issued=item.issued,
            publisher=item.publisher,
            institution=item.school.name if item.school_id else "",
            identifier=item.identifier,
            relation=item.relation,
            language=item.language,
            abstract=item.abstract,
            subjects=[tag.name for tag in subjects],
        )

    @property
    def doi(self):
        kind, value = parse_identifier(self.identifier)
        return value if kind == "doi" else ""

    @property
    def link(self):
        return f"https://doi.org/{self.doi}" if self.doi else self.url


# APA 7th edition -----------------------------------------------------------


def apa_authors(names):
    """Join APA author names: "A, B, & C"; 21 or more become 19, "…" and the last."""
    formatted = [name.apa() for name in names]
    if len(formatted) > APA_MAX_AUTHORS:
        return ", ".join([*formatted[: APA_MAX_AUTHORS - 1], ". . .", formatted[-1]])
    if len(formatted) <= 1:
        return "".join(formatted)
    if len(formatted) == 2:
        return f"{formatted[0]}, & {formatted[1]}"
    return ", ".join(formatted[:-1]) + f", & {formatted[-1]}"


def _end_sentence(text):
    """Add a full stop unless ``text`` already ends with punctuation."""
    return text if text[-1:] in ".?!" else f"{text}."


def apa_parts(citation):
    """
    Return an APA 7th edition reference as ``(text, is_italic)`` parts.

    The title of a stand-alone work is italic; for an article with a known
    journal (Dublin Core ``relation``) the journal is italic instead.
    """
    parts = []
    authors = apa_authors(citation.creators)
    year = str(citation.year) if citation.year else _("n.d.")
    if authors:
        parts.append((f"{_end_sentence(authors)} ({year}). ", False))
    else:
        # Without an author the title moves to the author's place.
        parts.append((citation.title, True))
        parts.append((f". ({year}). ", False))

    description = _apa_description(citation)
    if authors:
        is_article = citation.item_type == ItemType.ARTICLE and citation.relation
        title_end = f" [{description}]." if description else "."
        if citation.title[-1:] in "?!" and not description:
            title_end = ""
        parts.append((citation.title, not is_article))
        parts.append((f"{title_end} ", False))
        if is_article:
            parts.append((citation.relation, True))
            parts.append((". ", False))
    elif description:
        parts.append((f"[{description}]. ", False))

    publisher = citation.publisher
    if citation.item_type != ItemType.THESIS and publisher and publisher != authors:
        parts.append((f"{_end_sentence(publisher)} ", False))
    parts.append((citation.link, False))
    return parts


def _apa_description(citation):
    institution = citation.publisher or citation.institution
    if citation.item_type == ItemType.THESIS:
        label = _("Student thesis or final paper")
        return f"{label}, {institution}" if institution else label
    if citation.item_type == ItemType.DATASET:
        return _("Data set")
    if citation.item_type == ItemType.TEACHING_MODULE:
        return _("Teaching module")
    return ""


def apa_text(citation):
    """Return the APA reference as plain text, without italics."""
    return "".join(text for text, _italic in apa_parts(citation)).strip()


# BibTeX -------------------------------------------------------------------

BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def bibtex_escape(value):
    """
    Escape ``value`` for a braced BibTeX field.

    Characters that BibTeX or LaTeX treat specially are escaped, so a brace
    in a title cannot close the field. Other Unicode text stays as it is,
    for biber and bibtexu, which read UTF-8.
    """
    value = " ".join(str(value).split())
    return "".join(BIBTEX_ESCAPES.get(char, char) for char in value)


def bibtex_key(citation):
    """
    Return a citation key that stays the same for the item: family name,
    year, first title word and the item's id, in ASCII.
    """
    family = citation.creators[0].family if citation.creators else "anon"
    words = re.findall(r"\w+", _ascii(citation.title).lower())
    word = next((w for w in words if len(w) > 3), words[0] if words else "item")
    family = re.sub(r"[^a-z0-9]", "", _ascii(family).lower()) or "anon"
    return f"{family}{citation.year or ''}{word}-{citation.pk}"


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _bibtex_name(name):
    # Braces keep a word "and" inside a name from splitting it into two.
    return " ".join(
        "{and}" if word == "and" else word
        for word in bibtex_escape(name.inverted()).split(" ")
    )


def bibtex_entry(citation):
    """Return one BibTeX entry for ``citation``."""
    entry_type = BIBTEX_TYPES.get(citation.item_type, "misc")
    fields = []
    if citation.creators:
        authors = " and ".join(_bibtex_name(name) for name in citation.creators)
        fields.append(("author", authors))
    # Double braces keep the title's capitals as they are.
    fields.append(("title", "{" + bibtex_escape(citation.title) + "}"))
    if citation.year:
        fields.append(("year", str(citation.year)))
    institution = citation.publisher or citation.institution
    if entry_type == "article" and citation.relation:
        fields.append(("journal", bibtex_escape(citation.relation)))
    if entry_type == "techreport" and institution:
        fields.append(("institution", bibtex_escape(institution)))
    elif entry_type == "book" and institution:
        fields.append(("publisher", bibtex_escape(institution)))
    elif citation.publisher:
        fields.append(("publisher", bibtex_escape(citation.publisher)))
    if entry_type == "misc":
        note = str(ItemType(citation.item_type).label)
        if citation.item_type == ItemType.THESIS and institution:
            note = f"{note}, {institution}"
        fields.append(("note", bibtex_escape(note[:1].upper() + note[1:])))
    kind, value = parse_identifier(citation.identifier)
    if kind:
        fields.append((kind, bibtex_escape(value)))
    if citation.url:
        fields.append(("url", bibtex_escape(citation.url)))
    if citation.language:
        fields.append(("language", citation.language))
    if citation.subjects:
        fields.append(("keywords", bibtex_escape(", ".join(citation.subjects))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{bibtex_key(citation)},\n{body}\n}}\n"


# RIS -----------------------------------------------------------------------


def _ris_value(value):
    return " ".join(str(value).split())


def ris_record(citation):
    """Return one RIS record, ending with ``ER``, with CRLF line ends."""
    tags = [("TY", RIS_TYPES.get(citation.item_type, "GEN"))]
    tags += [("AU", name.inverted()) for name in citation.creators]
    tags.append(("TI", citation.title))
    if citation.issued:
        tags.append(("PY", str(citation.issued.year)))
        tags.append(("DA", citation.issued.strftime("%Y/%m/%d")))
    institution = citation.publisher or citation.institution
    if citation.item_type == ItemType.ARTICLE and citation.relation:
        tags.append(("T2", citation.relation))
    if citation.item_type in (ItemType.THESIS, ItemType.RESEARCH_PAPER):
        if institution:
            tags.append(("PB", institution))
    elif citation.publisher:
        tags.append(("PB", citation.publisher))
    kind, value = parse_identifier(citation.identifier)
    if kind == "doi":
        tags.append(("DO", value))
    elif kind in ("isbn", "issn"):
        tags.append(("SN", value))
    if citation.url:
        tags.append(("UR", citation.url))
    if citation.abstract:
        tags.append(("AB", citation.abstract))
    tags += [("KW", subject) for subject in citation.subjects]
    if citation.language:
        tags.append(("LA", citation.language))
    lines = [f"{tag}  - {_ris_value(value)}" for tag, value in tags]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


FORMATS = {
    "bibtex": (bibtex_entry, "application/x-bibtex", "bib"),
    "ris": (ris_record, "application/x-research-info-systems", "ris"),
    "apa": (apa_text, "text/plain", "txt"),
}


def export(citations, format_name):
    """
    Return ``(text, content type, file extension)`` of ``citations`` in a format.

    ``format_name`` is "bibtex", "ris" or "apa"; raise ``KeyError`` otherwise.
    APA references are separated by blank lines, as in a reference list.
    """
    render, content_type, extension = FORMATS[format_name]
    records = [render(citation) for citation in citations]
    if format_name == "apa":
        text = "\n\n".join(records) + ("\n" if records else "")
    elif format_name == "bibtex":
        text = "\n".join(records)
    else:
        text = "\r\n".join(records)
    return text, content_type, extension
