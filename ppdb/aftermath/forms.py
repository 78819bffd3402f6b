from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Complaint

MAX_TEXT = 4000


class ComplaintForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=Complaint._meta.get_field("subject").max_length
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    application = forms.ChoiceField(
        label=_("About the application"), required=False, choices=()
    )

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = {item.registration_number: item for item in applications}
        self.fields["application"].choices = [("", _("none"))] + [
            (number, f"{number} · {item.full_name}")
            for number, item in self.applications.items()
        ]

    def clean_application(self):
        number = self.cleaned_data["application"]
        return self.applications.get(number) if number else None


class ObjectionForm(forms.Form):
    body = forms.CharField(
        label=_("Your objection"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say which result you object to, and why."),
    )


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that a withdrawn application takes no part in any "
            "later selection."
        )
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class ObjectionAnswerForm(AnswerForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("accept")), ("reject", _("reject"))],
        widget=forms.RadioSelect,
    )
    correction = forms.CharField(
        label=_("Correction"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is corrected in the application, if anything."),
    )
    new_run = forms.BooleanField(
        label=_("The correction needs a new selection run"), required=False
    )


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example which document was found forged, and how."),
    )
    confirm = forms.BooleanField(
        label=_("I confirm that this admission rests on forged documents.")
    )
