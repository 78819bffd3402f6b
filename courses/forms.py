"""Forms of the courses app: the course editor's checks and the join form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from lms.models import Membership


class CoursePageForm(WagtailAdminPageForm):
    """
    Check a course against the school it is created in.

    The teachers must teach at the school and the class group must be one of
    its groups. The school comes from the parent course index, which Wagtail
    passes to the form as ``parent_page`` before the page is in the tree.
    """

    def clean(self):
        cleaned_data = super().clean()
        school = self.parent_school()
        if school is None:
            return cleaned_data
        teachers = cleaned_data.get("teachers") or []
        outsiders = [
            teacher
            for teacher in teachers
            if not teacher.has_school_role(school, Membership.Role.TEACHER)
        ]
        if outsiders:
            self.add_error(
                "teachers",
                ValidationError(
                    _("%(names)s do not teach at %(school)s."),
                    code="teacher_not_at_school",
                    params={
                        "names": ", ".join(str(teacher) for teacher in outsiders),
                        "school": school,
                    },
                ),
            )
        class_group = cleaned_data.get("class_group")
        if class_group is not None and class_group.school_id != school.pk:
            self.add_error(
                "class_group",
                ValidationError(
                    _("The class group %(group)s is not a group of %(school)s."),
                    code="class_group_school",
                    params={"group": class_group, "school": school},
                ),
            )
        return cleaned_data

    def parent_school(self):
        parent = self.parent_page
        if parent is None:
            return None
        return getattr(parent.specific, "school", None)


class JoinForm(forms.Form):
    """The join code a student types to enter a course."""

    code = forms.CharField(
        label=_("Course code"),
        max_length=20,
        help_text=_("Your teacher gives you this code, for example MTK7A2."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off"}
        ),
    )
