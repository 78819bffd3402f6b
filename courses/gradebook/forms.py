"""Forms of the gradebook pages; errors carry the codes of ``api``."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .api import parse_score
from .models import GradebookSettings, GradeCategory


class ScoreForm(forms.Form):
    """A teacher's score and feedback for one student on one item."""

    score = forms.CharField(label=_("Score"), required=False, max_length=20)
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item, **kwargs):
        self.item = item
        super().__init__(*args, **kwargs)

    def clean_score(self):
        return parse_score(self.cleaned_data["score"], self.item.max_score)


class OverrideForm(forms.Form):
    """An override of an item score or of the total, with its reason."""

    value = forms.CharField(
        label=_("Override"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to remove the override."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, max_score, **kwargs):
        self.max_score = max_score
        super().__init__(*args, **kwargs)

    def clean_value(self):
        return parse_score(self.cleaned_data["value"], self.max_score)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(
                _("Give a reason for the override."), code="reason_required"
            )
        return reason


class CategoryForm(forms.ModelForm):
    class Meta:
        model = GradeCategory
        fields = ["name", "weight"]

    def __init__(self, *args, course, **kwargs):
        self.course = course
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = GradeCategory.objects.filter(course=self.course, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("The course already has a category named %(name)s."),
                code="duplicate_category",
                params={"name": name},
            )
        return name


class SettingsForm(forms.ModelForm):
    class Meta:
        model = GradebookSettings
        fields = ["missing_counts_as_zero", "uncategorised_weight"]


class ItemCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=GradeCategory.objects.none(), required=False
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = GradeCategory.objects.filter(course=course)


class ManualItemForm(forms.Form):
    """A grade item that the teacher scores by hand, such as a paper exam."""

    title = forms.CharField(label=_("Title"), max_length=200)
    max_score = forms.DecimalField(
        label=_("Maximum score"),
        min_value=Decimal("0.01"),
        max_value=Decimal("10000"),
        decimal_places=2,
        initial=100,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=GradeCategory.objects.none(), required=False
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = GradeCategory.objects.filter(course=course)
