"""
Checks of a registration that need the rule set but no database.

No Django import. Age, family card (KK) and score rules are decided by the
engine's ``Eligibility``, the same code a selection run uses, so a child
the form admits is not ruled out later by a different reading of the rule.
"""

import datetime
import functools
from dataclasses import dataclass

from lms.identifiers import nik_birth_date_and_sex
from ppdb.engine import parse_rules
from ppdb.engine.eligibility import Eligibility

# Flags stored in ``Application.identity_flags`` for the operator to check.
NIK_BIRTH_DATE_MISMATCH = "nik_birth_date_mismatch"
NIK_SEX_MISMATCH = "nik_sex_mismatch"

# Reasons of ``Eligibility.reason`` that the form reports at submission, and
# the form field each one belongs to. "not_verified" never comes up because
# a submitted application is checked as if verified.
FIELD_OF_REASON = {
    "track_not_offered": "track",
    "too_old": "birth_date",
    "too_young": "birth_date",
    "recommendation_missing": "has_recommendation",
    "kk_missing": "kk_issued_on",
    "kk_too_new": "kk_issued_on",
    "score_missing": "score",
}


def identity_flags(nik, birth_date, sex):
    """
    Return the flags for a NIK whose embedded birth date or sex differs.

    The NIK carries the birth date as DDMMYY, with 40 added to the day for
    women. A difference is often a typing error on either side, so it is
    flagged for the operator, not rejected.
    """
    decoded = nik_birth_date_and_sex(nik)
    if decoded is None:
        return []
    nik_birth_date, nik_sex = decoded
    flags = []
    if birth_date is not None and nik_birth_date != birth_date:
        flags.append(NIK_BIRTH_DATE_MISMATCH)
    if sex and nik_sex != sex:
        flags.append(NIK_SEX_MISMATCH)
    return flags


@dataclass(frozen=True)
class Candidate:
    """The fields of an applicant that ``Eligibility.reason`` reads."""

    track: str
    birth_date: datetime.date
    kk_issued_on: datetime.date | None = None
    recommendation: bool = False
    score: object = None
    verified: bool = True


@dataclass(frozen=True)
class Ineligibility:
    """Why a child may not apply: an engine reason code and its limits."""

    code: str
    field: str
    params: dict


class Rules:
    """The eligibility rules of one rule set, for checking registrations."""

    def __init__(self, rule_set):
        self.rule_set = rule_set
        self.eligibility = Eligibility(rule_set)

    def ineligibility(self, candidate):
        """Return the ``Ineligibility`` of ``candidate``, or ``None``."""
        code = self.eligibility.reason(candidate)
        if code is None:
            return None
        return Ineligibility(code, FIELD_OF_REASON[code], self.limits(code))

    def needs_recommendation(self, track, birth_date):
        """
        Return whether a child born on ``birth_date`` needs a recommendation.

        True when the child is young enough to need the psychologist's or
        teachers' council's letter and old enough to be admitted with it.
        """
        candidate = Candidate(track=track, birth_date=birth_date)
        return self.eligibility.reason(candidate) == "recommendation_missing"

    def limits(self, code):
        """Return the dates and ages that explain the reason ``code``."""
        eligibility = self.eligibility
        age = self.rule_set.age
        params = {"reference_date": self.rule_set.reference_date}
        if code == "too_old":
            if eligibility.born_after is not None:
                earliest = eligibility.born_after + datetime.timedelta(days=1)
            else:
                earliest = eligibility.born_on_or_after
            params.update(maximum=age.maximum, earliest_birth_date=earliest)
        elif code == "too_young":
            youngest = age.minimum_with_recommendation or age.minimum
            latest = eligibility.born_by_recommended or eligibility.born_by_minimum
            params.update(minimum=youngest, latest_birth_date=latest)
        elif code == "recommendation_missing":
            params.update(
                minimum=age.minimum,
                latest_birth_date=eligibility.born_by_minimum,
            )
        elif code in ("kk_missing", "kk_too_new"):
            params.update(latest_issue_date=eligibility.kk_latest)
        return params


@functools.lru_cache(maxsize=32)
def rules_for_text(text, source="rules"):
    """
    Return the ``Rules`` of the TOML rule set ``text``, parsed once.

    Every registration request reads the same rule set, so the parsed
    result is cached per process. A changed text is a new cache key.
    """
    return Rules(parse_rules(text, source=source))
