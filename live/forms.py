from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import api as courses_api

from .models import LiveSession
from .protocol import (
    CHAT_MAX_LENGTH,
    MAX_ID,
    POLL_MAX_OPTIONS,
    POLL_QUESTION_MAX_LENGTH,
)

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class ChatForm(forms.Form):
    """The chat box, posted as a plain form when JavaScript is off."""

    text = forms.CharField(
        label=_("Message"),
        max_length=CHAT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": CHAT_MAX_LENGTH}),
        error_messages={
            "required": _("The message is empty. Write something before sending."),
            "max_length": _(
                "The message is too long: %(show_value)s characters, at most "
                "%(limit_value)s allowed."
            ),
        },
    )


def taught_courses(user):
    """Return the courses in which ``user`` is a teacher, as a list."""
    return [
        course
        for course in courses_api.courses_for(user)
        if courses_api.course_role(user, course) == "teacher"
    ]


class LiveSessionForm(forms.ModelForm):
    """The form that schedules a live class in one of the teacher's courses."""

    course = forms.TypedChoiceField(label=_("Course"), coerce=int)

    class Meta:
        model = LiveSession
        fields = ["course", "title", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT
            ),
        }

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher
        self.courses = {course.pk: course for course in taught_courses(teacher)}
        self.fields["course"].choices = [
            (pk, course.title) for pk, course in self.courses.items()
        ]

    def clean_course(self):
        # The choices already limit the value to the teacher's courses.
        return self.courses[self.cleaned_data["course"]]

    def clean_ends_at(self):
        ends_at = self.cleaned_data["ends_at"]
        if ends_at <= timezone.now():
            raise ValidationError(
                _("The end time has already passed. Pick a time in the future."),
                code="ends_in_past",
            )
        return ends_at

    def save(self, commit=True):
        session = super().save(commit=False)
        session.teacher = self.teacher
        if commit:
            session.save()
        return session


# The forms of the classroom tools, posted when JavaScript is off. Their
# limits are the protocol's, and ``live.classroom`` checks the rest (blank
# text after cleaning, duplicate options, the poll being open).


class PollForm(forms.Form):
    """A new poll: the question, one option per line, and when results show."""

    question = forms.CharField(
        label=_("Question"),
        max_length=POLL_QUESTION_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": _("The question is empty. Write the question to ask."),
            "max_length": _(
                "The question is too long: %(show_value)s characters, at most "
                "%(limit_value)s allowed."
            ),
        },
    )
    options = forms.CharField(
        label=_("Options, one per line (2 to 10)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("The options are missing. Write 2 to 10, one per line.")
        },
    )
    live_results = forms.BooleanField(
        label=_("Show results to students while the poll is open"),
        required=False,
        initial=True,
    )

    def clean_options(self):
        lines = self.cleaned_data["options"].splitlines()
        return [line.strip() for line in lines if line.strip()]


class PollAnswerForm(forms.Form):
    """A student's answer: the poll and the position of the chosen option."""

    poll = forms.IntegerField(min_value=1, max_value=MAX_ID)
    option = forms.IntegerField(min_value=0, max_value=POLL_MAX_OPTIONS - 1)


class PollCloseForm(forms.Form):
    poll = forms.IntegerField(min_value=1, max_value=MAX_ID)


class HandLowerForm(forms.Form):
    """The hand to lower: the sender's own when ``user`` is left out."""

    user = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ChatMuteForm(forms.Form):
    muted = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


class RemoveForm(forms.Form):
    user = forms.IntegerField(min_value=1, max_value=MAX_ID)
