from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lms.sanitize import clean

from .models import TYPE_CHOICES, Assignment, Grade, Rubric


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssignmentForm(forms.ModelForm):
    """The teacher's form to create or change an assignment of one course."""

    allowed_types = forms.MultipleChoiceField(
        label=_("allowed file types"),
        choices=TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Assignment
        fields = [
            "title",
            "instructions",
            "opens_at",
            "due_at",
            "late_policy",
            "late_penalty_percent",
            "late_penalty_cap",
            "submission_kind",
            "allowed_types",
            "max_file_size_mb",
            "max_score",
            "rubric",
        ]
        widgets = {"opens_at": DateTimeInput(), "due_at": DateTimeInput()}

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["rubric"].queryset = Rubric.objects.filter(course=course)

    def clean_instructions(self):
        return clean(self.cleaned_data["instructions"], "lesson")

    def clean(self):
        cleaned = super().clean()
        opens_at, due_at = cleaned.get("opens_at"), cleaned.get("due_at")
        if opens_at and due_at and due_at <= opens_at:
            self.add_error(
                "due_at",
                ValidationError(
                    _("The due date must be after the opening date."),
                    code="due_before_open",
                ),
            )
        kind = cleaned.get("submission_kind")
        if kind in (Assignment.SubmissionKind.FILE, Assignment.SubmissionKind.BOTH):
            if not cleaned.get("allowed_types"):
                self.add_error(
                    "allowed_types",
                    ValidationError(
                        _("Choose at least one file type for file submissions."),
                        code="no_types",
                    ),
                )
        rubric = cleaned.get("rubric")
        if "rubric" in self.changed_data and self._has_grades():
            # Grades store the chosen level of each criterion of the old
            # rubric, so another rubric would leave them meaningless.
            self.add_error(
                "rubric",
                ValidationError(
                    _(
                        "Work on this assignment was already graded, so its "
                        "rubric cannot be swapped or removed. Change the rubric "
                        "itself on the rubric page instead."
                    ),
                    code="graded_rubric_locked",
                ),
            )
        if rubric is not None:
            if rubric.max_points <= 0:
                self.add_error(
                    "rubric",
                    ValidationError(
                        _("The rubric has no levels with points yet."),
                        code="empty_rubric",
                    ),
                )
            else:
                # A rubric's score is the sum of its levels, so its maximum
                # is the assignment's maximum.
                cleaned["max_score"] = rubric.max_points
        return cleaned

    def _has_grades(self):
        if self.instance.pk is None:
            return False
        return Grade.objects.filter(submission__assignment=self.instance).exists()

    def save(self, commit=True):
        self.instance.course = self.course
        return super().save(commit)


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    file = forms.FileField(label=_("File"), required=False)

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        if not assignment.accepts_text:
            del self.fields["text"]
        if not assignment.accepts_file:
            del self.fields["file"]
        else:
            extensions = ",".join(
                f".{kind}" for kind in assignment.allowed_types if kind != "jpg"
            )
            if "jpg" in assignment.allowed_types:
                extensions = ",".join(filter(None, [extensions, ".jpg,.jpeg"]))
            self.fields["file"].widget.attrs["accept"] = extensions


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(label=_("Student"), queryset=None)
    due_at = forms.DateTimeField(label=_("New due date"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class GradeForm(forms.Form):
    """The score (or one level per rubric criterion) and the written feedback."""

    score = forms.CharField(label=_("Score"), required=False, max_length=20)
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = []
        if assignment.rubric_id:
            del self.fields["score"]
            for criterion in assignment.rubric.criteria.prefetch_related("levels"):
                name = f"criterion_{criterion.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=criterion.title,
                    choices=[
                        (level.pk, f"{level.title} ({level.points})")
                        for level in criterion.levels.all()
                    ],
                    widget=forms.RadioSelect,
                    required=False,
                )
                self.criteria.append((criterion, name))
        else:
            self.fields["score"].required = True
            self.fields["score"].help_text = _("From 0 to %(max)s.") % {
                "max": assignment.max_score
            }

    def rubric_choices(self):
        return {
            criterion.pk: self.cleaned_data.get(name)
            for criterion, name in self.criteria
        }
