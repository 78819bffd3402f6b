"""
Forms of the rubric page: the rubric's title and one form per criterion.

A criterion's levels are written one per line as ``title = points``, so the
page works without JavaScript. Blank criterion forms at the end add
criteria, and a criterion's delete box removes it.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import Rubric, RubricCriterion

MAX_LEVELS = 10
# RubricLevel.points has six digits with two decimal places.
MAX_LEVEL_POINTS = Decimal("9999.99")


def parse_level(line):
    """
    Return ``(title, points)`` from a line such as ``Sangat baik = 4``.

    The points may use a decimal comma. Raise ``ValidationError`` naming
    the line when it has no ``=``, no title, or points that are not a
    number from 0 to ``MAX_LEVEL_POINTS``.
    """
    title, separator, points_text = line.rpartition("=")
    title = title.strip()
    if not separator or not title:
        raise ValidationError(
            _('Write each level as "title = points", not "%(line)s".'),
            code="invalid_level",
            params={"line": line},
        )
    try:
        points = Decimal(points_text.strip().replace(",", "."))
    except InvalidOperation:
        points = None
    if points is None or not points.is_finite():
        raise ValidationError(
            _('The points of "%(line)s" are not a number.'),
            code="invalid_points",
            params={"line": line},
        )
    if points < 0 or points > MAX_LEVEL_POINTS:
        raise ValidationError(
            _('The points of "%(line)s" must be between 0 and %(max)s.'),
            code="points_out_of_range",
            params={"line": line, "max": MAX_LEVEL_POINTS},
        )
    if points != points.quantize(Decimal("0.01")):
        raise ValidationError(
            _('The points of "%(line)s" may have at most two decimal places.'),
            code="invalid_points",
            params={"line": line},
        )
    return title[:200], points


def levels_text(criterion):
    """Return the levels of a saved criterion in the form's text format."""
    return "\n".join(
        f"{level.title} = {level.points.normalize():f}"
        for level in criterion.levels.all()
    )


class RubricForm(forms.ModelForm):
    """The rubric's title and the teacher's consent to regrade."""

    regrade = forms.BooleanField(
        label=_("Change the points and regrade the graded work"),
        required=False,
        help_text=_(
            "Needed only when work was already graded with this rubric. "
            "Every grade is computed again from the levels chosen before."
        ),
    )

    class Meta:
        model = Rubric
        fields = ["title"]


class CriterionForm(forms.ModelForm):
    """One criterion with its levels, written one per line."""

    levels_text = forms.CharField(
        label=_("Levels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('One level per line, as "title = points", e.g. "Baik = 3".'),
    )

    class Meta:
        model = RubricCriterion
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed_levels = []
        if self.instance.pk is not None:
            self.initial["levels_text"] = levels_text(self.instance)

    def clean(self):
        cleaned = super().clean()
        lines = [
            line.strip()
            for line in (cleaned.get("levels_text") or "").splitlines()
            if line.strip()
        ]

        errors = []
        for line in lines:
            try:
                self.parsed_levels.append(parse_level(line))
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)

        if not self.parsed_levels:
            raise ValidationError(
                _("Give the criterion at least one level."), code="no_levels"
            )
        if len(self.parsed_levels) > MAX_LEVELS:
            raise ValidationError(
                _("A criterion has at most %(max)s levels."),
                code="too_many_levels",
                params={"max": MAX_LEVELS},
            )
        titles = [title.casefold() for title, _points in self.parsed_levels]
        if len(set(titles)) != len(titles):
            raise ValidationError(
                _("Two levels of one criterion have the same title."),
                code="duplicate_level",
            )
        # Levels are stored and shown from the fewest points up.
        self.parsed_levels.sort(key=lambda level: level[1])
        return cleaned


class BaseCriterionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.kept_forms():
            raise ValidationError(
                _("A rubric needs at least one criterion."), code="no_criteria"
            )

    def kept_forms(self):
        """Return the forms of the criteria that remain after saving."""
        return [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.instance.pk is not None or form.has_changed())
        ]


CriterionFormSet = inlineformset_factory(
    Rubric,
    RubricCriterion,
    form=CriterionForm,
    formset=BaseCriterionFormSet,
    fields=["title", "description"],
    extra=2,
    max_num=20,
    validate_max=True,
    can_delete=True,
)
