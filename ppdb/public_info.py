"""
What the public admission pages show of a period: seats, catchment, rules.

Seats come from the engine's ``compute_seats``, the same computation a
selection run uses, with the latest ``SeatOverride`` of each school and
track applied. The rule set is described in plain sentences built from the
parsed ``RuleSet``, so the page always says what the engine will do.
"""

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.models import Kelurahan

from .engine import InputError
from .engine.inputs import School as EngineSchool
from .engine.seats import compute_seats
from .messages import describe
from .models import TRACK_CHOICES, PeriodSchool, SeatOverride
from .registration.checks import Rules
from .registration.documents import COMMON_REQUIREMENTS, TRACK_REQUIREMENTS

TRACK_LABELS = dict(TRACK_CHOICES)
# Seconds a period's seat and catchment tables stay cached. The cache key
# changes with the schools, capacities and overrides, so this only bounds
# how long an entry nobody reads takes up room.
CACHE_SECONDS = 600


def track_label(track):
    return str(TRACK_LABELS.get(track, track))


def kelurahan_code(engine_code):
    """Return ``3276011001`` written as the region code ``32.76.01.1001``."""
    code = str(engine_code)
    if len(code) != 10 or not code.isdigit():
        return code
    return f"{code[0:2]}.{code[2:4]}.{code[4:6]}.{code[6:10]}"


def period_tables(period):
    """
    Return the seat and catchment tables of ``period``, cached.

    The cache key holds a stamp of the period's schools, capacities and
    seat overrides, so a change shows at the next request.
    """
    stamp = PeriodSchool.objects.filter(period=period).aggregate(
        schools=Count("pk", distinct=True),
        capacity=Sum("capacity"),
        last_school=Max("pk"),
        last_override=Max("seat_overrides__pk"),
    )
    key = "ppdb:public-tables:{}:{}:{}".format(
        period.pk,
        period.updated_at.timestamp(),
        ":".join(str(stamp[name]) for name in sorted(stamp)),
    )
    tables = cache.get(key)
    if tables is None:
        tables = build_tables(period)
        cache.set(key, tables, CACHE_SECONDS)
    return tables


def latest_overrides(period_schools):
    """Return ``{(period_school_id, track): seats}`` of the overrides in force."""
    overrides = {}
    rows = SeatOverride.objects.filter(period_school__in=period_schools).order_by(
        "period_school", "track", "-set_at", "-pk"
    )
    for row in rows.values("period_school_id", "track", "seats"):
        overrides.setdefault((row["period_school_id"], row["track"]), row["seats"])
    return overrides


def build_tables(period):
    """Compute the seat and catchment tables of ``period`` (plain data)."""
    rules = period.rule_set
    period_schools = list(
        PeriodSchool.objects.filter(period=period)
        .select_related("school")
        .order_by("school__name", "school__npsn")
    )
    overrides = latest_overrides(period_schools)
    tracks = list(rules.allocation_order())
    tracks.sort(key=[name for name, _label in TRACK_CHOICES].index)
    engine_schools = [
        EngineSchool(
            npsn=entry.school.npsn,
            name=entry.school.name,
            point=None,
            capacity=entry.capacity,
            seat_overrides={
                track: seats
                for (school_id, track), seats in overrides.items()
                if school_id == entry.pk
            },
            line=None,
        )
        for entry in period_schools
    ]
    problems = []
    try:
        seats = compute_seats(rules, engine_schools, source=period.name)
    except InputError as error:
        seats = {}
        # Kept as engine problems and translated when the page is drawn.
        problems = list(error.problems)
    rows = []
    for entry in period_schools:
        npsn = entry.school.npsn
        row_seats = [seats.get((npsn, track)) for track in tracks]
        rows.append(
            {
                "name": entry.school.name,
                "npsn": npsn,
                "address": entry.school.address,
                "capacity": entry.capacity,
                "seats": row_seats,
                "overridden": [(entry.pk, track) in overrides for track in tracks],
            }
        )
    return {
        "tracks": tracks,
        "rows": rows,
        "problems": problems,
        "catchment": catchment_rows(rules, period_schools),
    }


def catchment_rows(rules, period_schools):
    """Return each school's catchment: a radius in metres or kelurahan."""
    rule = rules.catchment
    if rule.kind == "none":
        return []
    wanted = {
        kelurahan_code(code)
        for entry in rule.schools.values()
        for code in entry.kelurahan
    }
    names = dict(Kelurahan.objects.filter(code__in=wanted).values_list("code", "name"))
    rows = []
    for entry in period_schools:
        school_rule = rule.schools.get(entry.school.npsn)
        row = {"name": entry.school.name, "npsn": entry.school.npsn}
        if rule.kind == "radius":
            radius = school_rule.radius_m if school_rule else None
            row["radius_m"] = radius or rule.radius_m
        else:
            codes = sorted(
                kelurahan_code(code)
                for code in (school_rule.kelurahan if school_rule else ())
            )
            row["kelurahan"] = [(code, names.get(code, "")) for code in codes]
        rows.append(row)
    return rows


def age_text(span):
    """Return an engine ``AgeSpan`` as words: "5 years 6 months"."""
    years = ngettext("%(count)d year", "%(count)d years", span.years) % {
        "count": span.years
    }
    if not span.months:
        return years
    months = ngettext("%(count)d month", "%(count)d months", span.months) % {
        "count": span.months
    }
    return _("%(years)s %(months)s") % {"years": years, "months": months}


def date_text(day):
    return formats.date_format(day, "j F Y")


SORT_KEY_TEXT = {
    "age_band": lambda: _("age group (older children first)"),
    "distance": lambda: _("distance from home to the school (nearest first)"),
    "birth_date": lambda: _("date of birth (older child first)"),
    "submitted_at": lambda: _("time of submission (earlier first)"),
    "score": lambda: _("score (highest first)"),
}


def _plain(value):
    """Return a Decimal without trailing zeros: 45.00 as 45, 2.50 as 2.5."""
    if value == value.to_integral_value():
        return value.quantize(1)
    return value.normalize()


def rule_sections(rules):
    """
    Describe the rule set in plain sentences, grouped under headings.

    Return a list of ``(heading, [sentence, ...])``.
    """
    return [
        (_("Tracks and seats"), track_sentences(rules)),
        (_("How schools choose"), mechanism_sentences(rules)),
        (_("Age"), age_sentences(rules)),
        (_("Family card (KK)"), family_card_sentences(rules)),
        (_("Catchment"), catchment_sentences(rules)),
        (_("Unused seats"), spillover_sentences(rules)),
    ]


def track_sentences(rules):
    sentences = []
    for name, track in rules.tracks.items():
        percent = formats.number_format(_plain(track.share * 100))
        order = ", ".join(SORT_KEY_TEXT[key]() for key in track.order)
        sentences.append(
            _(
                "%(track)s: %(percent)s%% of each school's capacity. Applicants "
                "are ranked by %(order)s, then by registration number."
            )
            % {"track": track_label(name), "percent": percent, "order": order}
        )
    if rules.rounding == "floor":
        rounding = _("rounded down")
    else:
        rounding = _("rounded to the nearest whole seat")
    sentences.append(
        _(
            "Each track gets its share of a school's capacity, %(rounding)s; "
            "the %(track)s track gets the seats left over, so the seats add "
            "up to the capacity."
        )
        % {"rounding": rounding, "track": track_label(rules.remainder)}
    )
    sentences.append(_("A child registers in one track only."))
    return sentences


def mechanism_sentences(rules):
    choices = ngettext(
        "You may choose %(count)d school.",
        "You may choose up to %(count)d schools, in order of preference.",
        rules.choices,
    ) % {"count": rules.choices}
    if rules.mechanism == "single":
        how = _(
            "Each school takes its best-ranked applicants up to its seats in "
            "each track."
        )
    elif rules.mechanism == "deferred_acceptance":
        how = _(
            "Every applicant is first considered at their first choice. When "
            "a school is full, the lowest-ranked applicants move on to their "
            "next choice, where they compete on the same terms as everyone "
            "who chose that school first. A child gets at most one seat, at "
            "the highest choice where they rank well enough."
        )
    else:
        how = _(
            "Every applicant is first considered at their first choice. A "
            "school ranks the applicants who chose it first before those who "
            "chose it second or third. A child gets at most one seat."
        )
    return [choices, how]


def age_sentences(rules):
    checker = Rules(rules)
    age = rules.age
    reference = date_text(rules.reference_date)
    sentences = [_("Ages are measured on %(date)s.") % {"date": reference}]
    if age.maximum is not None:
        limits = checker.limits("too_old")
        if age.maximum_reading == "completed":
            template = _(
                "At most %(age)s old, counted in completed years: a child born "
                "on or after %(date)s may apply."
            )
        else:
            template = _(
                "At most exactly %(age)s old: a child born on or after %(date)s "
                "may apply."
            )
        sentences.append(
            template
            % {
                "age": age_text(age.maximum),
                "date": date_text(limits["earliest_birth_date"]),
            }
        )
    if age.minimum is not None:
        latest = checker.eligibility.born_by_minimum
        sentences.append(
            _("At least %(age)s old: born on or before %(date)s.")
            % {"age": age_text(age.minimum), "date": date_text(latest)}
        )
    if age.minimum_with_recommendation is not None:
        latest = checker.eligibility.born_by_recommended
        sentences.append(
            _(
                "From %(age)s (born on or before %(date)s), a child may apply "
                "with a recommendation from a psychologist, or from the "
                "school's teachers' council where there is no psychologist."
            )
            % {
                "age": age_text(age.minimum_with_recommendation),
                "date": date_text(latest),
            }
        )
    if age.bands:
        bands = ", ".join(age_text(band) for band in age.bands)
        sentences.append(
            _("Older children come first, in age groups from: %(bands)s.")
            % {"bands": bands}
        )
    return sentences


def family_card_sentences(rules):
    rule = rules.family_card
    latest = rule.latest_issue_date()
    if latest is None or not rule.tracks:
        return [_("The issue date of the family card is not restricted.")]
    tracks = ", ".join(track_label(track) for track in rule.tracks)
    sentences = [
        _(
            "For %(tracks)s, the family card must have been issued on or "
            "before %(date)s."
        )
        % {"tracks": tracks, "date": date_text(latest)}
    ]
    sentences.append(
        _(
            "A card reissued later still counts when the change did not move "
            "the family (a birth, a death, a lost or damaged card): give the "
            "reason on the form. A move does not count."
        )
    )
    return sentences


def catchment_sentences(rules):
    rule = rules.catchment
    if rule.kind == "none" or not rule.tracks:
        return [_("Applicants compete on distance across the whole city.")]
    tracks = ", ".join(track_label(track) for track in rule.tracks)
    if rule.kind == "radius":
        return [
            _(
                "For %(tracks)s, a school takes only homes within its radius; "
                "the table of catchments lists each school's radius."
            )
            % {"tracks": tracks}
        ]
    return [
        _(
            "For %(tracks)s, a school takes only homes in its kelurahan; the "
            "table of catchments lists them."
        )
        % {"tracks": tracks}
    ]


def spillover_sentences(rules):
    if not rules.spillover:
        return [_("Seats a track does not use stay empty.")]
    return [
        _("Unused seats of %(from)s go to %(to)s at the same school.")
        % {"from": track_label(route.source), "to": track_label(route.target)}
        for route in rules.spillover
    ]


def document_rows(rules):
    """Return ``(track label, [[kind, ...], ...])`` for the offered tracks."""
    rows = []
    for name in rules.tracks:
        groups, _optional = TRACK_REQUIREMENTS[name]
        rows.append((name, track_label(name), list(COMMON_REQUIREMENTS) + list(groups)))
    return rows


def table_problems(tables):
    """Return the seat computation's problems as translated sentences."""
    return [describe(problem) for problem in tables["problems"]]
