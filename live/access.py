"""
Access rules of live sessions: who may join one and who may run it.

The views and the websocket consumer ask the same questions here, so a page
and its websocket never disagree. Course roles come from ``courses.api``.
"""

from courses import api as courses_api

# The course roles that may join a live class. Guardians and school
# operators have a role in the course but do not take part.
PARTICIPANT_ROLES = frozenset({"teacher", "student"})


def participant_role(user, session, course=None):
    """
    Return "teacher" or "student" when ``user`` may join ``session``.

    Return ``None`` for anybody else, anonymous people included, and for a
    session whose course is no longer published. The session's moderator
    joins as a teacher even when no longer among the course's teachers.
    Teachers may also open and end the session.
    """
    if user is None or not user.is_authenticated:
        return None
    if course is None:
        course = courses_api.get_course(session.course_id)
    if course is None:
        return None
    return role_in_session(user, session, courses_api.course_role(user, course))


def role_in_session(user, session, course_role):
    """
    Return the role of ``user`` in ``session`` given their ``course_role``.

    ``course_role`` comes from ``courses.api`` for the session's live course.
    """
    if user.pk == session.teacher_id:
        return "teacher"
    if course_role is not None and str(course_role) in PARTICIPANT_ROLES:
        return str(course_role)
    return None


def display_name(user):
    return user.get_full_name() or user.get_username()
