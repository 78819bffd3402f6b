"""Forms of the teacher's pages: the question bank, quizzes, allowances."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import editing
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        question = self.instance
        if question.pk is None:
            return
        self.initial["choices_text"] = "\n".join(
            f"* {choice.text}" if choice.is_correct else choice.text
            for choice in question.choices.all()
        )
        self.initial["accepted_text"] = "\n".join(question.accepted_answers or ())
        if question.correct_boolean is not None:
            self.initial["correct_boolean"] = (
                "true" if question.correct_boolean else "false"
            )

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

    def new_scoring_key(self):
        """Return the ``editing.scoring_key`` of the cleaned data."""
        cleaned = self.cleaned_data
        return editing.scoring_key(
            cleaned.get("kind"),
            correct_flags=[correct for _text, correct in self.parsed_choices],
            accepted=cleaned.get("accepted_answers", ()),
            boolean=cleaned.get("correct_boolean"),
            number=cleaned.get("number"),
            tolerance=cleaned.get("tolerance"),
        )

    def save(self, commit=True):
        question = super().save(commit=False)
        question.accepted_answers = self.cleaned_data.get("accepted_answers", [])
        if commit:
            question.save()
            self.save_choices(question)
        return question

    def save_choices(self, question):
        """
        Store the parsed choices, keeping the rows when their number is unchanged.

        Saved answers refer to choices by id, so an edit that keeps the number
        of choices updates them in place, position by position.
        """
        existing = list(question.choices.all())
        if len(existing) != len(self.parsed_choices):
            question.choices.all().delete()
            existing = []
        for position, (text, correct) in enumerate(self.parsed_choices):
            if existing:
                choice = existing[position]
                choice.text, choice.is_correct, choice.position = (
                    text,
                    correct,
                    position,
                )
                choice.save(update_fields=["text", "is_correct", "position"])
            else:
                question.choices.create(
                    text=text, is_correct=correct, position=position
                )


class QuestionEditForm(QuestionForm):
    """
    A change to a question of the bank, under the rules of ``editing``.

    Once a question has answers, its scoring changes only with ``regrade``
    ticked, and never its kind or number of choices.
    """

    regrade = forms.BooleanField(
        label=_("Change the scoring and regrade the submitted attempts"),
        required=False,
        help_text=_(
            "Needed only when students have answered this question. Their "
            "attempts are graded again with the new answer key."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answer_count = editing.answer_count(self.instance)
        self.old_kind = self.instance.kind
        self.old_choice_count = self.instance.choices.count()
        self.old_scoring_key = editing.question_scoring_key(self.instance)
        self.scoring_changed = False

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.answer_count:
            return cleaned
        self.scoring_changed = self.new_scoring_key() != self.old_scoring_key
        if not self.scoring_changed:
            return cleaned
        if not cleaned.get("regrade"):
            raise ValidationError(
                _(
                    "Students have answered this question %(count)s times, so "
                    "its scoring cannot change silently. Tick the regrade box "
                    "to change it and grade their attempts again, or add a new "
                    "question instead."
                ),
                code="answered_scoring_locked",
                params={"count": self.answer_count},
            )
        if cleaned.get("kind") != self.old_kind or (
            self.instance.has_choices
            and len(self.parsed_choices) != self.old_choice_count
        ):
            raise ValidationError(
                _(
                    "Students have answered this question, so its kind and its "
                    "number of choices cannot change, even with a regrade. Add "
                    "a new question instead."
                ),
                code="answered_structure_locked",
            )
        return cleaned


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

    # Fields that decide an attempt's questions and points.
    SCORING_FIELDS = [
        "questions",
        "points",
        "random_category",
        "random_count",
        "random_points",
    ]

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].queryset = Question.objects.filter(course=course)
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.has_attempts = False
        quiz = self.instance
        if quiz.pk is not None:
            items = list(quiz.items.all())
            self.initial["questions"] = [item.question_id for item in items]
            if items:
                self.initial["points"] = items[0].points
            self.has_attempts = quiz.attempts.exists()

    def clean(self):
        cleaned = super().clean()
        changed = [name for name in self.SCORING_FIELDS if name in self.changed_data]
        if self.has_attempts and changed:
            raise ValidationError(
                _(
                    "Students have already attempted this quiz, so its questions, "
                    "points and random questions cannot change. Create a new quiz "
                    "for a different set of questions."
                ),
                code="quiz_has_attempts",
            )
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
