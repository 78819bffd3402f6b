"""Forms of the library: upload and search."""

from pathlib import Path

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.models import School

from . import filetypes
from .access import upload_libraries
from .models import AccessLevel, ItemLanguage, ItemType, Licence
from .search import NO_SCHOOL
from .uploads import ItemMetadata

MAX_CREATORS = 30
MAX_SUBJECTS = 20
MAX_SUBJECT_LENGTH = 100
MAX_QUERY_LENGTH = 200
# The range of the year filter of the search.
MIN_YEAR = 1000
MAX_YEAR = 9999

FORMAT_NAMES = {
    filetypes.PDF: _("PDF document"),
    filetypes.EPUB: _("EPUB e-book"),
    filetypes.PLAIN_TEXT: _("plain-text file"),
}


def describe_content(head):
    """Name the format that ``head`` looks like, for error messages."""
    if filetypes.looks_like_html(head):
        return _("an HTML page")
    detected = filetypes.sniff(head)
    if detected is not None:
        return FORMAT_NAMES[detected]
    guess = filetype.guess(head)
    if guess is not None:
        return guess.mime
    return _("data of an unknown format")


def check_size(upload, name):
    """Raise a ``ValidationError`` when ``upload`` is empty or too large."""
    if upload.size == 0:
        raise ValidationError(
            _("The file %(name)s is empty."), code="empty", params={"name": name}
        )
    if upload.size > settings.LIBRARY_MAX_FILE_SIZE:
        raise ValidationError(
            _(
                "The file %(name)s is %(size)s, but the limit is %(limit)s. "
                "Upload a smaller file."
            ),
            code="file_too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.LIBRARY_MAX_FILE_SIZE),
            },
        )


def check_content(upload, name):
    """
    Return the MIME type of ``upload`` after checking its first bytes.

    The extension of ``name`` selects the expected format, and the content
    must start like that format. Raise a ``ValidationError`` otherwise.
    """
    expected = filetypes.EXTENSIONS.get(Path(name).suffix.lower())
    if expected is None:
        raise ValidationError(
            _(
                "The file %(name)s is not accepted. Upload a PDF (.pdf), "
                "EPUB (.epub) or plain-text (.txt) file."
            ),
            code="unsupported_type",
            params={"name": name},
        )

    upload.seek(0)
    head = upload.read(filetypes.SNIFF_SIZE)
    upload.seek(0)
    if filetypes.sniff(head) != expected:
        raise ValidationError(
            _(
                "The file %(name)s is not a real %(format)s: its content "
                "is %(detected)s. Upload the original file."
            ),
            code="content_mismatch",
            params={
                "name": name,
                "format": FORMAT_NAMES[expected],
                "detected": describe_content(head),
            },
        )
    return expected


class LibraryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class UploadForm(forms.Form):
    library = LibraryChoiceField(label=_("Library"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=255)
    creators = forms.CharField(
        label=_("Creators"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One person per line. Add an affiliation after a semicolon, for "
            "example: Siti Rahma; SMP Negeri 1"
        ),
    )
    item_type = forms.ChoiceField(label=_("Type"), choices=ItemType.choices)
    language = forms.ChoiceField(label=_("Language"), choices=ItemLanguage.choices)
    issued = forms.DateField(
        label=_("Date issued"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    abstract = forms.CharField(
        label=_("Abstract"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    subjects = forms.CharField(
        label=_("Subjects and keywords"),
        required=False,
        max_length=1000,
        help_text=_("Separate them with commas."),
    )
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices)
    access_level = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[
            choice for choice in AccessLevel.choices if choice[0] != AccessLevel.PEOPLE
        ],
        initial=AccessLevel.PUBLIC,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, EPUB or plain-text file."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.epub,.txt,application/pdf,application/epub+zip"}
        ),
    )

    def __init__(self, *args, user, oversized_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The name of a file that the upload handler dropped for its size.
        self.oversized_name = oversized_name
        if oversized_name is not None:
            self.fields["file"].required = False
        self.fields["library"].queryset = upload_libraries(user)
        self.content_type = None
        limit = filesizeformat(settings.LIBRARY_MAX_FILE_SIZE)
        self.fields["file"].help_text = _(
            "A PDF, EPUB or plain-text file of at most %(limit)s."
        ) % {"limit": limit}

    def clean_creators(self):
        creators = []
        for line in self.cleaned_data["creators"].splitlines():
            name, _separator, affiliation = line.partition(";")
            name, affiliation = name.strip(), affiliation.strip()
            if not name and not affiliation:
                continue
            if not name:
                raise ValidationError(
                    _("Each line needs a name before the semicolon."),
                    code="creator_name_missing",
                )
            if len(name) > 200 or len(affiliation) > 200:
                raise ValidationError(
                    _("Names and affiliations may have at most 200 characters."),
                    code="creator_too_long",
                )
            creators.append((name, affiliation))
        if not creators:
            raise ValidationError(_("Name at least one creator."), code="required")
        if len(creators) > MAX_CREATORS:
            raise ValidationError(
                _("Name at most %(max)s creators."),
                code="too_many_creators",
                params={"max": MAX_CREATORS},
            )
        return creators

    def clean_subjects(self):
        subjects = []
        for subject in self.cleaned_data["subjects"].split(","):
            subject = " ".join(subject.split())
            if subject and subject.lower() not in {s.lower() for s in subjects}:
                subjects.append(subject)
        if len(subjects) > MAX_SUBJECTS:
            raise ValidationError(
                _("Give at most %(max)s subjects."),
                code="too_many_subjects",
                params={"max": MAX_SUBJECTS},
            )
        if any(len(subject) > MAX_SUBJECT_LENGTH for subject in subjects):
            raise ValidationError(
                _("Each subject may have at most %(max)s characters."),
                code="subject_too_long",
                params={"max": MAX_SUBJECT_LENGTH},
            )
        return subjects

    def clean_issued(self):
        issued = self.cleaned_data["issued"]
        if issued and issued > timezone.localdate():
            raise ValidationError(
                _("The date issued cannot be in the future."), code="issued_in_future"
            )
        return issued

    def clean_file(self):
        if self.oversized_name is not None:
            raise ValidationError(
                _(
                    "The file %(name)s is larger than the limit of %(limit)s. "
                    "Upload a smaller file."
                ),
                code="file_too_large",
                params={
                    "name": Path(self.oversized_name).name,
                    "limit": filesizeformat(settings.LIBRARY_MAX_FILE_SIZE),
                },
            )
        upload = self.cleaned_data["file"]
        name = Path(upload.name).name
        check_size(upload, name)
        self.content_type = check_content(upload, name)
        return upload

    def metadata(self):
        data = self.cleaned_data
        return ItemMetadata(
            title=data["title"].strip(),
            item_type=data["item_type"],
            language=data["language"],
            licence=data["licence"],
            access_level=data["access_level"],
            abstract=data["abstract"].strip(),
            issued=data["issued"],
            creators=data["creators"],
            subjects=data["subjects"],
        )


class SearchForm(forms.Form):
    """
    The query and facet filters of a library search, all GET parameters.

    Values that name no known type, language or school are invalid. An
    unknown subject is not an error: it matches no item, so the form does
    not tell which subjects exist on items hidden from the person.
    """

    q = forms.CharField(
        label=_("Search the library"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    item_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("all types")), *ItemType.choices],
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("all languages")), *ItemLanguage.choices],
    )
    school = forms.CharField(label=_("School"), required=False, max_length=20)
    year = forms.IntegerField(
        label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    subject = forms.SlugField(
        label=_("Subject"),
        required=False,
        max_length=MAX_SUBJECT_LENGTH,
        allow_unicode=True,
    )

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].split())

    def clean_school(self):
        value = self.cleaned_data["school"].strip()
        if not value or value == NO_SCHOOL:
            return value
        if not value.isdigit() or not School.objects.filter(pk=value).exists():
            raise ValidationError(
                _("Unknown school %(value)s. Choose a school from the list."),
                code="unknown_school",
                params={"value": value},
            )
        return int(value)

    def filters(self):
        """Return the facet filters for ``library.search.search_items``."""
        return {
            name: self.cleaned_data[name]
            for name in ("item_type", "language", "school", "year", "subject")
            if self.cleaned_data.get(name)
        }
