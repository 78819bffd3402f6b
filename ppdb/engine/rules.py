"""
The rule set of one admission period, read from TOML.

Every rule that differs between cities or years lives here as data: track
shares and sort orders, the mechanism, age and family card (KK) rules, the
catchment and the spillover routes of unused seats. ppdb/RULES.md documents
each key.
"""

import json
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .ages import AgeSpan, shift
from .errors import ProblemList, gettext_noop

TRACKS = (
    "domisili",
    "afirmasi_ekonomi",
    "afirmasi_disabilitas",
    "mutasi",
    "prestasi_akademik",
    "prestasi_nonakademik",
)
SORT_KEYS = ("age_band", "distance", "birth_date", "submitted_at", "score")
MECHANISMS = ("single", "deferred_acceptance", "choice_first")
ROUNDINGS = ("floor", "half_up")
LEVELS = ("TK", "SD", "SMP", "SMA", "SMK")
MAX_CHOICES = 3

_SPAN = re.compile(r"^(?:(\d+)y)?(?:(\d+)m)?$")


@dataclass(frozen=True)
class TrackRule:
    name: str
    share: Decimal
    order: tuple


@dataclass(frozen=True)
class AgeRule:
    minimum: AgeSpan | None = None
    minimum_with_recommendation: AgeSpan | None = None
    maximum: AgeSpan | None = None
    # "completed": a maximum of 15y admits a child of 15 years 11 months.
    # "exact": it admits a child of exactly 15 years and no day older.
    maximum_reading: str = "completed"
    bands: tuple = ()


@dataclass(frozen=True)
class FamilyCardRule:
    tracks: tuple = ()
    kind: str = "none"
    years: int = 1
    registration_opens_on: date | None = None
    issued_on_or_before: date | None = None

    def latest_issue_date(self):
        """Return the last KK issue date the rule accepts, or ``None``."""
        if self.kind == "issued_on_or_before":
            return self.issued_on_or_before
        if self.kind == "years_before_opening":
            return shift(self.registration_opens_on, years=-self.years)
        return None


@dataclass(frozen=True)
class SchoolCatchment:
    radius_m: int | None = None
    kelurahan: frozenset = frozenset()


@dataclass(frozen=True)
class CatchmentRule:
    tracks: tuple = ()
    kind: str = "none"
    radius_m: int | None = None
    schools: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SpilloverRoute:
    source: str
    target: str


@dataclass(frozen=True)
class RuleSet:
    name: str
    level: str
    reference_date: date
    timezone: str
    mechanism: str
    choices: int
    rounding: str
    remainder: str
    tracks: dict
    age: AgeRule
    family_card: FamilyCardRule
    catchment: CatchmentRule
    spillover: tuple

    def allocation_order(self):
        """
        Return the configured tracks, each before the track its seats go to.

        Unused seats can only move once the donor track is allocated, so a
        receiving track must come after every track that spills into it.
        """
        targets = {route.source: route.target for route in self.spillover}
        remaining = [name for name in TRACKS if name in self.tracks]
        order = []
        while remaining:
            for name in remaining:
                feeders = [s for s, t in targets.items() if t == name]
                if all(feeder in order for feeder in feeders):
                    order.append(name)
                    remaining.remove(name)
                    break
        return tuple(order)

    def canonical_json(self):
        """Return the rule set as JSON with sorted keys, for the input hash."""
        return json.dumps(self, default=_to_json, sort_keys=True)


def _to_json(value):
    if isinstance(value, Decimal):
        # 0.45 and 0.450 are the same share.
        return format(value.normalize(), "f")
    if isinstance(value, (date, AgeSpan)):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if hasattr(value, "__dataclass_fields__"):
        return {name: getattr(value, name) for name in value.__dataclass_fields__}
    raise TypeError(f"cannot serialise {type(value).__name__}")


TOP_LEVEL_KEYS = {
    "name",
    "level",
    "reference_date",
    "timezone",
    "selection",
    "seats",
    "tracks",
    "age",
    "family_card",
    "catchment",
    "spillover",
}


def load_rules(path):
    """Read and validate the rule set in the TOML file at ``path``."""
    with open(path, "rb") as file:
        data = file.read()
    return parse_rules(data, source=str(path))


def parse_rules(data, source="rules"):
    """Validate the TOML ``data`` (bytes or str) and return a ``RuleSet``."""
    problems = ProblemList(source)
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        # Shares are read as Decimal: a float 0.29 × 100 floors to 28.
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        problems.add(
            None,
            "invalid_toml",
            gettext_noop("The file is not valid TOML: %(error)s."),
            error=str(error),
        )
        problems.raise_if_any()
    reader = _Reader(document, problems)
    rules = reader.rule_set()
    problems.raise_if_any()
    return rules


class _Reader:
    """Read the sections of a TOML document, recording each invalid value."""

    def __init__(self, document, problems):
        self.document = document
        self.problems = problems

    def error(self, code, template, **params):
        self.problems.add(None, code, template, **params)

    def value(self, table, key, path, types, default=..., choices=None):
        if key not in table:
            if default is ...:
                self.error(
                    "missing_key",
                    gettext_noop("The key %(key)s is missing."),
                    key=path,
                )
            return None if default is ... else default
        value = table[key]
        if not isinstance(value, types) or isinstance(value, bool) != (types is bool):
            self.error(
                "invalid_value",
                gettext_noop("The value of %(key)s has the wrong type: %(value)s."),
                key=path,
                value=repr(value),
            )
            return None
        if choices is not None and value not in choices:
            self.error(
                "invalid_choice",
                gettext_noop("%(key)s is %(value)s, expected one of: %(choices)s."),
                key=path,
                value=repr(value),
                choices=", ".join(choices),
            )
            return None
        return value

    def unknown_keys(self, table, allowed, path):
        for key in sorted(set(table) - set(allowed)):
            self.error(
                "unknown_key",
                gettext_noop("Unknown key %(key)s; check its spelling."),
                key=f"{path}{key}",
            )

    def table(self, key):
        table = self.document.get(key, {})
        if not isinstance(table, dict):
            self.error(
                "invalid_value",
                gettext_noop("The value of %(key)s has the wrong type: %(value)s."),
                key=key,
                value=repr(table),
            )
            return {}
        return table

    def span(self, table, key, path):
        text = self.value(table, key, path, str, default=None)
        if text is None:
            return None
        match = _SPAN.match(text)
        if not text or not match:
            self.error(
                "invalid_age",
                gettext_noop(
                    "%(key)s is %(value)s; write an age as years and months, "
                    'for example "5y6m" or "15y".'
                ),
                key=path,
                value=repr(text),
            )
            return None
        years, months = (int(part or 0) for part in match.groups())
        if months >= 12:
            self.error(
                "invalid_age",
                gettext_noop(
                    "%(key)s is %(value)s; write an age as years and months, "
                    'for example "5y6m" or "15y".'
                ),
                key=path,
                value=repr(text),
            )
            return None
        return AgeSpan(years, months)

    def rule_set(self):
        document = self.document
        self.unknown_keys(document, TOP_LEVEL_KEYS, "")
        timezone = self.value(document, "timezone", "timezone", str)
        if timezone is not None:
            try:
                zoneinfo.ZoneInfo(timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                self.error(
                    "unknown_timezone",
                    gettext_noop("Unknown time zone %(value)s."),
                    value=repr(timezone),
                )
        selection = self.table("selection")
        self.unknown_keys(selection, {"mechanism", "choices"}, "selection.")
        seats = self.table("seats")
        self.unknown_keys(seats, {"rounding", "remainder"}, "seats.")
        tracks = self.tracks()
        rules = RuleSet(
            name=self.value(document, "name", "name", str),
            level=self.value(document, "level", "level", str, choices=LEVELS),
            reference_date=self.value(
                document, "reference_date", "reference_date", date
            ),
            timezone=timezone,
            mechanism=self.value(
                selection,
                "mechanism",
                "selection.mechanism",
                str,
                choices=MECHANISMS,
            ),
            choices=self.value(selection, "choices", "selection.choices", int),
            rounding=self.value(
                seats, "rounding", "seats.rounding", str, "floor", ROUNDINGS
            ),
            remainder=self.value(
                seats, "remainder", "seats.remainder", str, choices=tuple(tracks)
            ),
            tracks=tracks,
            age=self.age(),
            family_card=self.family_card(tracks),
            catchment=self.catchment(tracks),
            spillover=self.spillover(tracks),
        )
        self.check_selection(rules)
        return rules

    def check_selection(self, rules):
        if rules.choices is not None and not 1 <= rules.choices <= MAX_CHOICES:
            self.error(
                "invalid_choices",
                gettext_noop(
                    "selection.choices is %(value)s; a period allows 1 to "
                    "%(max)s choices."
                ),
                value=rules.choices,
                max=MAX_CHOICES,
            )
        if rules.mechanism == "single" and rules.choices not in (None, 1):
            self.error(
                "single_needs_one_choice",
                gettext_noop(
                    'The mechanism "single" takes one choice, but '
                    "selection.choices is %(value)s."
                ),
                value=rules.choices,
            )
        uses_bands = any("age_band" in t.order for t in rules.tracks.values())
        if uses_bands and not rules.age.bands:
            self.error(
                "age_bands_missing",
                gettext_noop('A sort order uses "age_band" but age.bands is empty.'),
            )

    def tracks(self):
        table = self.table("tracks")
        self.unknown_keys(table, TRACKS, "tracks.")
        tracks = {}
        total = Decimal(0)
        for name in TRACKS:
            if name not in table:
                continue
            entry = table[name]
            path = f"tracks.{name}"
            if not isinstance(entry, dict):
                self.error(
                    "invalid_value",
                    gettext_noop("The value of %(key)s has the wrong type: %(value)s."),
                    key=path,
                    value=repr(entry),
                )
                continue
            self.unknown_keys(entry, {"share", "order"}, f"{path}.")
            share = self.value(entry, "share", f"{path}.share", (Decimal, int))
            order = self.value(entry, "order", f"{path}.order", list)
            if share is not None:
                share = Decimal(share)
                if not 0 <= share <= 1:
                    self.error(
                        "invalid_share",
                        gettext_noop(
                            "%(key)s is %(value)s; a share lies between 0 and 1."
                        ),
                        key=f"{path}.share",
                        value=share,
                    )
                total += share
            order = tuple(order or ())
            for key in order:
                if key not in SORT_KEYS:
                    self.error(
                        "invalid_choice",
                        gettext_noop(
                            "%(key)s is %(value)s, expected one of: %(choices)s."
                        ),
                        key=f"{path}.order",
                        value=repr(key),
                        choices=", ".join(SORT_KEYS),
                    )
            if len(set(order)) != len(order):
                self.error(
                    "repeated_sort_key",
                    gettext_noop("%(key)s names a sort key twice."),
                    key=f"{path}.order",
                )
            tracks[name] = TrackRule(name, share, order)
        if not tracks:
            self.error("no_tracks", gettext_noop("The rule set defines no track."))
        if total > 1:
            self.error(
                "shares_over_one",
                gettext_noop("The track shares add up to %(total)s, more than 1."),
                total=total,
            )
        return tracks

    def age(self):
        table = self.table("age")
        allowed = {
            "minimum",
            "minimum_with_recommendation",
            "maximum",
            "maximum_reading",
            "bands",
        }
        self.unknown_keys(table, allowed, "age.")
        bands = []
        for index, text in enumerate(
            self.value(table, "bands", "age.bands", list, []) or []
        ):
            span = self.span({"band": text}, "band", f"age.bands[{index}]")
            if span is not None:
                bands.append(span)
        if bands != sorted(bands, key=lambda s: (s.years, s.months), reverse=True):
            self.error(
                "bands_not_descending",
                gettext_noop("age.bands must list ages from the oldest down."),
            )
        return AgeRule(
            minimum=self.span(table, "minimum", "age.minimum"),
            minimum_with_recommendation=self.span(
                table, "minimum_with_recommendation", "age.minimum_with_recommendation"
            ),
            maximum=self.span(table, "maximum", "age.maximum"),
            maximum_reading=self.value(
                table,
                "maximum_reading",
                "age.maximum_reading",
                str,
                "completed",
                ("completed", "exact"),
            ),
            bands=tuple(bands),
        )

    def track_list(self, table, path, tracks):
        names = self.value(table, "tracks", path, list, []) or []
        for name in names:
            if name not in tracks:
                self.error(
                    "unknown_track",
                    gettext_noop(
                        "%(key)s names %(value)s, which is not a track of this "
                        "rule set."
                    ),
                    key=path,
                    value=repr(name),
                )
        return tuple(names)

    def family_card(self, tracks):
        table = self.table("family_card")
        allowed = {"tracks", "rule", "years", "registration_opens_on", "date"}
        self.unknown_keys(table, allowed, "family_card.")
        kinds = ("none", "years_before_opening", "issued_on_or_before")
        kind = self.value(table, "rule", "family_card.rule", str, "none", kinds)
        rule = FamilyCardRule(
            tracks=self.track_list(table, "family_card.tracks", tracks),
            kind=kind,
            years=self.value(table, "years", "family_card.years", int, 1),
            registration_opens_on=self.value(
                table,
                "registration_opens_on",
                "family_card.registration_opens_on",
                date,
                None if kind != "years_before_opening" else ...,
            ),
            issued_on_or_before=self.value(
                table,
                "date",
                "family_card.date",
                date,
                None if kind != "issued_on_or_before" else ...,
            ),
        )
        return rule

    def catchment(self, tracks):
        table = self.table("catchment")
        self.unknown_keys(
            table, {"tracks", "kind", "radius_m", "schools"}, "catchment."
        )
        kind = self.value(
            table,
            "kind",
            "catchment.kind",
            str,
            "none",
            ("none", "radius", "kelurahan"),
        )
        radius = self.value(table, "radius_m", "catchment.radius_m", int, None)
        schools = {}
        school_table = self.value(table, "schools", "catchment.schools", dict, {})
        for npsn, entry in sorted((school_table or {}).items()):
            path = f"catchment.schools.{npsn}"
            if not isinstance(entry, dict):
                self.error(
                    "invalid_value",
                    gettext_noop("The value of %(key)s has the wrong type: %(value)s."),
                    key=path,
                    value=repr(entry),
                )
                continue
            self.unknown_keys(entry, {"radius_m", "kelurahan"}, f"{path}.")
            codes = self.value(entry, "kelurahan", f"{path}.kelurahan", list, [])
            schools[npsn] = SchoolCatchment(
                radius_m=self.value(entry, "radius_m", f"{path}.radius_m", int, None),
                kelurahan=frozenset(str(code) for code in codes or ()),
            )
        if kind == "radius" and radius is None:
            missing = [npsn for npsn, c in schools.items() if c.radius_m is None]
            if missing or not schools:
                self.error(
                    "missing_key",
                    gettext_noop("The key %(key)s is missing."),
                    key="catchment.radius_m",
                )
        return CatchmentRule(
            tracks=self.track_list(table, "catchment.tracks", tracks),
            kind=kind,
            radius_m=radius,
            schools=schools,
        )

    def spillover(self, tracks):
        routes = self.document.get("spillover", [])
        if not isinstance(routes, list):
            self.error(
                "invalid_value",
                gettext_noop("The value of %(key)s has the wrong type: %(value)s."),
                key="spillover",
                value=repr(routes),
            )
            return ()
        result = []
        sources = set()
        for index, entry in enumerate(routes):
            path = f"spillover[{index}]"
            if not isinstance(entry, dict):
                self.error(
                    "invalid_value",
                    gettext_noop("The value of %(key)s has the wrong type: %(value)s."),
                    key=path,
                    value=repr(entry),
                )
                continue
            self.unknown_keys(entry, {"from", "to"}, f"{path}.")
            source = self.value(
                entry, "from", f"{path}.from", str, choices=tuple(tracks)
            )
            target = self.value(entry, "to", f"{path}.to", str, choices=tuple(tracks))
            if source is None or target is None:
                continue
            if source == target or source in sources:
                self.error(
                    "invalid_route",
                    gettext_noop(
                        "%(key)s: each track sends its unused seats to one other track."
                    ),
                    key=path,
                )
                continue
            sources.add(source)
            result.append(SpilloverRoute(source, target))
        if _has_cycle(result):
            self.error(
                "route_cycle",
                gettext_noop("The spillover routes form a cycle."),
            )
        return tuple(result)


def _has_cycle(routes):
    targets = {route.source: route.target for route in routes}
    for start in targets:
        seen = {start}
        current = targets.get(start)
        while current is not None:
            if current in seen:
                return True
            seen.add(current)
            current = targets.get(current)
    return False
