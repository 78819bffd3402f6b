"""
The registration form: consent first, then the child, the home, the track,
the school choices and the documents.

Every rule that depends on the period (levels with an NISN, the tracks, the
number of choices, the age and family card rules) comes from the period
and its rule set. A NIK whose embedded birth date or sex differs from the
form is accepted and flagged for the operator (``identity_flags``).
"""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from lms.models import Kelurahan, Sex
from lms.validators import validate_kk, validate_nik, validate_nisn, validate_npsn

from ..models import (
    AdmissionPeriod,
    Application,
    ApplicationDocument,
    PeriodSchool,
    SelectionResult,
)
from ..public_info import age_text, track_label
from . import boundary, checks, documents

# Version of the privacy notice in ppdb/templates/ppdb/registration/
# privacy_notice.html. Change it whenever the notice's text changes, so
# parents consent again to the new text.
PRIVACY_NOTICE_VERSION = "2025-1"

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")

MESSAGES = {
    "token": _(
        "The form is incomplete. Reload the registration page and fill it in again."
    ),
    "school_not_in_period": _(
        "This school does not take part in this admission period: choose one "
        "from the list."
    ),
    "too_many_choices": _(
        "This period allows at most %(max)s school choices, but %(count)s were sent."
    ),
    "choice_repeated": _("Each school may be chosen only once."),
    "choice_gap": _(
        "Fill in the choices in order: choice %(rank)s is empty but a later "
        "one is filled in."
    ),
    "outside_city": _(
        "The location %(latitude)s, %(longitude)s lies outside %(city)s. Check "
        "the latitude and longitude of the home: admission here is for "
        "families living in the city."
    ),
    "document_missing": _("Upload one of: %(kinds)s."),
    "document_not_needed": _(
        "The %(track)s track does not use this document. Remove the file or "
        "choose the track that needs it."
    ),
    "document_extension": _(
        "%(name)s is not a PDF, JPEG or PNG file. Upload a scan or photo in "
        "one of those formats."
    ),
    "document_content": _(
        "The content of %(name)s is not a PDF, JPEG or PNG file, whatever its "
        "name says. Upload the real scan or photo."
    ),
    "document_mismatch": _(
        "%(name)s is named as one format but contains another. Save it again "
        "with its real format and upload it."
    ),
    "document_too_large": _(
        "%(name)s is %(size)s, but a document may be at most %(limit)s. Scan "
        "it at a lower resolution or as a PDF."
    ),
    "too_old": _(
        "The child is too old for this admission: on %(reference_date)s a child "
        "may be at most %(maximum)s old, which means born on or after "
        "%(earliest_birth_date)s."
    ),
    "too_young": _(
        "The child is too young for this admission: on %(reference_date)s a "
        "child must be at least %(minimum)s old, which means born on or before "
        "%(latest_birth_date)s."
    ),
    "recommendation_missing": _(
        "A child born after %(latest_birth_date)s is younger than %(minimum)s "
        "on %(reference_date)s and may apply only with a recommendation from a "
        "psychologist or the teachers' council. Tick the box and upload the "
        "letter."
    ),
    # The form requires the issue date, so "kk_missing" cannot come up.
    "kk_too_new": _(
        "For this track the family card must have been issued on or before "
        "%(latest_issue_date)s. If the card was reissued for a birth, a death "
        "or a lost card, enter the issue date of the card before that change "
        "and give the reason."
    ),
    "score_missing": _("The track ranks applicants by score: enter the score."),
    "track_not_offered": _("This admission period has no such track."),
    "already_accepted": _(
        "This child already has a seat in this admission period. To apply in "
        "another track, first withdraw that application (cabut berkas)."
    ),
}


def _date(day):
    return formats.date_format(day, "j F Y")


class ConsentForm(forms.Form):
    """The parent's explicit consent to the privacy notice."""

    agree = forms.BooleanField(
        label=_(
            "I have read the privacy notice and consent to the processing of my "
            "child's data for this admission."
        ),
        error_messages={
            "required": _("Registration needs your consent: tick the box to go on.")
        },
    )


class SchoolChoiceField(forms.ChoiceField):
    """
    A choice among the period's schools, cleaned to its ``PeriodSchool``.

    The schools are read once per form, so three choice fields cost one
    query instead of one each.
    """

    def __init__(self, schools, **kwargs):
        self.schools = {str(entry.pk): entry for entry in schools}
        choices = [("", "---------")] + [
            (str(entry.pk), f"{entry.school.name} (NPSN {entry.school.npsn})")
            for entry in schools
        ]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.schools.get(value) if value else None


class ApplicationForm(forms.Form):
    """
    The child's data, the home, the track, the choices and the documents.

    ``application`` given means a correction of that application: the
    track, the choices and the submission token are not part of the form,
    and a document kind already on file need not be uploaded again.
    """

    submission_token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    full_name = forms.CharField(label=_("Child's full name"), max_length=200)
    nik = forms.CharField(
        label=_("Child's NIK"),
        max_length=16,
        validators=[validate_nik],
        help_text=_("16 digits, as on the family card."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nisn = forms.CharField(
        label=_("Child's NISN"),
        max_length=10,
        required=False,
        validators=[validate_nisn],
        help_text=_("National student number, 10 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_place = forms.CharField(label=_("Place of birth"), max_length=100)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(
        label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect
    )

    kk_number = forms.CharField(
        label=_("Family card number (No. KK)"),
        max_length=16,
        validators=[validate_kk],
        help_text=_("16 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kk_issued_on = forms.DateField(
        label=_("Family card issue date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kk_reissue_reason = forms.CharField(
        label=_("Reason the family card was reissued"),
        max_length=200,
        required=False,
        help_text=_(
            "Only when the card was reissued recently: a birth, a death, a lost "
            "or damaged card."
        ),
    )
    address = forms.CharField(
        label=_("Home address"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan"))
    latitude = forms.DecimalField(
        label=_("Latitude of the home"),
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        help_text=_("Decimal degrees, for example -6.402500."),
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    longitude = forms.DecimalField(
        label=_("Longitude of the home"),
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        help_text=_("Decimal degrees, for example 106.818900."),
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    previous_school_name = forms.CharField(
        label=_("Previous school"), max_length=200, required=False
    )
    previous_school_npsn = forms.CharField(
        label=_("NPSN of the previous school"),
        max_length=8,
        required=False,
        validators=[validate_npsn],
        help_text=_("8 digits, if you know it."),
    )
    track = forms.ChoiceField(label=_("Track"), widget=forms.RadioSelect)
    score = forms.DecimalField(
        label=_("Score"),
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal(0),
        help_text=_(
            "For achievement tracks only: the average of the report cards, or "
            "the score of the achievement."
        ),
    )
    has_recommendation = forms.BooleanField(
        label=_("The child has a recommendation letter"),
        required=False,
        help_text=_(
            "Needed for a child under the minimum age: a letter from a "
            "psychologist, or from the school's teachers' council where there "
            "is no psychologist."
        ),
    )

    def __init__(self, period, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        self.application = application
        self.checker = checks.rules_for_text(period.rules_toml, period.name)
        self.rules = self.checker.rule_set
        self.identity_flags = []
        self.max_document_size = settings.PPDB_MAX_DOCUMENT_SIZE
        self.polygon = boundary.parse_polygon(settings.CITY_BOUNDARY)
        self._setup_level_fields()
        self.fields["kelurahan_code"].choices = [("", "---------")] + [
            (code, f"{name} ({code})") for code, name in city_kelurahan()
        ]
        if application is None:
            self._setup_track_and_choices()
        else:
            for name in ("submission_token", "track"):
                del self.fields[name]
        self._setup_documents()

    # Set-up

    def _setup_level_fields(self):
        level = self.period.level
        if level == AdmissionPeriod.Level.TK:
            for name in ("nisn", "previous_school_name", "previous_school_npsn"):
                del self.fields[name]
        elif level == AdmissionPeriod.Level.SMP:
            # Children finishing primary school all have an NISN and a
            # previous school.
            self.fields["nisn"].required = True
            self.fields["previous_school_name"].required = True
        if self.rules.age.minimum_with_recommendation is None:
            del self.fields["has_recommendation"]
        if not any("score" in track.order for track in self.rules.tracks.values()):
            del self.fields["score"]

    def _setup_track_and_choices(self):
        self.fields["track"].choices = [
            (name, track_label(name)) for name in self.rules.tracks
        ]
        schools = list(
            PeriodSchool.objects.filter(period=self.period)
            .select_related("school")
            .order_by("school__name", "pk")
        )
        for rank in range(1, self.rules.choices + 1):
            self.fields[f"choice_{rank}"] = SchoolChoiceField(
                schools,
                required=rank == 1,
                label=_("Choice %(rank)s") % {"rank": rank},
                error_messages={
                    "invalid_choice": MESSAGES["school_not_in_period"],
                },
            )

    def _setup_documents(self):
        accept = ",".join(documents.EXTENSIONS)
        for kind, label in ApplicationDocument.Kind.choices:
            self.fields[f"document_{kind}"] = forms.FileField(
                label=label,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
            )

    def document_fields(self):
        """Return the bound document fields, for the template."""
        return [self[f"document_{kind}"] for kind in documents.KINDS]

    def detail_fields(self):
        """Return the bound fields other than choices and documents."""
        return [
            self[name]
            for name in self.fields
            if not name.startswith(("choice_", "document_"))
            and name != "submission_token"
        ]

    def choice_fields(self):
        return [self[name] for name in self.fields if name.startswith("choice_")]

    # Field checks

    def clean_submission_token(self):
        token = self.cleaned_data["submission_token"]
        if not TOKEN_RE.fullmatch(token):
            raise ValidationError(MESSAGES["token"], code="token")
        return token

    # Whole-form checks

    def clean(self):
        data = super().clean()
        self._clean_identity(data)
        self._clean_location(data)
        if self.application is None:
            self._clean_choices(data)
            self._clean_already_accepted(data)
        self._clean_eligibility(data)
        self._clean_documents(data)
        return data

    def _clean_identity(self, data):
        if self.errors.get("nik") or "birth_date" not in data or "sex" not in data:
            return
        self.identity_flags = checks.identity_flags(
            data["nik"], data["birth_date"], data["sex"]
        )

    def _clean_already_accepted(self, data):
        # A child accepted in an earlier stage (afirmasi, say) may not take
        # part in a later one until the first application is withdrawn. The
        # seat it frees then goes where the rule set's spillover sends it.
        nik = data.get("nik")
        if not nik or self.errors.get("nik"):
            return
        accepted = (
            SelectionResult.objects.filter(
                run__period=self.period,
                run__is_official=True,
                status=SelectionResult.Status.ACCEPTED,
                application__nik=nik,
            )
            .exclude(
                application__status__in=[
                    Application.Status.WITHDRAWN,
                    Application.Status.CANCELLED,
                ]
            )
            .exists()
        )
        if accepted:
            self.add_error(
                "nik",
                ValidationError(MESSAGES["already_accepted"], code="already_accepted"),
            )

    def _clean_location(self, data):
        latitude, longitude = data.get("latitude"), data.get("longitude")
        if latitude is None or longitude is None:
            return
        if not boundary.contains(self.polygon, latitude, longitude):
            self.add_error(
                "latitude",
                ValidationError(
                    MESSAGES["outside_city"],
                    code="outside_city",
                    params={
                        "latitude": latitude,
                        "longitude": longitude,
                        "city": settings.CITY_NAME,
                    },
                ),
            )

    def _clean_choices(self, data):
        allowed = self.rules.choices
        sent = [
            key
            for key, value in self.data.items()
            if key.startswith("choice_") and value not in ("", None)
        ]
        extra = [
            key for key in sent if key.removeprefix("choice_") not in _ranks(allowed)
        ]
        if extra:
            self.add_error(
                None,
                ValidationError(
                    MESSAGES["too_many_choices"],
                    code="too_many_choices",
                    params={"max": allowed, "count": len(sent)},
                ),
            )
            return
        chosen = []
        for rank in range(1, allowed + 1):
            school = data.get(f"choice_{rank}")
            name = f"choice_{rank}"
            if school is None:
                if self.errors.get(name):
                    return
                continue
            if len(chosen) != rank - 1:
                self.add_error(
                    name,
                    ValidationError(
                        MESSAGES["choice_gap"],
                        code="choice_gap",
                        params={"rank": len(chosen) + 1},
                    ),
                )
                return
            if school in chosen:
                self.add_error(
                    name, ValidationError(MESSAGES["choice_repeated"], code="repeated")
                )
                return
            chosen.append(school)
        self.cleaned_data["choices"] = chosen

    def chosen_track(self):
        if self.application is not None:
            return self.application.track
        return self.cleaned_data.get("track")

    def _clean_eligibility(self, data):
        track = self.chosen_track()
        if not track or "birth_date" not in data:
            return
        if self.errors.get("kk_issued_on") or self.errors.get("score"):
            return
        candidate = checks.Candidate(
            track=track,
            birth_date=data["birth_date"],
            kk_issued_on=data.get("kk_issued_on"),
            recommendation=bool(data.get("has_recommendation")),
            score=data.get("score"),
        )
        problem = self.checker.ineligibility(candidate)
        if problem is None:
            return
        self.add_error(
            problem.field if problem.field in self.fields else None,
            ValidationError(
                MESSAGES[problem.code],
                code=problem.code,
                params=_readable(problem.params),
            ),
        )

    def needs_recommendation(self):
        data = self.cleaned_data
        track = self.chosen_track()
        if not track or "birth_date" not in data:
            return False
        return self.checker.needs_recommendation(track, data["birth_date"])

    def _clean_documents(self, data):
        track = self.chosen_track()
        uploads = {}
        for kind in documents.KINDS:
            upload = data.get(f"document_{kind}")
            if upload and self._check_upload(kind, upload):
                uploads[kind] = upload
        if not track:
            return
        needs_recommendation = self.needs_recommendation()
        accepted = documents.accepted_kinds(track, needs_recommendation)
        for kind in uploads:
            if kind not in accepted:
                self.add_error(
                    f"document_{kind}",
                    ValidationError(
                        MESSAGES["document_not_needed"],
                        code="document_not_needed",
                        params={"track": track_label(track)},
                    ),
                )
        on_file = set()
        if self.application is not None:
            on_file = {
                document.kind for document in self.application.current_documents()
            }
        for group in documents.missing_groups(
            track, set(uploads) | on_file | self._failed_kinds(), needs_recommendation
        ):
            labels = dict(ApplicationDocument.Kind.choices)
            self.add_error(
                f"document_{group[0]}",
                ValidationError(
                    MESSAGES["document_missing"],
                    code="document_missing",
                    params={"kinds": ", ".join(str(labels[kind]) for kind in group)},
                ),
            )
        self.cleaned_data["documents"] = {
            kind: upload for kind, upload in uploads.items() if kind in accepted
        }

    def _failed_kinds(self):
        # A file already rejected has its own error; do not add "missing".
        return {kind for kind in documents.KINDS if self.errors.get(f"document_{kind}")}

    def _check_upload(self, kind, upload):
        name = f"document_{kind}"
        # Django's FileField has already rejected an empty file.
        params = {"name": upload.name}
        if upload.size > self.max_document_size:
            params.update(
                size=filesizeformat(upload.size),
                limit=filesizeformat(self.max_document_size),
            )
            self.add_error(
                name,
                ValidationError(
                    MESSAGES["document_too_large"],
                    code="document_too_large",
                    params=params,
                ),
            )
            return False
        content_type, code = documents.check_content(upload.name, upload)
        if code is not None:
            self.add_error(
                name, ValidationError(MESSAGES[code], code=code, params=params)
            )
            return False
        upload.sniffed_content_type = content_type
        return True


def _ranks(count):
    return {str(rank) for rank in range(1, count + 1)}


def _readable(params):
    """Format the dates and ages of an ineligibility for the message."""
    readable = {}
    for key, value in params.items():
        if hasattr(value, "years") and hasattr(value, "months"):
            readable[key] = age_text(value)
        elif hasattr(value, "isoformat"):
            readable[key] = _date(value)
        else:
            readable[key] = value
    return readable


def city_kelurahan():
    """Return ``(code, name)`` of the city's kelurahan, by code."""
    prefix = f"{settings.CITY_REGION_CODE}."
    return list(
        Kelurahan.objects.filter(code__startswith=prefix)
        .order_by("code")
        .values_list("code", "name")
    )
