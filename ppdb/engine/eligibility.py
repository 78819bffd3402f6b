"""Who may take part in a run, and at which of their chosen schools."""

from .ages import born_by, next_unit
from .errors import ProblemList, gettext_noop


class Eligibility:
    """The rule set's age, family card and score rules, for one run."""

    def __init__(self, rules):
        self.rules = rules
        age = rules.age
        reference = rules.reference_date
        self.born_by_minimum = age.minimum and born_by(reference, age.minimum)
        self.born_by_recommended = age.minimum_with_recommendation and born_by(
            reference, age.minimum_with_recommendation
        )
        self.maximum_reading = age.maximum_reading
        if age.maximum is None:
            self.born_after = self.born_on_or_after = None
        elif age.maximum_reading == "completed":
            # A maximum of 15 years admits a child up to the day before 16.
            self.born_after = born_by(reference, next_unit(age.maximum))
            self.born_on_or_after = None
        else:
            self.born_after = None
            self.born_on_or_after = born_by(reference, age.maximum)
        self.band_limits = [born_by(reference, band) for band in age.bands]
        self.kk_tracks = frozenset(rules.family_card.tracks)
        self.kk_latest = rules.family_card.latest_issue_date()
        self.score_tracks = frozenset(
            name for name, track in rules.tracks.items() if "score" in track.order
        )

    def reason(self, applicant):
        """Return the code of the reason ``applicant`` is ineligible, or None."""
        if not applicant.verified:
            return "not_verified"
        if applicant.track not in self.rules.tracks:
            return "track_not_offered"
        birth = applicant.birth_date
        if self.born_after is not None and birth <= self.born_after:
            return "too_old"
        if self.born_on_or_after is not None and birth < self.born_on_or_after:
            return "too_old"
        if self.born_by_minimum is not None and birth > self.born_by_minimum:
            recommended = self.born_by_recommended
            if recommended is None or birth > recommended:
                return "too_young"
            if not applicant.recommendation:
                return "recommendation_missing"
        if applicant.track in self.kk_tracks and self.kk_latest is not None:
            if applicant.kk_issued_on is None:
                return "kk_missing"
            if applicant.kk_issued_on > self.kk_latest:
                return "kk_too_new"
        if applicant.track in self.score_tracks and applicant.score is None:
            return "score_missing"
        return None

    def age_band(self, applicant):
        """Return 0 for the oldest band, 1 for the next, and so on."""
        for band, limit in enumerate(self.band_limits):
            if applicant.birth_date <= limit:
                return band
        return len(self.band_limits)


class Catchment:
    """The catchment rule: which homes a school takes in which tracks."""

    def __init__(self, rules, schools, source="rules"):
        rule = rules.catchment
        self.kind = rule.kind
        self.tracks = frozenset(rule.tracks) if rule.kind != "none" else frozenset()
        self.radius = {}
        self.kelurahan = {}
        problems = ProblemList(source)
        for school in schools:
            entry = rule.schools.get(school.npsn)
            if rule.kind == "radius":
                radius = entry.radius_m if entry and entry.radius_m else rule.radius_m
                if radius is None:
                    problems.add(
                        None,
                        "missing_radius",
                        gettext_noop("School %(npsn)s has no catchment radius."),
                        npsn=school.npsn,
                    )
                self.radius[school.npsn] = radius
            elif rule.kind == "kelurahan":
                if entry is None or not entry.kelurahan:
                    problems.add(
                        None,
                        "missing_kelurahan",
                        gettext_noop(
                            "School %(npsn)s has no catchment kelurahan codes."
                        ),
                        npsn=school.npsn,
                    )
                self.kelurahan[school.npsn] = entry.kelurahan if entry else frozenset()
        problems.raise_if_any()

    def allows(self, applicant, school, distance):
        """Return whether ``school`` takes ``applicant`` living ``distance`` away."""
        if applicant.track not in self.tracks:
            return True
        if self.kind == "radius":
            return distance <= self.radius[school.npsn]
        return applicant.kelurahan in self.kelurahan[school.npsn]
