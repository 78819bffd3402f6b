"""Forms of the teacher's pages: the question bank, quizzes, allowances."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Question, Quiz

MAX_CHOICES = 10


def split_lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class QuestionForm(forms.ModelForm):
    """A question of any kind; choices are written one per line."""

    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Multiple choice: one choice per line; start each correct one with *."
        ),
    )
    accepted_text = forms.CharField(
        label=_("Accepted answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Short answer: one accepted variant per line."),
    )
    correct_boolean = forms.TypedChoiceField(
        label=_("Correct answer (true/false)"),
        required=False,
        choices=[("", "—"), ("true", _("True")), ("false", _("False"))],
        coerce=lambda value: value == "true",
        empty_value=None,
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "category",
            "text",
            "correct_boolean",
            "number",
            "tolerance",
            "shuffle_choices",
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        self.parsed_choices = []
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            for line in split_lines(cleaned.get("choices_text")):
                correct = line.startswith("*")
                text = line.lstrip("*").strip()
                if text:
                    self.parsed_choices.append((text[:500], correct))
            correct_count = sum(correct for _text, correct in self.parsed_choices)
            if not 2 <= len(self.parsed_choices) <= MAX_CHOICES:
                raise ValidationError(
                    _("Write between 2 and %(max)s choices, one per line."),
                    code="choice_count",
                    params={"max": MAX_CHOICES},
                )
            if correct_count == 0:
                raise ValidationError(
                    _("Mark at least one correct choice with *."),
                    code="no_correct_choice",
                )
            if kind == Question.Kind.SINGLE and correct_count > 1:
                raise ValidationError(
                    _("A one-answer question has exactly one correct choice."),
                    code="several_correct",
                )
        if kind == Question.Kind.SHORT:
            cleaned["accepted_answers"] = split_lines(cleaned.get("accepted_text"))
            if not cleaned["accepted_answers"]:
                raise ValidationError(
                    _("Write at least one accepted answer."),
                    code="no_accepted_answer",
                )
        if kind == Question.Kind.NUMERIC and cleaned.get("number") is None:
            raise ValidationError(_("Enter the correct number."), code="missing_number")
        if kind == Question.Kind.TRUE_FALSE and cleaned.get("correct_boolean") is None:
            raise ValidationError(
                _("Choose whether the statement is true or false."),
                code="missing_boolean",
            )
        return cleaned

    def save(self, commit=True):
        question = super().save(commit=False)
        question.accepted_answers = self.cleaned_data.get("accepted_answers", [])
        if commit:
            question.save()
            for position, (text, correct) in enumerate(self.parsed_choices):
                question.choices.create(
                    text=text, is_correct=correct, position=position
                )
        return question


class QuizForm(forms.ModelForm):
    """A quiz with its window, limits and review policy."""

    questions = forms.ModelMultipleChoiceField(
        label=_("Questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    points = forms.DecimalField(
        label=_("Points per question"),
        min_value=0,
        max_digits=6,
        decimal_places=2,
        initial=1,
    )

    class Meta:
        model = Quiz
        fields = [
            "title",
            "instructions",
            "opens_at",
            "closes_at",
            "time_limit_minutes",
            "max_attempts",
            "shuffle_questions",
            "random_category",
            "random_count",
            "random_points",
            "review",
            "review_shows_answers",
        ]
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = Question.objects.filter(course=course)
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M"]

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            raise ValidationError(
                _("The quiz must close after it opens."), code="closes_before_opens"
            )
        if not cleaned.get("questions") and not cleaned.get("random_count"):
            raise ValidationError(
                _("Choose questions or a number of random questions."),
                code="no_questions",
            )
        if cleaned.get("random_count") and not cleaned.get("random_category"):
            raise ValidationError(
                _("Name the category that random questions come from."),
                code="missing_category",
            )
        return cleaned


class AllowanceForm(forms.Form):
    """Extra time and attempts for one student of the course."""

    student = forms.ModelChoiceField(label=_("Student"), queryset=None)
    extra_minutes = forms.IntegerField(
        label=_("Extra minutes"), min_value=0, max_value=24 * 60, initial=0
    )
    extra_attempts = forms.IntegerField(
        label=_("Extra attempts"), min_value=0, max_value=20, initial=0
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
