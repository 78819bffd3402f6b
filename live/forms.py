from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses import api as courses_api

from .models import LiveSession
from .protocol import CHAT_MAX_LENGTH

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
