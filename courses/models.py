"""
Courses as Wagtail pages, and the enrolment of students in them.

The page tree of each school is HomePage > CourseIndexPage > CoursePage >
(UnitPage >) LessonPage. Who may see a course page follows from the
person's role in that course (see ``CoursePage.role_of``). Other apps use
``courses.api`` and never these models directly.
"""

import logging
import secrets

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.models import (
    AcademicYear,
    ClassGroup,
    GuardianLink,
    Membership,
    School,
    Semester,
)
from lms.page_routes import CachedRouteMixin, route_data

from .blocks import LessonBodyBlock
from .forms import CoursePageForm

logger = logging.getLogger(__name__)

# Join codes avoid characters that look alike on a small screen (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
validate_code = RegexValidator(
    r"^[A-Z0-9]{4,12}$",
    _("Enter 4 to 12 letters or digits, for example MTK7A2."),
    code="invalid_code",
)


def normalise_code(value):
    """Return a join code as stored: upper case, without spaces or dashes."""
    return "".join((value or "").split()).replace("-", "").upper()


def generate_code():
    """Return a random join code that no course uses yet."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not CoursePage.objects.filter(code=code).exists():
            return code


class CourseRole(models.TextChoices):
    """A person's relation to one course, which decides what they may see."""

    TEACHER = "teacher", _("teacher")
    STUDENT = "student", _("student")
    GUARDIAN = "guardian", _("guardian")
    OPERATOR = "operator", _("school operator")


class CourseIndexPage(CachedRouteMixin, Page):
    """The course list of one school."""

    school = models.OneToOneField(
        School,
        on_delete=models.PROTECT,
        related_name="course_index",
        verbose_name=_("school"),
    )
    intro = RichTextField(_("introduction"), blank=True)
    requires_review = models.BooleanField(
        _("requires review"),
        default=False,
        help_text=_(
            "When set, lessons and courses of this school go to the school's "
            "operators for approval before they are published."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("school"),
        FieldPanel("intro"),
        FieldPanel("requires_review"),
    ]
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("course index")
        verbose_name_plural = _("course indexes")

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            if kwargs.get("update_fields") is None and self.school_id:
                from .workflow import apply_review_setting

                apply_review_setting(self)

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = (
            CoursePage.objects.child_of(self)
            .live()
            .select_related("academic_year", "semester", "class_group")
            .prefetch_related("teachers")
            .order_by("grade", "title")
        )
        return context


# Names of the annotations that ``with_viewer_flags`` adds to courses.
VIEWER_FLAGS = ("viewer_is_teacher", "viewer_is_student", "viewer_guards_anyone")


def with_viewer_flags(queryset, user, course_id=None):
    """
    Annotate ``queryset`` with what ``user`` most often is to a course, in one query.

    The course is each row itself, or the course ``course_id`` when the rows
    are pages inside it. ``viewer_is_teacher`` and ``viewer_is_student`` are
    about the course. ``viewer_guards_anyone`` is whether ``user`` is a
    guardian of any student, which the site menu shows.
    ``CoursePage.viewer_role`` reads them and looks up the rarer roles only
    when both are false.
    """
    course = OuterRef("pk") if course_id is None else course_id
    return queryset.annotate(
        viewer_is_teacher=Exists(
            CoursePage.teachers.through.objects.filter(
                coursepage_id=course, user_id=user.pk
            )
        ),
        viewer_is_student=Exists(
            Enrolment.objects.active().filter(course_id=course, student_id=user.pk)
        ),
        viewer_guards_anyone=Exists(GuardianLink.objects.filter(guardian_id=user.pk)),
    )


def table_sql(sql, model, params, output_field):
    """
    Return ``sql`` as an expression, with ``{table}`` set to ``model``'s table.

    Only the table name from the model's metadata is formatted into the SQL;
    every value goes as a parameter.
    """
    table = model._meta.db_table
    return RawSQL(sql.format(table=table), params, output_field=output_field)  # noqa: S611


def viewer_flag_expressions(course_id, user):
    """
    Return the annotations of ``with_viewer_flags`` for one known course.

    The route query of a page uses these instead, because the ids are known.
    Django compiles the whole lesson query in about half the CPU time this
    way than with ``Exists`` subqueries (21 ms against 38 ms, timed on a
    2-core machine with a load average of 13).
    """
    flag = models.BooleanField()
    return {
        "viewer_is_teacher": table_sql(
            "EXISTS (SELECT 1 FROM {table} WHERE coursepage_id = %s AND user_id = %s)",
            CoursePage.teachers.through,
            (course_id, user.pk),
            flag,
        ),
        "viewer_is_student": table_sql(
            "EXISTS (SELECT 1 FROM {table} "
            "WHERE course_id = %s AND student_id = %s AND ends_on >= %s)",
            Enrolment,
            (course_id, user.pk, timezone.localdate()),
            flag,
        ),
        "viewer_guards_anyone": table_sql(
            "EXISTS (SELECT 1 FROM {table} WHERE guardian_id = %s)",
            GuardianLink,
            (user.pk,),
            flag,
        ),
    }


# The fields of a course that pages inside it keep in their route data, so
# that they need not load the course.
COURSE_ROUTE_FIELDS = ("id", "page_ptr_id", "path", "depth", "title", "url_path")


def course_route_values(course, request):
    """Return what the route data of a page inside ``course`` keeps of it."""
    return {
        "fields": {name: getattr(course, name) for name in COURSE_ROUTE_FIELDS},
        "url": course.get_url(request),
    }


def course_url(request, course):
    """Return the address of ``course``, from the route data when it has it."""
    if course is None:
        return None
    values = route_data(request).get("course")
    if values is not None and values["fields"]["id"] == course.pk:
        return values["url"]
    return course.get_url(request)


def course_from_route_values(values, live, db):
    """
    Return the course described by ``course_route_values`` as a loaded page.

    Its other fields are deferred, so reading one loads it from the
    database, as after ``only()``.
    """
    fields = values["fields"] | {"live": live}
    names = [
        field.attname
        for field in CoursePage._meta.concrete_fields
        if field.attname in fields
    ]
    return CoursePage.from_db(db, names, [fields[name] for name in names])


def add_menu_flags(context, request):
    """
    Give the site menu the guardian flag that the course query already found.

    The ``site`` context processor would query it again otherwise. The
    context of a view takes precedence over that of a context processor.
    """
    if hasattr(request, "viewer_guards_anyone"):
        context["IS_GUARDIAN"] = request.viewer_guards_anyone


class CourseAccessMixin:
    """
    Serve a course page only to the people of its course.

    Anonymous visitors go to the login page; people without a role in the
    course get a 403 page. A page of a course that is not live is hidden
    (404) from everyone but its teachers, the school's operators and
    superusers. Wagtail's admin preview does not call ``serve``, so editors
    always see their drafts.
    """

    # Guardians follow their child's course on the course page itself, but
    # the lessons are for the students.
    guardians_may_view = False

    def get_course(self):
        raise NotImplementedError

    @classmethod
    def get_route_queryset(cls, request, page_id):
        """Load the page with the viewer's flags for its course, in one query."""
        queryset = super().get_route_queryset(request, page_id)
        if not request.user.is_authenticated:
            return queryset
        return cls.annotate_viewer(queryset, request, page_id)

    @classmethod
    def annotate_viewer(cls, queryset, request, page_id):
        """
        Annotate the page ``page_id`` inside a course with the viewer's flags.

        The course comes from the route data, which the first request of
        the path stores. Until then the flags are looked up on their own.
        """
        course = request.route_data.get("course")
        if course is None:
            return queryset
        course_id = course["fields"]["id"]
        return queryset.annotate(
            **viewer_flag_expressions(course_id, request.user),
            course_live=table_sql(
                "EXISTS (SELECT 1 FROM {table} WHERE id = %s AND live)",
                Page,
                (course_id,),
                models.BooleanField(),
            ),
        )

    def get_course_for_viewer(self, request):
        """
        Return the course of this page annotated by ``with_viewer_flags``.

        Return ``None`` when the page is not inside a course. When the route
        query has annotated the flags already, the course is built from the
        route data without a query.
        """
        data = route_data(request)
        if hasattr(self, "course_live"):
            course = course_from_route_values(
                data.get("course"), self.course_live, self._state.db
            )
            for name in VIEWER_FLAGS:
                setattr(course, name, getattr(self, name))
            return course
        courses = CoursePage.objects.ancestor_of(self)
        course = with_viewer_flags(courses, request.user).first()
        if course is not None:
            data.get_or_build("course", lambda: course_route_values(course, request))
        return course

    def viewer_may_see(self, user, course, role):
        if user.is_superuser:
            return True
        if not course.live and role not in (CourseRole.TEACHER, CourseRole.OPERATOR):
            raise Http404
        if role == CourseRole.GUARDIAN:
            return self.guardians_may_view
        return role is not None

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # The role is looked up on every request and never cached, so that a
        # student whose enrolment ends loses access at once.
        course = self.get_course_for_viewer(request)
        if course is None:
            raise Http404
        # Kept on the request so that get_context needs no second lookup.
        request.course = course
        request.course_role = course.viewer_role(request.user)
        request.viewer_guards_anyone = course.viewer_guards_anyone
        if not self.viewer_may_see(request.user, course, request.course_role):
            logger.info(
                "course page denied user=%s page=%s course=%s",
                request.user.pk,
                self.pk,
                course.pk,
            )
            return TemplateResponse(
                request,
                "courses/forbidden.html",
                {"page": self, "course": course},
                status=403,
            )
        response = super().serve(request, *args, **kwargs)
        # The response depends on the user, so shared caches must not store it.
        patch_cache_control(response, private=True)
        return response


class CoursePage(CourseAccessMixin, CachedRouteMixin, Page):
    """A course: one subject taught to one grade in one academic year."""

    subject = models.CharField(
        _("subject"), max_length=100, help_text=_("For example Matematika.")
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), validators=[MinValueValidator(0), MaxValueValidator(12)]
    )
    class_group = models.ForeignKey(
        ClassGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("class group"),
        help_text=_("Leave empty for a course that students join with its code."),
    )
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("academic year"),
    )
    semester = models.ForeignKey(
        Semester,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="courses",
        verbose_name=_("semester"),
        help_text=_("Leave empty for a course that lasts the whole year."),
    )
    teachers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="taught_courses",
        verbose_name=_("teachers"),
    )
    description = RichTextField(_("description"), blank=True)
    code = models.CharField(
        _("join code"),
        max_length=12,
        unique=True,
        blank=True,
        validators=[validate_code],
        help_text=_(
            "Students join the course with this code. Leave empty to get a random one."
        ),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("subject"),
                FieldPanel("grade"),
                FieldPanel("academic_year"),
                FieldPanel("semester"),
                FieldPanel("class_group"),
            ],
            heading=_("Course"),
        ),
        FieldPanel("teachers"),
        FieldPanel("description"),
        FieldPanel("code"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("subject"),
        index.SearchField("description"),
        index.FilterField("grade"),
    ]
    base_form_class = CoursePageForm
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.UnitPage", "courses.LessonPage"]
    # A copy gets a fresh join code on save instead of a duplicate.
    exclude_fields_in_copy = ["code"]
    guardians_may_view = True

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        self.code = normalise_code(self.code)
        errors = {}
        if (
            self.semester_id
            and self.academic_year_id
            and self.semester.academic_year_id != self.academic_year_id
        ):
            errors["semester"] = ValidationError(
                _("The semester must belong to the course's academic year."),
                code="semester_year",
            )
        if (
            self.class_group_id
            and self.academic_year_id
            and self.class_group.academic_year_id != self.academic_year_id
        ):
            errors["class_group"] = ValidationError(
                _("The class group must belong to the course's academic year."),
                code="class_group_year",
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.code = normalise_code(self.code) or generate_code()
        with transaction.atomic():
            # ClusterableModel.save stores the teachers after the row itself,
            # so the group is synchronised once both are written.
            super().save(*args, **kwargs)
            from .permissions import sync_teacher_group

            sync_teacher_group(self)
            # Wagtail saves a draft revision with update_fields, and the
            # class group of a draft is not yet the published one.
            if self.live and kwargs.get("update_fields") is None:
                self.enrol_class_group()

    @classmethod
    def annotate_viewer(cls, queryset, request, page_id):
        """Add the viewer's role and progress in the course to the route query."""
        from .progress import annotate_course_progress

        queryset = queryset.annotate(**viewer_flag_expressions(page_id, request.user))
        return annotate_course_progress(queryset, request, page_id)

    def get_course(self):
        return self

    def get_course_for_viewer(self, request):
        if hasattr(self, "viewer_is_teacher"):
            return self
        flags = (
            with_viewer_flags(CoursePage.objects.filter(pk=self.pk), request.user)
            .values(*VIEWER_FLAGS)
            .first()
        )
        if flags is None:
            return None
        for name, value in flags.items():
            setattr(self, name, value)
        return self

    @property
    def school(self):
        """The school whose course index this course sits under."""
        parent = CourseIndexPage.objects.parent_of(self).first()
        return parent.school if parent is not None else None

    @property
    def ends_on(self):
        """The last day of the course: its semester's end, else its year's."""
        if self.semester_id:
            return self.semester.ends_on
        return self.academic_year.ends_on

    def term_names(self):
        """Return the names of the class group and of the semester, else the year."""
        return {
            "class_group": self.class_group.name if self.class_group_id else "",
            "term": str(self.semester if self.semester_id else self.academic_year),
        }

    def has_ended(self, day=None):
        return (day or timezone.localdate()) > self.ends_on

    def role_of(self, user):
        """Return the ``CourseRole`` of ``user`` in this course, or ``None``."""
        if user is None or not user.is_authenticated:
            return None
        if self.teachers.filter(pk=user.pk).exists():
            return CourseRole.TEACHER
        if self.enrolments.active().filter(student=user).exists():
            return CourseRole.STUDENT
        return self.staff_or_guardian_role(user)

    def viewer_role(self, user):
        """Return ``role_of(user)`` for a course annotated by ``with_viewer_flags``."""
        if self.viewer_is_teacher:
            return CourseRole.TEACHER
        if self.viewer_is_student:
            return CourseRole.STUDENT
        return self.staff_or_guardian_role(user)

    def staff_or_guardian_role(self, user):
        """Return the role of a ``user`` who neither teaches nor follows the course."""
        # The school is that of the course index, the parent page, which is
        # matched by its tree path rather than loaded.
        if Membership.objects.filter(
            user=user,
            role=Membership.Role.OPERATOR,
            school__course_index__path=self.path[: -self.steplen],
        ).exists():
            return CourseRole.OPERATOR
        if (
            self.enrolments.active()
            .filter(student__guardian_links__guardian=user)
            .exists()
        ):
            return CourseRole.GUARDIAN
        return None

    def enrol_class_group(self):
        """
        Enrol the students of the course's class group who are not yet in it.

        Return the number of new enrolments. Existing enrolments, including
        those of students who have left the group, stay as they are.
        """
        if self.class_group_id is None:
            return 0
        enrolled = set(self.enrolments.values_list("student_id", flat=True))
        new = [
            Enrolment(
                course=self,
                student_id=student_id,
                method=Enrolment.Method.CLASS_GROUP,
                ends_on=self.ends_on,
            )
            for student_id in self.class_group.students.values_list("pk", flat=True)
            if student_id not in enrolled
        ]
        Enrolment.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            logger.info(
                "class group enrolled course=%s class_group=%s students=%s",
                self.pk,
                self.class_group_id,
                len(new),
            )
        return len(new)

    def enrol(self, student, method):
        """
        Enrol ``student`` until the course ends and return the enrolment.

        Enrolling again is harmless: an existing enrolment keeps its method
        and only has its end date renewed.
        """
        enrolment, created = Enrolment.objects.get_or_create(
            course=self,
            student=student,
            defaults={"method": method, "ends_on": self.ends_on},
        )
        if not created and enrolment.ends_on != self.ends_on:
            enrolment.ends_on = self.ends_on
            enrolment.save(update_fields=["ends_on"])
        if created:
            logger.info(
                "enrolled course=%s student=%s method=%s",
                self.pk,
                student.pk,
                method,
            )
        return enrolment

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        role = getattr(request, "course_role", None) or self.role_of(request.user)
        context["role"] = role
        # Imported here because the template tags need the app registry.
        from wagtail.templatetags.wagtailcore_tags import richtext

        data = route_data(request)
        context["teachers"] = data.get_or_build(
            "teachers", lambda: [str(teacher) for teacher in self.teachers.all()]
        )
        # The route query loads no related rows, so the names come from the
        # route data. courses.signals replaces the generation when one changes.
        context["term_names"] = data.get_or_build("term_names", self.term_names)
        # The filter's output is a SafeString, which stays one when cached.
        context["description_html"] = data.get_or_build(
            "description",
            lambda: richtext(self.description) if self.description else "",
        )
        from .outline import lesson_links, unit_links

        context["units"] = unit_links(request, self)
        # Every live lesson of the course: the list shows those directly
        # under the course, and the progress counts all of them.
        all_lessons = lesson_links(request, self)
        context["lessons"] = [
            lesson for lesson in all_lessons if lesson.depth == self.depth + 1
        ]
        if role == CourseRole.STUDENT:
            from .progress import annotated_progress, progress_for

            progress = annotated_progress(self, all_lessons)
            if progress is None:
                progress = progress_for(request.user, self, all_lessons)
            context["progress"] = progress
        add_menu_flags(context, request)
        return context


class UnitPage(CourseAccessMixin, CachedRouteMixin, Page):
    """A chapter of a course that groups its lessons."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def get_course(self):
        return CoursePage.objects.ancestor_of(self).first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = getattr(request, "course", None) or self.get_course()
        context["course_url"] = course_url(request, context["course"])
        context["lessons"] = LessonPage.objects.child_of(self).live()
        add_menu_flags(context, request)
        return context


class LessonPage(CourseAccessMixin, CachedRouteMixin, Page):
    """A lesson: text, pictures, media and documents for students to read."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in the list of lessons."),
    )
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["courses.CoursePage", "courses.UnitPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def get_course(self):
        return CoursePage.objects.ancestor_of(self).first()

    @classmethod
    def annotate_viewer(cls, queryset, request, page_id):
        """Add the viewer's progress row of the lesson to the route query."""
        queryset = super().annotate_viewer(queryset, request, page_id)
        if request.route_data.get("body") is not None:
            queryset = queryset.defer("body")
        # One row at most, by the unique (student, lesson) constraint.
        row = "SELECT {column} FROM {{table}} WHERE student_id = %s AND lesson_id = %s"
        params = (request.user.pk, page_id)
        return queryset.annotate(
            viewer_progress_id=table_sql(
                row.format(column="id"),
                LessonProgress,
                params,
                models.BigIntegerField(),
            ),
            viewer_last_seen_at=table_sql(
                row.format(column="last_seen_at"),
                LessonProgress,
                params,
                models.DateTimeField(),
            ),
            viewer_completed_at=table_sql(
                row.format(column="completed_at"),
                LessonProgress,
                params,
                models.DateTimeField(),
            ),
        )

    def viewer_progress(self, student):
        """
        Return the progress row that the route query loaded for ``student``.

        Return ``None`` when the student has none, and ``UNKNOWN`` when the
        page was loaded without it.
        """
        from .progress import UNKNOWN

        if not hasattr(self, "viewer_progress_id"):
            return UNKNOWN
        if self.viewer_progress_id is None:
            return None
        return LessonProgress(
            pk=self.viewer_progress_id,
            student=student,
            lesson=self,
            last_seen_at=self.viewer_last_seen_at,
            completed_at=self.viewer_completed_at,
        )

    def render_body(self, request):
        """Return the HTML of the body, which the route data keeps."""
        # render_to_string returns a SafeString, which stays one when cached.
        return route_data(request).get_or_build(
            "body",
            lambda: render_to_string(
                "courses/includes/lesson_body.html", {"page": self}, request
            ),
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = getattr(request, "course", None) or self.get_course()
        context["course"] = course
        context["course_url"] = course_url(request, course)
        context["body_html"] = self.render_body(request)
        from .outline import sibling_links

        siblings = sibling_links(request, self)
        before = [lesson for lesson in siblings if lesson.path < self.path]
        after = [lesson for lesson in siblings if lesson.path > self.path]
        context["previous_lesson"] = before[-1] if before else None
        context["next_lesson"] = after[0] if after else None
        context["role"] = getattr(request, "course_role", None)
        add_menu_flags(context, request)
        if context["role"] == CourseRole.STUDENT:
            from .progress import record_seen

            context["lesson_progress"] = record_seen(
                request.user, self, self.viewer_progress(request.user)
            )
        return context


class EnrolmentQuerySet(models.QuerySet):
    def active(self, day=None):
        """Keep the enrolments that have not ended on ``day`` (default today)."""
        return self.filter(ends_on__gte=day or timezone.localdate())


class Enrolment(models.Model):
    """A student's place in a course, until the course's semester ends."""

    class Method(models.TextChoices):
        CLASS_GROUP = "class_group", _("class group")
        CODE = "code", _("join code")
        CSV = "csv", _("CSV import")
        MANUAL = "manual", _("added by hand")

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("course"),
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("student"),
    )
    method = models.CharField(_("enrolled by"), max_length=12, choices=Method.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ends_on = models.DateField(_("ends on"))

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["course", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "student"], name="unique_enrolment"
            )
        ]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")

    def __str__(self):
        return f"{self.student} - {self.course}"

    def clean(self):
        super().clean()
        if not (self.course_id and self.student_id):
            return
        school = self.course.school
        if school is not None and not self.student.has_school_role(
            school, Membership.Role.STUDENT
        ):
            raise ValidationError(
                {
                    "student": ValidationError(
                        _("%(student)s is not a student of %(school)s."),
                        code="student_not_at_school",
                        params={"student": self.student, "school": school},
                    )
                }
            )

    def is_active(self, day=None):
        return self.ends_on >= (day or timezone.localdate())


class Notification(models.Model):
    """An in-app message to one person, such as new material or a grade."""

    class Kind(models.TextChoices):
        NEW_MATERIAL = "new_material", _("new material")
        DUE_SOON = "due_soon", _("due soon")
        GRADE = "grade", _("grade")
        REPLY = "reply", _("reply")
        ANNOUNCEMENT = "announcement", _("announcement")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at"], name="notification_unread_idx"
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class LessonProgress(models.Model):
    """When a student last opened a lesson, and when they finished it."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_progress",
        verbose_name=_("student"),
    )
    lesson = models.ForeignKey(
        LessonPage,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("lesson"),
    )
    last_seen_at = models.DateTimeField(_("last seen at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student", "lesson"], name="unique_lesson_progress"
            )
        ]
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")

    def __str__(self):
        return f"{self.student} - {self.lesson}"


class Announcement(models.Model):
    """A message from a course's teacher to its students and their guardians."""

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="announcements",
        verbose_name=_("course"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Sanitised HTML."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.title


class Thread(models.Model):
    """A discussion in a course, or about one lesson of it."""

    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="threads",
        verbose_name=_("course"),
    )
    lesson = models.ForeignKey(
        LessonPage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("lesson"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post at"), default=timezone.now)
    is_locked = models.BooleanField(
        _("locked"), default=False, help_text=_("A locked thread takes no replies.")
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        verbose_name = _("discussion thread")
        verbose_name_plural = _("discussion threads")

    def __str__(self):
        return self.title


class Post(models.Model):
    """A message in a discussion thread; the first one opens the thread."""

    thread = models.ForeignKey(
        Thread,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("thread"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"), help_text=_("Sanitised HTML."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_hidden = models.BooleanField(_("hidden"), default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("discussion post")
        verbose_name_plural = _("discussion posts")

    def __str__(self):
        return f"{self.thread} #{self.pk}"


class GuardianPreference(models.Model):
    """The channel by which a parent receives the daily digest."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")
        NONE = "none", _("no digest")

    guardian = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="digest_preference",
        verbose_name=_("guardian"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        blank=True,
        help_text=_("For SMS and WhatsApp, for example 081234567890."),
    )
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest preference")
        verbose_name_plural = _("digest preferences")

    def __str__(self):
        return f"{self.guardian} ({self.get_channel_display()})"
