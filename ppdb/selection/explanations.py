"""
Explain a run's outcome to a parent in plain, translated sentences.

The engine gives codes: a status and reason per applicant (RESULTS.csv)
and an outcome with a rank and the cutoff per choice (the explanation
file). ppdb/RULES.md documents every code. This module turns them into
sentences in the active language.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import SelectionResult
from ..models.periods import TRACK_CHOICES

TRACK_LABELS = dict(TRACK_CHOICES)

# Reasons of ineligibility, by the engine's reason code.
INELIGIBLE_REASONS = {
    "not_verified": gettext_lazy(
        "The application was not verified by the school's operator before the "
        "selection ran."
    ),
    "track_not_offered": gettext_lazy(
        "This period's rules offer no seats in the chosen track."
    ),
    "too_old": gettext_lazy(
        "The child is older than the maximum age on the reference date."
    ),
    "too_young": gettext_lazy(
        "The child is younger than the minimum age on the reference date, even "
        "with a recommendation letter."
    ),
    "recommendation_missing": gettext_lazy(
        "The child is young enough to need a recommendation letter from a "
        "psychologist or the teachers' council, and none was given."
    ),
    "kk_missing": gettext_lazy(
        "The track needs the family card (KK) issue date, which is missing."
    ),
    "kk_too_new": gettext_lazy(
        "The family card (KK) was issued after the latest date the track's rule "
        "accepts."
    ),
    "score_missing": gettext_lazy(
        "The track ranks by score, and the application has no score."
    ),
    "outside_catchment": gettext_lazy(
        "The home is outside the catchment area of every chosen school."
    ),
}

# Outcomes of one choice, by the engine's outcome code.
CHOICE_OUTCOMES = {
    "accepted": gettext_lazy("Accepted at this school."),
    "higher_choice_accepted": gettext_lazy(
        "Not needed: the child was accepted at a higher choice."
    ),
    "no_seats": gettext_lazy("The school has no seats in this track."),
    "outside_catchment": gettext_lazy(
        "The home is outside this school's catchment area."
    ),
    "ineligible": gettext_lazy("Not considered, because the child is not eligible."),
    "below_cutoff": gettext_lazy("Ranked below the last child accepted."),
}

# The sort key on which a child lost to the last one accepted.
DECIDING_KEYS = {
    "distance": gettext_lazy("The last child accepted lives nearer to the school."),
    "birth_date": gettext_lazy(
        "At the same distance, the last child accepted is older."
    ),
    "submitted_at": gettext_lazy(
        "With the same other keys, the last child accepted registered earlier."
    ),
    "score": gettext_lazy("The last child accepted has a higher score."),
    "age_band": gettext_lazy("The last child accepted is in an older age band."),
    "choice_rank": gettext_lazy(
        "The last child accepted chose this school at a higher rank."
    ),
    "registration_number": gettext_lazy(
        "Every other key was equal, and the registration number decided."
    ),
}

KEY_LABELS = {
    "distance": gettext_lazy("distance"),
    "birth_date": gettext_lazy("date of birth"),
    "submitted_at": gettext_lazy("registered at"),
    "score": gettext_lazy("score"),
    "age_band": gettext_lazy("age band"),
    "choice_rank": gettext_lazy("choice"),
    "registration_number": gettext_lazy("registration number"),
}


def track_label(track):
    return TRACK_LABELS.get(track, track)


def parse_cutoff(text):
    """Return the ``[(key, value), ...]`` pairs of an engine cutoff text."""
    if not text:
        return []
    pairs = []
    for part in text.split(";"):
        key, _sep, value = part.partition("=")
        pairs.append((key, value))
    return pairs


def format_key(key, value):
    """Return one sort key's value as a person reads it."""
    if key == "distance":
        return _("%(metres)s m") % {
            "metres": formats.number_format(int(value), force_grouping=True)
        }
    if key == "birth_date":
        return formats.date_format(datetime.date.fromisoformat(value))
    if key == "submitted_at":
        moment = datetime.datetime.fromisoformat(value)
        return formats.date_format(
            timezone.localtime(moment), "SHORT_DATETIME_FORMAT"
        ) + moment.strftime(":%S")
    if key == "score":
        return formats.number_format(value)
    if key == "choice_rank":
        return _("choice %(rank)s") % {"rank": value}
    if key == "age_band":
        return _("band %(band)s") % {"band": int(value) + 1}
    return value


def describe_cutoff(text):
    """
    Return the cutoff as ``[(label, value), ...]`` for people.

    The registration number of the last child accepted is left out: it
    identifies another family's child and decides only exact ties.
    """
    return [
        (str(KEY_LABELS.get(key, key)), format_key(key, value))
        for key, value in parse_cutoff(text)
        if key != "registration_number"
    ]


@dataclass
class ChoiceExplanation:
    rank_of_choice: int
    school: object
    outcome: str
    sentence: str
    rank: int | None
    # ``None`` when the choice was not ranked (ineligible, outside the
    # catchment); an empty list when the school accepted no one.
    cutoff: list | None = field(default_factory=list)
    deciding: str = ""


@dataclass
class Explanation:
    """The outcome of one application in one run, as a parent reads it."""

    status: str
    headline: str
    reason: str
    choices: list


def explain_choice(choice_result):
    outcome = choice_result.outcome
    deciding = ""
    if outcome.startswith("below_cutoff"):
        key = outcome.removeprefix("below_cutoff").lstrip("_")
        deciding = str(DECIDING_KEYS.get(key, ""))
        sentence = str(CHOICE_OUTCOMES["below_cutoff"])
    else:
        sentence = str(CHOICE_OUTCOMES.get(outcome, outcome))
    return ChoiceExplanation(
        rank_of_choice=choice_result.choice_rank,
        school=choice_result.period_school.school,
        outcome=outcome,
        sentence=sentence,
        rank=choice_result.rank,
        cutoff=None
        if choice_result.rank is None
        else describe_cutoff(choice_result.cutoff),
        deciding=deciding,
    )


def explain(result, choice_results):
    """
    Return the ``Explanation`` of one ``SelectionResult``.

    ``choice_results`` are the run's ``SelectionChoiceResult`` rows of the
    same application, with ``period_school__school`` loaded.
    """
    choices = [explain_choice(row) for row in choice_results]
    track = track_label(result.track)
    if result.status == SelectionResult.Status.ACCEPTED:
        headline = _("Accepted")
        reason = _(
            "Accepted at choice %(choice)s, %(school)s, in the %(track)s track, "
            "at rank %(rank)s."
        ) % {
            "choice": result.choice_rank,
            "school": result.period_school.school.name,
            "track": track,
            "rank": result.rank,
        }
    elif result.status == SelectionResult.Status.NOT_ACCEPTED:
        headline = _("Not accepted")
        if result.reason == "no_seats":
            reason = _(
                "None of the chosen schools has seats in the %(track)s track."
            ) % {"track": track}
        else:
            reason = _(
                "Not accepted in the %(track)s track: at each chosen school the "
                "child ranked below the last child accepted. The rank and the "
                "cutoff of each school are below."
            ) % {"track": track}
    else:
        headline = _("Not eligible")
        reason = str(INELIGIBLE_REASONS.get(result.reason, result.reason))
    return Explanation(result.status, headline, reason, choices)
