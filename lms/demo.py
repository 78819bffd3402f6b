"""
The demo city that ``manage.py demo_data`` builds, passed to each app.

The core builds people, schools and the school year. It then hands this
``DemoWorld`` to the ``build(world, stdout)`` function of each app's
``demo`` module in turn (courses, library, live, ppdb). So every app adds
its own demo content without reaching into another app's models. Each
``build`` must be safe to run twice, so it looks things up before creating
them.
"""

from dataclasses import dataclass, field


@dataclass
class DemoWorld:
    home: object  # lms.models.HomePage, the site's root page
    year: object  # the current lms.models.AcademicYear
    semester: object  # the current lms.models.Semester
    city_admin: object
    schools: list = field(default_factory=list)  # lms.models.School
    # Per school NPSN: lists of users in each role, and the class groups.
    teachers: dict = field(default_factory=dict)
    students: dict = field(default_factory=dict)
    operators: dict = field(default_factory=dict)
    librarians: dict = field(default_factory=dict)
    class_groups: dict = field(default_factory=dict)
    parents: list = field(default_factory=list)
    # Demo accounts to print at the end: (role, username, password, note).
    accounts: list = field(default_factory=list)
