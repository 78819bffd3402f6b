"""Forms of the courses app: course editor checks, joining, discussions."""

import re

import filetype
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import linebreaks, strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from lms.models import ClassGroup, Membership
from lms.sanitize import clean, clean_text

# Characters a post or an announcement may have, counted before sanitising.
MAX_POST_LENGTH = 10000


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


BLOCK_TAG = re.compile(r"<(p|ul|ol|blockquote|pre)[\s>]", re.IGNORECASE)


def clean_post_html(value):
    """
    Return what a person wrote as sanitised HTML for a discussion.

    Text without paragraphs gets them from its blank lines and line breaks,
    so a post typed on a phone keeps its shape. The text is sanitised
    before and after, so the paragraphs cannot let markup through.
    """
    cleaned = clean(value, "discussion").strip()
    if cleaned and not BLOCK_TAG.search(cleaned):
        cleaned = clean(linebreaks(cleaned), "discussion")
    text = strip_tags(cleaned).strip()
    if not text:
        raise ValidationError(
            _("Write some text; markup alone is not a message."), code="empty"
        )
    return cleaned


class PostForm(forms.Form):
    """A reply in a discussion thread."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_POST_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_body(self):
        return clean_post_html(self.cleaned_data["body"])


class ThreadForm(PostForm):
    """A new discussion thread: its title and first post."""

    title = forms.CharField(label=_("Title"), max_length=200)
    field_order = ["title", "body"]

    def clean_title(self):
        title = clean_text(self.cleaned_data["title"]).strip()
        if not title:
            raise ValidationError(_("Enter a title."), code="required")
        return title


class AnnouncementForm(ThreadForm):
    """An announcement a teacher posts to the course."""

    body = forms.CharField(
        label=_("Text"),
        max_length=MAX_POST_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


# Bytes a roster CSV may have; a school's whole roster is well under this.
MAX_ROSTER_BYTES = 1024 * 1024


class ClassGroupEnrolForm(forms.Form):
    """The class group whose students a teacher enrols at once."""

    class_group = forms.ModelChoiceField(
        label=_("Class group"), queryset=ClassGroup.objects.none()
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_group"].queryset = ClassGroup.objects.filter(
            school=course.school, academic_year=course.academic_year_id
        ).order_by("grade", "name")


class RosterForm(forms.Form):
    """A roster CSV exported from Dapodik or a spreadsheet."""

    file = forms.FileField(
        label=_("Roster file (CSV)"),
        help_text=_("Columns NISN, Nama, JK, Tanggal Lahir and Rombel; at most 1 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ROSTER_BYTES:
            raise ValidationError(
                _("The file is %(size)s bytes; a roster may have at most %(max)s."),
                code="too_large",
                params={"size": upload.size, "max": MAX_ROSTER_BYTES},
            )
        data = upload.read()
        kind = filetype.guess(data[:8192])
        if kind is not None or b"\x00" in data[:8192]:
            raise ValidationError(
                _(
                    "The file is not a CSV text file. In the spreadsheet choose "
                    "'Save as' and the type 'CSV UTF-8'."
                ),
                code="not_csv",
            )
        return data
