"""
The access matrix: the expected response of every view for every role.

``RULES`` maps a URL name (``namespace:name``), a page type
(``page:app_label.ModelName``) or, for an unnamed pattern, its route to one
row. A row lists the outcome for each role, in the column order of
``ROLES`` (see ``tests/security/world.py`` for who each role is):

    anon  stud  stud2 teach tch2  par   par2  oper  oper2 city

``stud2`` is a student of another school, ``tch2`` a teacher of another
course of the same school, ``par2`` the parent of a classmate and ``oper2``
an operator of another school. An outcome is an HTTP status (``200``,
``400``, ``403``, ``404``, ``405``), ``login`` for a redirect to a login
page, or ``302`` for any other redirect.

The keyword arguments of ``row`` fill the URL: ``world("course")`` is
the primary key of that object of the world (or the attribute after a
dot, as in ``world("school.npsn")``), and any other value is used as is.
``url=world("course.url")`` requests that path instead of reversing the
name, ``method="post"`` sends an empty POST, and ``query`` adds a query
string.

To add a view, add its row here, next to its app's rows, with the outcome
the view must give each role. Run ``pytest tests/security`` to see what it
gives now.
"""

from dataclasses import dataclass, field

from .world import ROLES

OUTCOMES = {"200", "302", "400", "403", "404", "405", "login"}
# A websocket either joins (the server sends its welcome message) or is
# closed with one of the classroom's close codes (see live/protocol.py).
WEBSOCKET_OUTCOMES = {"join", "4401", "4403", "4404", "4410"}


@dataclass(frozen=True)
class WorldRef:
    """A dotted attribute path into the world, such as ``school.npsn``."""

    path: str

    def resolve(self, world):
        value = world
        for name in self.path.split("."):
            value = getattr(value, name)
        return getattr(value, "pk", value)


def world(path):
    return WorldRef(path)


@dataclass(frozen=True)
class Rule:
    outcomes: dict
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    query: str = ""
    url: WorldRef | None = None


def row(table, *, method="get", query="", url=None, **kwargs):
    """Build a rule from a line of outcomes in the column order of ``ROLES``."""
    outcomes = table.split()
    if len(outcomes) != len(ROLES):
        raise ValueError(
            f"{table!r} has {len(outcomes)} outcomes, expected one per role: "
            + ", ".join(ROLES)
        )
    unknown = set(outcomes) - OUTCOMES - WEBSOCKET_OUTCOMES
    if unknown:
        raise ValueError(f"{table!r} has unknown outcomes {sorted(unknown)}")
    return Rule(dict(zip(ROLES, outcomes, strict=True)), kwargs, method, query, url)


# Patterns that are not views of their own, with the reason.
NOT_VIEWS = {
    "page_serve": "serves pages, whose rows are keyed by page type (page:...)",
    "wagtail_serve": "serves pages, whose rows are keyed by page type (page:...)",
}

# Every view under these prefixes comes from Wagtail's or Django's admin,
# which checks its own permissions. Rows are required only for admin views
# that this project adds, and the sampled admin rows below check that each
# role reaches the admin it should.
THIRD_PARTY_ADMIN_PREFIXES = ("admin/", "django-admin/")

# Routes that exist only in some configurations: the public media route
# exists only with file-system storage.
OPTIONAL = {r"^media/(?P<path>(?:images|original_images)/.*)$"}

RULES = {
    # Platform and Wagtail's public views
    "health": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "set_language": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 302   302   302   302   302   302   302   302   302   302",
        method="post",
    ),
    "^media/(?P<path>(?:images|original_images)/.*)$": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 404   404   404   404   404   404   404   404   404   404",
        path="images/none.png",
    ),
    "wagtaildocs_serve": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   200   403   403   200   403   200",
        url=world("document.url"),
    ),
    "wagtaildocs_authenticate_with_password": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 404   404   404   404   404   404   404   404   404   404",
        restriction_id=999999,
    ),
    "wagtailcore_authenticate_with_password": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 404   404   404   404   404   404   404   404   404   404",
        page_view_restriction_id=999999,
        page_id=world("course"),
    ),
    "wagtailcore_login": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    # Accounts
    "accounts:login": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "accounts:profile": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "accounts:password_change": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "accounts:password_change_done": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "accounts:password_reset": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "accounts:password_reset_done": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "accounts:password_reset_complete": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "accounts:login_locks": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
    ),
    "accounts:logout": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 302   302   302   302   302   302   302   302   302   302",
        method="post",
    ),
    "accounts:password_reset_confirm": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        uidb64="MQ",
        token="set-password",
    ),
    "accounts:lift_lock": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   302",
        method="post",
        lock_id=world("login_lock"),
    ),
    "accounts:school_accounts": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   403   200",
        npsn=world("school.npsn"),
    ),
    "accounts:unlock_person": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   302   403   302",
        method="post",
        npsn=world("school.npsn"),
        user_id=world("student"),
    ),
    "accounts:reset_password": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   403   200",
        method="post",
        npsn=world("school.npsn"),
        user_id=world("student"),
    ),
    "accounts:login_cards": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   403   200",
        npsn=world("school.npsn"),
        group_id=world("class_group"),
    ),
    # Gradebook
    "gradebook:calendar": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "gradebook:regenerate_feed": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   302   302   302   302   302   302   302   302",
        method="post",
    ),
    "gradebook:ical": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        token=world("calendar_feed.token"),
    ),
    "gradebook:parent": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "gradebook:child": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   200   403   403   403   403",
        child_id=world("student"),
    ),
    "gradebook:course": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "gradebook:manage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        course_id=world("course"),
    ),
    "gradebook:export_csv": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "gradebook:export_xlsx": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "gradebook:mine": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "gradebook:delete_item": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   404   403   403   403   403   403   403",
        method="post",
        item_id=world("grade_item"),
        course_id=world("course"),
    ),
    "gradebook:student_grades": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   403   200   403   403",
        course_id=world("course"),
        student_id=world("student"),
    ),
    "gradebook:student": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        course_id=world("course"),
        student_id=world("student"),
    ),
    "gradebook:total": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   400   403   403   403   403   403   403",
        course_id=world("course"),
        student_id=world("student"),
        method="post",
    ),
    "gradebook:score": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        item_id=world("grade_item"),
        course_id=world("course"),
        student_id=world("student"),
        method="post",
    ),
    "gradebook:override": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   400   403   403   403   403   403   403",
        item_id=world("grade_item"),
        course_id=world("course"),
        student_id=world("student"),
        method="post",
    ),
    # Assignments
    "assignments:course": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   200   403   403   403",
        course_id=world("course"),
    ),
    "assignments:create": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        course_id=world("course"),
    ),
    "assignments:detail": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   200   403   403   403",
        pk=world("assignment"),
    ),
    "assignments:edit": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        pk=world("assignment"),
    ),
    "assignments:rubric": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        pk=world("assignment"),
    ),
    "assignments:rubric_delete": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        pk=world("assignment"),
    ),
    "assignments:submissions": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        pk=world("assignment"),
    ),
    "assignments:extension": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   400   403   403   403   403   403   403",
        pk=world("assignment"),
        method="post",
    ),
    "assignments:student_work": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   403   403   403   403",
        pk=world("assignment"),
        student_id=world("student"),
    ),
    "assignments:grade": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        pk=world("submission"),
    ),
    "assignments:download": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   403   403   403   403",
        pk=world("submission"),
    ),
    # Quizzes
    "quizzes:course": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   403   403   403",
        course_id=world("course"),
    ),
    "quizzes:questions": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        course_id=world("course"),
    ),
    "quizzes:new": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        course_id=world("course"),
    ),
    "quizzes:question_edit": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        question_id=world("question"),
    ),
    "quizzes:question_delete": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        question_id=world("question"),
    ),
    "quizzes:detail": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   403   403   403",
        quiz_id=world("quiz"),
    ),
    "quizzes:edit": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        quiz_id=world("quiz"),
    ),
    "quizzes:delete": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        quiz_id=world("quiz"),
    ),
    "quizzes:allowances": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        quiz_id=world("quiz"),
    ),
    "quizzes:start": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   403   403   403   403   403   403   403",
        quiz_id=world("quiz"),
        method="post",
    ),
    "quizzes:grading": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        quiz_id=world("quiz"),
    ),
    "quizzes:release": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        quiz_id=world("quiz"),
        method="post",
    ),
    "quizzes:attempt": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   403   403   403   403   403   403   403",
        attempt_id=world("attempt"),
    ),
    "quizzes:save": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   403   403   403   403   403   403   403",
        attempt_id=world("attempt"),
        method="post",
    ),
    "quizzes:submit": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   403   403   403   403   403   403   403",
        attempt_id=world("attempt"),
        method="post",
    ),
    "quizzes:review": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   200   403   403   403   403   403   403",
        attempt_id=world("attempt"),
    ),
    "quizzes:grade_answer": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        answer_id=world("answer"),
        method="post",
    ),
    # Courses
    "courses:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "courses:join": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   403   403   403   403   403   403   403",
    ),
    "courses:notifications": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "courses:notifications_read": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   302   302   302   302   302   302   302   302",
        method="post",
    ),
    "courses:digest_preference": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   200   200   403   403   403",
    ),
    "courses:lesson_done": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   403   403   403   403   403   403   403",
        lesson_id=world("lesson"),
        method="post",
    ),
    "courses:lesson_offline": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   200   403   403",
        lesson_id=world("lesson"),
    ),
    "courses:class_progress": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "courses:announcements": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   200   200   403   403",
        course_id=world("course"),
    ),
    "courses:threads": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "courses:enrol": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   200   403   403",
        course_id=world("course"),
    ),
    "courses:thread": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   200   403   403",
        thread_id=world("thread"),
    ),
    "courses:thread_moderate": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   302   403   403",
        thread_id=world("thread"),
        method="post",
    ),
    "courses:post_moderate": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   302   403   403",
        post_id=world("post"),
        method="post",
    ),
    # Library
    "library:search": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "library:upload": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   200   403   403   200   403   403",
    ),
    "library:my_uploads": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "library:review": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   403   403",
    ),
    "library:school_usage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   200   200",
    ),
    "library:resubmit_upload": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   404   404   404   404   404   404   404   404",
        pk=world("library_item"),
        method="post",
    ),
    "library:review_item": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   403",
        pk=world("library_item"),
        method="post",
    ),
    "library:download": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   200   403   403   200   403   200",
        pk=world("library_file"),
    ),
    "library:new_version": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   403   200",
        pk=world("library_file"),
    ),
    "library:item_usage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   403   403   403   403   200   403   200",
        pk=world("library_item"),
    ),
    "library:cite_item": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   200   403   403   200   403   200",
        pk=world("library_item"),
        format_name="bibtex",
    ),
    "library:cite_results": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        format_name="bibtex",
    ),
    # Live classes
    "live:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "live:create": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   200   403   403   403   403   403",
    ),
    "live:session": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   403   403   403",
        session_id=world("live_session"),
    ),
    "live:chat": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:open": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:end": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:attendance_csv": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        session_id=world("live_session"),
    ),
    # Poll answers are students' personal data: the session's teacher only.
    "live:polls": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   200   403   403   403   403   403   403",
        session_id=world("live_session"),
    ),
    # The classroom forms for browsers without JavaScript. A participant's
    # post redirects back to the page, with an error when the action does
    # not apply to the role. Teacher controls are the teachers' only. An
    # empty poll form shows the page again with its errors.
    "live:hand_raise": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:hand_lower": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:poll_answer": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 302   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:hands_lower_all": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:poll_close": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:chat_mute": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:remove": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   302   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    "live:poll_open": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   400   403   403   403   403   403   403",
        session_id=world("live_session"),
        method="post",
    ),
    # The record of a class: attendance for teachers, students (their own)
    # and parents of enrolled children (their own children's); replay and
    # transcript for participants.
    "live:attendance": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   200   403   403   403",
        session_id=world("live_session"),
    ),
    "live:replay": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   403   403   403",
        session_id=world("live_session"),
    ),
    "live:replay_events": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   403   403   403",
        session_id=world("live_session"),
    ),
    "live:transcript": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   403   403   403",
        session_id=world("live_session"),
    ),
    # Slide images: the session's participants only. The world shows no
    # slides, so a participant gets 404 for a deck after the access check.
    "live:slide_image": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   403   404   403   403   403   403   403   403",
        session_id=world("live_session"),
        deck_id=1,
        page=1,
    ),
    # OAI-PMH and admission
    "oai:endpoint": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        query="verb=Identify",
    ),
    "ppdb:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "ppdb:period": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        pk=world("period"),
    ),
    # Public information and the parents' registration. Children do not
    # register themselves. The world's period is open but has no rule set,
    # so registration returns 403 (closed) to everyone logged in. A parent
    # reaches only their own application: anyone else gets 404. Its
    # status needs no correction, so the correction page sends the parent
    # back (302).
    "ppdb:help": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
    ),
    "ppdb:information": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        pk=world("period"),
    ),
    "ppdb:register": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   403",
        pk=world("period"),
    ),
    "ppdb:register_form": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   403",
        pk=world("period"),
        method="post",
    ),
    "ppdb:applications": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
    ),
    "ppdb:application": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   200   404   404   404   404",
        number=world("application.registration_number"),
    ),
    "ppdb:receipt": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   200   404   404   404   404",
        number=world("application.registration_number"),
    ),
    "ppdb:correct": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   302   404   404   404   404",
        number=world("application.registration_number"),
    ),
    "ppdb:document": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   200   404   404   404   404",
        number=world("application.registration_number"),
        pk=world("application_document"),
    ),
    # The education office's seat pages: the city admin only. The world's
    # period has no rule set, so a school's seat form sends the admin back.
    "ppdb:office_periods": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
    ),
    "ppdb:office_seats": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
        pk=world("period"),
    ),
    "ppdb:office_add_school": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   400",
        pk=world("period"),
        method="post",
    ),
    "ppdb:office_edit_school": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   302",
        pk=world("period"),
        school_pk=world("period_school"),
    ),
    # Verification: the operator of the application's first choice (school
    # A) and the city admin; school B, its second choice, gets 404.
    "ppdb:verification_queue": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   200   200",
    ),
    "ppdb:verification_application": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   404   200",
        number=world("application.registration_number"),
    ),
    "ppdb:verification_decide": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   400   404   400",
        number=world("application.registration_number"),
        method="post",
    ),
    "ppdb:verification_document": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   200   404   200",
        number=world("application.registration_number"),
        document_pk=world("application_document"),
    ),
    # Selection runs. The world's run is a dry run, which is never shown to
    # the public, so its ranking pages are 404 for all. A parent opens only their
    # own child's result, and the run, report and export pages are the city
    # admin's. Publishing the dry run is rejected with a message (302).
    "ppdb:ranking": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 404   404   404   404   404   404   404   404   404   404",
        pk=world("period"),
    ),
    "ppdb:ranking_program": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 404   404   404   404   404   404   404   404   404   404",
        pk=world("period"),
        npsn=world("school.npsn"),
        track="domisili",
    ),
    "ppdb:result": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   200   404   404   404   404",
        pk=world("application"),
    ),
    "ppdb:runs": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
        pk=world("period"),
    ),
    "ppdb:reports": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
        pk=world("period"),
    ),
    "ppdb:run_detail": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
        pk=world("selection_run"),
    ),
    "ppdb:run_publish": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   302",
        pk=world("selection_run"),
        method="post",
    ),
    "ppdb:run_compare": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
        pk=world("selection_run"),
    ),
    "ppdb:run_export": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 403   403   403   403   403   403   403   403   200",
        pk=world("selection_run"),
        audience="internal",
        file_format="csv",
    ),
    # After the announcement: the parent's own application page and actions,
    # and the office's answers. Anybody logged in may send a complaint.
    "ppdb:aftermath": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   200   404   404   404   404",
        number=world("application.registration_number"),
    ),
    "ppdb:file_objection": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   400   404   404   404   404",
        number=world("application.registration_number"),
        method="post",
    ),
    "ppdb:re_register": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   400   404   404   404   404",
        number=world("application.registration_number"),
        method="post",
    ),
    "ppdb:withdraw": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   400   404   404   404   404",
        number=world("application.registration_number"),
        method="post",
    ),
    "ppdb:complaints": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
        pk=world("period"),
    ),
    "ppdb:office_complaints": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   404   404   200   404   200",
        pk=world("period"),
    ),
    "ppdb:answer_complaint": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   404   404   302   404   302",
        pk=world("complaint"),
        method="post",
    ),
    "ppdb:office_objections": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   404   404   200   404   200",
        pk=world("period"),
    ),
    "ppdb:answer_objection": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   404   404   302   404   302",
        pk=world("objection"),
        method="post",
    ),
    "ppdb:cancel": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 404   404   404   404   404   404   200   404   200",
        number=world("application.registration_number"),
    ),
    # Pages, by page type
    "page:lms.HomePage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        url=world("home.url"),
    ),
    "page:courses.CourseIndexPage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   200   200   200   200   200   200   200   200",
        url=world("course_index.url"),
    ),
    "page:courses.CoursePage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   200   200   200   403   403",
        url=world("course.url"),
    ),
    "page:courses.UnitPage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   200   403   403",
        url=world("unit.url"),
    ),
    "page:courses.LessonPage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   403   403   403   200   403   403",
        url=world("lesson.url"),
    ),
    "page:library.LibraryIndexPage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 200   200   200   200   200   200   200   200   200   200",
        url=world("library.url"),
    ),
    "page:library.LibraryItemPage": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login 200   403   200   200   403   403   200   403   200",
        url=world("library_item.url"),
    ),
    # A sample of Wagtail's and Django's admin
    "wagtailadmin_home": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login 200   200   login login 200   200   200",
    ),
    "wagtailadmin_explore_root": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login 302   302   login login 302   302   302",
    ),
    "wagtaildocs:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login 302   302   login login 200   302   302",
    ),
    "wagtailimages:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login 302   302   login login 302   302   302",
    ),
    "wagtailusers_users:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login 302   302   login login 302   302   302",
    ),
    "admin:index": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login login login login login login login login",
    ),
    "admin:lms_user_changelist": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " login login login login login login login login login login",
    ),
}

# Websocket routes, keyed by route. The request opens the websocket through
# the full ASGI stack with the session cookie of the role.
WEBSOCKET_RULES = {
    "ws/live/<int:session_id>/": row(
        # anon  stud  stud2 teach tch2  par   par2  oper  oper2 city
        " 4401  join  4403  join  4403  4403  4403  4403  4403  4403",
        session_id=world("live_session"),
    ),
}
