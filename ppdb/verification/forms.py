"""Forms of the verification pages: the queue's filters and a decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import TRACK_CHOICES, AdmissionPeriod, Application, VerificationDecision


class QueueFilterForm(forms.Form):
    """Filters of the verification queue; invalid values are ignored."""

    period = forms.ModelChoiceField(
        label=_("period"), queryset=AdmissionPeriod.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("status"),
        choices=[("", _("waiting for a decision")), ("all", _("all"))]
        + list(Application.Status.choices),
        required=False,
    )
    track = forms.ChoiceField(
        label=_("track"), choices=[("", _("all"))] + TRACK_CHOICES, required=False
    )
    q = forms.CharField(
        label=_("registration number or name"), max_length=100, required=False
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods


class DecisionForm(forms.Form):
    aspect = forms.ChoiceField(
        label=_("aspect"),
        choices=VerificationDecision.Aspect.choices,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("%(value)s is not an aspect to verify."),
        },
    )
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=VerificationDecision.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "%(value)s is not a decision; choose approved, needs a "
                "correction or rejected."
            ),
            "required": _("Choose a decision."),
        },
    )
    note = forms.CharField(
        label=_("note for the parent"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text=_("Required unless approved: say what is wrong and what to do."),
    )
