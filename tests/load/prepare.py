"""
Build the data of the load scenario and write its plan as JSON.

Run by ``tests/load/run.py`` against a database of its own, never the one
of a real deployment: it creates accounts and logs them in. The plan lists
what the simulated people use: session keys, lesson paths, quiz and live
class ids, the admission periods and library search words.
"""

import argparse
import datetime
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import django


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("plan", type=Path, help="Where to write the plan (JSON).")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--library-items", type=int, default=2000)
    parser.add_argument(
        "--reset",
        action="store_true",
        help="Delete what an earlier run stored through the plan, build nothing.",
    )
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    django.setup()
    if options.reset:
        reset(json.loads(options.plan.read_text()))
        return
    plan = build(options)
    options.plan.write_text(json.dumps(plan, indent=1))
    print(f"plan written to {options.plan}")  # noqa: T201


def reset(plan):
    """
    Delete what earlier runs created: registrations and quiz attempts.

    The simulated parents number their children from 0 on every run, so a
    second run would register the same NIK and NISN again and get HTTP 400.
    A student's attempt from an earlier run may have run out of time, and
    saving an answer to it gets HTTP 409.
    """
    from courses.quizzes.models import Attempt
    from ppdb.models import Application

    deleted, _by_model = Application.objects.filter(
        period_id=plan["open_period"]
    ).delete()
    print(f"deleted {deleted} rows of earlier registrations")  # noqa: T201
    deleted, _by_model = Attempt.objects.filter(quiz_id=plan["quiz"]).delete()
    print(f"deleted {deleted} rows of earlier quiz attempts")  # noqa: T201


def build(options):
    from django.core.management import call_command
    from tqdm import tqdm

    call_command("demo_data", skip=["ppdb"], verbosity=0)
    call_command("library_generate", count=options.library_items, seed=7)
    plan = {}
    plan.update(build_courses(options.students, tqdm))
    plan.update(build_admission(options.parents, options.applications, tqdm))
    plan["library_queries"] = [
        "pendidikan",
        "matematika",
        "lingkungan hidup",
        "siswa sekolah dasar",
        "climate change",
        "teaching method",
        "sejarah depok",
        "air bersih",
    ]
    return plan


def build_courses(student_count, tqdm):
    """Build one course with lessons, a quiz and an open live class."""
    from courses.quizzes.models import Question
    from live.models import LiveSession
    from tests.benchmarks.helpers import log_in
    from tests.factories import (
        make_course,
        make_course_index,
        make_lesson,
        make_school,
        make_student,
        make_teacher,
    )
    from tests.quizzes.helpers import make_question, make_quiz

    school = make_school(name="SMP Negeri Beban Uji", npsn="29999001")
    teacher = make_teacher(school, username="guru.beban", password=None)
    course = make_course(make_course_index(school), teachers=[teacher], title="IPA 8")
    lessons = [
        make_lesson(course, title=f"Pelajaran {number}", text="Fotosintesis " * 200)
        for number in range(1, 6)
    ]
    questions = [
        make_question(
            course,
            Question.Kind.NUMERIC,
            f"{number} + {number} = ?",
            number=Decimal(2 * number),
        )
        for number in range(10)
    ]
    quiz = make_quiz(course, questions, time_limit_minutes=120)
    now = datetime.datetime.now(datetime.UTC)
    live = LiveSession.objects.create(
        course_id=course.pk,
        teacher=teacher,
        title="Kelas langsung beban uji",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=4),
    )
    live.open(by=teacher)
    students = []
    for _number in tqdm(range(student_count), desc="students", leave=False):
        # No password: the scenario logs people in by session, and hashing
        # hundreds of passwords would take minutes.
        student = make_student(school, password=None)
        course.enrol(student, "manual")
        students.append(log_in(student))
    return {
        "lessons": [urlparse(lesson.get_url()).path for lesson in lessons],
        "quiz": quiz.pk,
        "live_session": live.pk,
        "teacher_session": log_in(teacher),
        "students": students,
    }


def build_admission(parent_count, application_count, tqdm):
    """
    Build two admission periods: one announced, one open for registration.

    The announced period has ``application_count`` verified applications
    and a published selection run, for the public ranking pages.
    """
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from lms.models import Kelurahan, School
    from ppdb.models import (
        AdmissionPeriod,
        Application,
        ApplicationChoice,
        PeriodSchool,
        Stage,
    )
    from ppdb.selection.runs import execute_run, publish_run, start_run
    from tests.benchmarks.helpers import log_in
    from tests.ppdb.factories import next_academic_year

    rules = (Path(settings.BASE_DIR) / "ppdb/rules/depok-smp-2025.toml").read_text()
    schools = list(School.objects.filter(level="SMP", latitude__isnull=False)[:10])
    kelurahan = list(
        Kelurahan.objects.filter(code__startswith=f"{settings.CITY_REGION_CODE}.")
        .order_by("code")
        .values_list("code", flat=True)
    )
    now = datetime.datetime.now(datetime.UTC)
    day = datetime.timedelta(days=1)
    admin = get_user_model().objects.create_user(
        "dinas.beban", password=None, is_city_admin=True
    )

    def period(name, stages):
        made = AdmissionPeriod.objects.create(
            name=name,
            level="SMP",
            academic_year=next_academic_year(),
            is_published=True,
            rules_toml=rules,
        )
        for kind, opens, closes in stages:
            Stage.objects.create(
                period=made, kind=kind, opens_at=opens, closes_at=closes
            )
        for school in schools:
            PeriodSchool.objects.create(period=made, school=school, capacity=320)
        return made

    announced = period(
        "PPDB SMP beban uji (diumumkan)",
        [
            (Stage.Kind.REGISTRATION, now - 20 * day, now - 15 * day),
            (Stage.Kind.VERIFICATION, now - 15 * day, now - 10 * day),
            (Stage.Kind.ANNOUNCEMENT, now - 9 * day, now + 5 * day),
            (Stage.Kind.REREGISTRATION, now + 6 * day, now + 9 * day),
        ],
    )
    open_period = period(
        "PPDB SMP beban uji (pendaftaran)",
        [
            (Stage.Kind.REGISTRATION, now - day, now + 5 * day),
            (Stage.Kind.VERIFICATION, now + 6 * day, now + 9 * day),
        ],
    )
    parent = get_user_model().objects.create_user("ortu.beban", password=None)
    period_schools = list(announced.schools.all())
    applications = []
    for number in tqdm(range(application_count), desc="applications", leave=False):
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=number % 700)
        applications.append(
            Application(
                period=announced,
                parent=parent,
                registration_number=f"SMP-BEBAN-{number:06d}",
                submission_token=f"beban-{number}",
                status=Application.Status.VERIFIED,
                track="domisili",
                full_name=f"Anak Beban {number}",
                nik=f"327601{birth:%d%m%y}{number % 10000:04d}",
                nisn=f"{number:010d}",
                birth_place="Depok",
                birth_date=birth,
                sex="L",
                kk_number=f"327601{number:010d}",
                kk_issued_on=datetime.date(2020, 1, 1),
                address="Jl. Uji Beban",
                kelurahan_code=kelurahan[number % len(kelurahan)],
                latitude=Decimal("-6.40") + Decimal(number % 90) / 1000,
                longitude=Decimal("106.80") + Decimal(number % 70) / 1000,
                consent_version="beban",
                consented_at=now - 18 * day,
                submitted_at=now - 18 * day,
                verified_at=now - 12 * day,
            )
        )
    Application.objects.bulk_create(applications, batch_size=1000)
    choices = []
    for number, application in enumerate(
        Application.objects.filter(period=announced).order_by("pk")
    ):
        for rank in range(3):
            school = period_schools[(number + rank) % len(period_schools)]
            choices.append(
                ApplicationChoice(
                    application=application,
                    rank=rank + 1,
                    period_school=school,
                    distance_m=500 + (number * 37 + rank * 101) % 6000,
                )
            )
    ApplicationChoice.objects.bulk_create(choices, batch_size=2000)
    run = start_run(announced, admin, dry_run=False, now=now - 12 * day, execute=False)
    execute_run(run.pk)
    run.refresh_from_db()
    publish_run(run, admin, now=now - 8 * day)

    parents = []
    for number in tqdm(range(parent_count), desc="parents", leave=False):
        user = get_user_model().objects.create_user(
            f"ortu.beban.{number}", password=None
        )
        parents.append(log_in(user))
    return {
        "ranking_period": announced.pk,
        "ranking_programs": [
            [school.school.npsn, "domisili"] for school in period_schools
        ],
        "open_period": open_period.pk,
        "open_period_schools": list(open_period.schools.values_list("pk", flat=True)),
        "kelurahan": kelurahan[:20],
        "parents": parents,
    }


if __name__ == "__main__":
    sys.exit(main())
