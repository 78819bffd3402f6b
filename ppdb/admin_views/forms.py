"""Forms of the education office: the rule set, schools of a period, seats."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm

from lms.models import School

from ..engine import InputError, parse_rules
from ..messages import translate
from ..models import PeriodSchool
from .toml_lines import key_lines, problem_line


def rule_set_errors(text):
    """
    Return the translated problems of the rule set ``text``, each with its line.

    An empty list means the text is a valid rule set.
    """
    try:
        parse_rules(text, source="rules")
    except InputError as error:
        lines = key_lines(text)
        messages = []
        for problem in error.problems:
            message = translate(problem.template, problem.params)
            line = problem_line(problem, lines)
            if line is not None:
                message = _("Line %(line)s: %(message)s") % {
                    "line": line,
                    "message": message,
                }
            messages.append(ValidationError(message, code=problem.code))
        return messages
    return []


class AdmissionPeriodForm(WagtailAdminModelForm):
    """The period's edit form in the Wagtail admin, with rule set checks by line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("rules_toml")
        if field is not None:
            # Line numbers in the errors refer to this text, so keep it tall
            # and unwrapped.
            field.widget.attrs.update(
                {"rows": 30, "spellcheck": "false", "wrap": "off"}
            )

    def clean_rules_toml(self):
        text = self.cleaned_data.get("rules_toml", "")
        if text.strip():
            errors = rule_set_errors(text)
            if errors:
                raise ValidationError(errors)
        return text


class PeriodSchoolForm(forms.ModelForm):
    """Add a school of the period's level, with its capacity."""

    class Meta:
        model = PeriodSchool
        fields = ["school", "capacity"]

    def __init__(self, *args, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        taken = PeriodSchool.objects.filter(period=period).values("school")
        self.fields["school"].queryset = School.objects.filter(
            level=period.level, status=School.Status.PUBLIC
        ).exclude(pk__in=taken)

    def save(self, commit=True):
        self.instance.period = self.period
        return super().save(commit)


class CapacityForm(forms.ModelForm):
    class Meta:
        model = PeriodSchool
        fields = ["capacity"]


class SeatOverrideForm(forms.Form):
    track = forms.ChoiceField(label=gettext_lazy("track"))
    seats = forms.IntegerField(
        label=gettext_lazy("seats"),
        min_value=0,
        error_messages={
            "min_value": gettext_lazy(
                "Seats must be a whole number, 0 or more; %(limit_value)s is the "
                "lowest."
            )
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=gettext_lazy(
            "Why the seats differ from the shares; kept in the log."
        ),
        error_messages={
            "required": gettext_lazy(
                "Give the reason for changing the seats; it is kept in the log."
            )
        },
    )

    def __init__(self, *args, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = tracks
