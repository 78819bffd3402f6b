import datetime

import pytest
from django.utils import timezone

from courses.assignments import services
from courses.assignments.calendar import events_for
from tests.factories import make_student

pytestmark = pytest.mark.django_db


def window():
    now = timezone.now()
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)


def test_student_gets_due_dates(world):
    assignment = world.assignment()

    events = events_for(world.student, *window())

    assert [event.title for event in events] == [assignment.title]
    assert events[0].starts_at == assignment.due_at
    assert events[0].kind == "assignment"
    assert events[0].url == assignment.get_absolute_url()
    assert events[0].course_title == world.course.title


def test_extension_moves_student_event(world):
    assignment = world.assignment()
    new_due = assignment.due_at + datetime.timedelta(days=3)
    services.grant_extension(assignment, world.student, new_due, by=world.teacher)

    mine = events_for(world.student, *window())
    theirs = events_for(world.other_student, *window())

    assert [event.starts_at for event in mine] == [new_due]
    assert [event.starts_at for event in theirs] == [assignment.due_at]


def test_events_outside_window_left_out(world):
    world.assignment(due_at=timezone.now() + datetime.timedelta(days=60))

    assert events_for(world.student, *window()) == []


def test_parent_gets_child_due_dates(world):
    assignment = world.assignment()

    events = events_for(world.parent, *window())

    assert len(events) == 1
    assert events[0].title.startswith(assignment.title)


def test_outsider_gets_nothing(world):
    world.assignment()
    outsider = make_student(world.school)

    assert events_for(outsider, *window()) == []


def test_missing_work_lists_overdue(world):
    from courses.assignments.services import grant_extension, missing_work, submit

    now = timezone.now()
    overdue = world.assignment(
        title="Terlewat",
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(days=1),
        late_policy="accept",
    )
    handed_in = world.assignment(
        title="Sudah",
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(days=1),
        late_policy="accept",
    )
    extended = world.assignment(
        title="Diperpanjang",
        opens_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(days=1),
    )
    world.assignment(title="Belum tenggat")
    submit(handed_in, world.student, text="terlambat")
    grant_extension(
        extended, world.student, now + datetime.timedelta(days=1), by=world.teacher
    )

    mine = missing_work(world.student)
    theirs = missing_work(world.other_student)

    assert mine == [overdue]
    assert [assignment.title for assignment in theirs] == [
        "Terlewat",
        "Sudah",
        "Diperpanjang",
    ]
