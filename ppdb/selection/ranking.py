"""
Public ranking lists per school and track, rendered once per run.

A list shows every eligible applicant who chose the school in the track,
in the run's order, with the sort keys that decided it. It never shows a
NIK, NISN, address or home location, and names only in the period's
``public_name_format``. The keys come from the run's snapshot, so a list
shows what the run used even if an application changed afterwards.

Pages are rendered for all schools and tracks of a run at once, per
language, and kept in the cache (see ``cache``). The CSRF token of the
language switch is the only part that differs per request: the rendered
page carries a placeholder that the view replaces.
"""

import csv
import datetime
import io
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..engine.geo import Point, distance_m
from ..engine.rules import parse_rules
from ..models import SelectionChoiceResult, SelectionRun
from . import cache as ranking_cache
from .explanations import CHOICE_OUTCOMES, track_label
from .names import public_name
from .snapshot import Snapshot

CSRF_PLACEHOLDER = "csrf-token-placeholder-7f3c"
# Indentation and blank lines between tags, which make up about half of a
# long list. A run of white space that contains a line break shows as one
# space in HTML, so one line break keeps the page the same.
LINE_BREAK_RUN = re.compile(r"\s*\n\s*")
INDEX_PAGE = "index"
# Stored with a run's pages: the names of the pages that exist, so that a
# request for any other name is a 404 without rendering anything.
PAGE_NAMES = "page-names"


# The column a ranking list shows for each sort key. Birth dates show as
# the age on the reference date, which orders the same way.
KEY_COLUMNS = {
    "distance": "distance",
    "birth_date": "age",
    "age_band": "age",
    "score": "score",
    "submitted_at": "submitted_at",
}


def columns_of(order):
    """Return the key columns of a track's ``order``, each once."""
    columns = []
    for key in order:
        column = KEY_COLUMNS[key]
        if column not in columns:
            columns.append(column)
    return columns


def program_page(npsn, track):
    return f"{npsn}-{track}"


@dataclass
class RankingRow:
    rank: int
    registration_number: str
    name: str
    choice_rank: int
    outcome: str
    outcome_label: str
    keys: dict


@dataclass
class Program:
    npsn: str
    school_name: str
    track: str
    track_label: str
    seats: int
    initial_seats: int
    accepted: int
    applicants: int
    rows: list = field(default_factory=list)


def _age(birth_date, reference_date):
    months = (reference_date.year - birth_date.year) * 12 + (
        reference_date.month - birth_date.month
    )
    if reference_date.day < birth_date.day:
        months -= 1
    return divmod(months, 12)


def _programs(run, schools):
    programs = {}
    for entry in run.summary.get("programs", []):
        programs[entry["npsn"], entry["track"]] = Program(
            npsn=entry["npsn"],
            school_name=schools[entry["npsn"]]["name"],
            track=entry["track"],
            track_label=str(track_label(entry["track"])),
            seats=entry["seats"],
            initial_seats=entry["initial_seats"],
            accepted=entry["accepted"],
            applicants=entry["applicants"],
        )
    return programs


def _sort_keys(applicant, school_point, reference_date):
    """Return the values a list shows for one applicant at one school."""
    home = Point(float(applicant["latitude"]), float(applicant["longitude"]))
    birth_date = datetime.date.fromisoformat(applicant["birth_date"])
    return {
        "distance": distance_m(home, school_point),
        "age": _age(birth_date, reference_date),
        "score": applicant["score"],
        "submitted_at": datetime.datetime.fromisoformat(applicant["submitted_at"]),
    }


def build_programs(run):
    """Return the run's rules and its ``Program`` lists, rows in rank order."""
    rules = parse_rules(run.rules_toml)
    snapshot = Snapshot.from_zip(run.snapshot.read())
    run.snapshot.close()
    schools = {
        row["npsn"]: row for row in csv.DictReader(io.StringIO(snapshot.schools_csv))
    }
    applicants = {
        row["registration_number"]: row
        for row in csv.DictReader(io.StringIO(snapshot.applicants_csv))
    }
    points = {
        npsn: Point(float(row["latitude"]), float(row["longitude"]))
        for npsn, row in schools.items()
    }
    programs = _programs(run, schools)
    name_format = run.period.public_name_format

    results = (
        SelectionChoiceResult.objects.filter(run=run, rank__isnull=False)
        .order_by("rank")
        .values_list(
            "application__registration_number",
            "choice_rank",
            "period_school__school__npsn",
            "outcome",
            "rank",
        )
    )
    for number, choice_rank, npsn, outcome, rank in results.iterator():
        applicant = applicants[number]
        program = programs.get((npsn, applicant["track"]))
        if program is None:
            continue
        program.rows.append(
            RankingRow(
                rank=rank,
                registration_number=number,
                name=public_name(applicant["name"], name_format),
                choice_rank=choice_rank,
                outcome="below_cutoff"
                if outcome.startswith("below_cutoff")
                else outcome,
                outcome_label="",
                keys=_sort_keys(applicant, points[npsn], rules.reference_date),
            )
        )
    return rules, list(programs.values())


def rows_html(program, columns):
    """
    Return the ``<tr>`` rows of one list as HTML.

    Written in Python rather than a template loop: a run of 20,000
    applicants has 60,000 rows, which the template engine took over a
    minute to render on the development machine. Text from applications
    (registration numbers, names) is escaped here.
    """
    age_text = _("%(years)s y %(months)s m")
    zone = timezone.get_current_timezone()
    lines = []
    for row in program.rows:
        cells = [
            f'<td class="number">{row.rank}</td>',
            f"<td>{escape(row.registration_number)}</td>",
            f"<td>{escape(row.name)}</td>",
            f'<td class="number">{row.choice_rank}</td>',
        ]
        for column in columns:
            if column == "distance":
                cells.append(f'<td class="number">{row.keys["distance"]}</td>')
            elif column == "age":
                years, months = row.keys["age"]
                text = age_text % {"years": years, "months": months}
                cells.append(f"<td>{escape(text)}</td>")
            elif column == "score":
                cells.append(f'<td class="number">{escape(row.keys["score"])}</td>')
            else:
                moment = row.keys["submitted_at"].astimezone(zone)
                cells.append(f"<td>{moment:%Y-%m-%d %H:%M:%S}</td>")
        cells.append(f"<td>{escape(row.outcome_label)}</td>")
        lines.append(f'<tr class="outcome-{escape(row.outcome)}">{"".join(cells)}</tr>')
    return mark_safe("\n".join(lines))  # noqa: S308 (each value escaped above)


def render_pages(run, language, built=None):
    """
    Return ``{page name: html}`` of every ranking page of ``run``.

    ``built`` is what ``build_programs(run)`` returns, when the caller has
    it already.
    """
    rules, programs = built or build_programs(run)
    period = run.period
    pages = {}
    with translation.override(language):
        common = {
            "period": period,
            "run": run,
            "is_provisional": not run.is_official,
            "csrf_token": CSRF_PLACEHOLDER,
            "LANGUAGE_CODE": language,
            "SITE_NAME": settings.WAGTAIL_SITE_NAME,
            "CITY_NAME": settings.CITY_NAME,
        }
        index_url = reverse("ppdb:ranking", args=(period.pk,))
        labels = {code: str(label) for code, label in CHOICE_OUTCOMES.items()}
        for program in programs:
            for row in program.rows:
                row.outcome_label = labels.get(row.outcome, row.outcome)
            columns = columns_of(rules.tracks[program.track].order)
            url = reverse(
                "ppdb:ranking_program", args=(period.pk, program.npsn, program.track)
            )
            pages[program_page(program.npsn, program.track)] = render_to_string(
                "ppdb/results/ranking_program.html",
                {
                    **common,
                    "program": program,
                    "columns": columns,
                    "rows_html": rows_html(program, columns),
                    "page_url": url,
                    "index_url": index_url,
                },
            )
        pages[INDEX_PAGE] = render_to_string(
            "ppdb/results/ranking_index.html",
            {**common, "programs": programs, "page_url": index_url},
        )
    return {name: LINE_BREAK_RUN.sub("\n", html) for name, html in pages.items()}


class _RecentPages:
    """
    The most recently served pages, kept in this process.

    The pages of a page set never change, so a copy here is never stale.
    Serving it saves a round trip to the shared cache and unpickling.
    """

    def __init__(self, size=256):
        self.size = size
        self.pages = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            html = self.pages.get(key)
            if html is not None:
                self.pages.move_to_end(key)
            return html

    def put(self, key, html):
        with self.lock:
            self.pages[key] = html
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()


recent_pages = _RecentPages()


def warm_pages(run):
    """
    Render and cache every ranking page of ``run`` in every language.

    Called when a run that the public may see finishes or is published, so
    that no request waits for the rendering.
    """
    built = build_programs(run)
    for language, _name in settings.LANGUAGES:
        pages = render_pages(run, language, built)
        _store_pages(run, language, pages)


def _store_pages(run, language, pages):
    name = ranking_cache.page_set(run)
    ranking_cache.set_pages(name, language, {**pages, PAGE_NAMES: set(pages)})
    for page, html in pages.items():
        recent_pages.put((name, language, page), html)


def page_html(name, language, page):
    """
    Return the html of one page of the page set ``name`` (see ``cache``).

    On a miss, render the run's pages once and cache them. Return ``None``
    when the run has no such page.
    """
    key = (name, language, page)
    html = recent_pages.get(key)
    if html is not None:
        return html
    html = ranking_cache.get_page(name, language, page)
    if html is not None:
        recent_pages.put(key, html)
        return html
    names = ranking_cache.get_page(name, language, PAGE_NAMES)
    if names is not None and page not in names:
        return None
    run_id = int(name.partition("-")[0])
    run = SelectionRun.objects.select_related("period").get(pk=run_id)
    # NOTE: concurrent first requests for a run each render its pages. The
    # extra work is bounded by the requests that arrive during one render.
    pages = render_pages(run, language)
    _store_pages(run, language, pages)
    return pages.get(page)
