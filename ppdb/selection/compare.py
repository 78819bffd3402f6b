"""
Compare a run with an earlier one: who moved in or out of a seat, and why.

Each move names the school and track and the outcome before and after.
Its causes are read from the two runs' snapshots: the applicant's own
input changed (with the columns), the application is new or gone, or the
school's seats changed. When none of these is true, other applicants'
changes moved the cutoff.
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..models import SelectionResult, SelectionRun
from .explanations import INELIGIBLE_REASONS
from .snapshot import Snapshot

# Input columns whose change can move an applicant. The name cannot, so it
# is left out.
COMPARED_COLUMNS = (
    "birth_date",
    "sex",
    "track",
    "latitude",
    "longitude",
    "score",
    "submitted_at",
    "kk_issued_on",
    "recommendation",
    "choice_1",
    "choice_2",
    "choice_3",
    "verified",
    "kelurahan",
)


@dataclass
class Move:
    registration_number: str
    application_id: int
    npsn: str
    track: str
    direction: str
    before: tuple
    after: tuple
    causes: list = field(default_factory=list)


@dataclass
class Comparison:
    run: SelectionRun
    previous: SelectionRun
    moved_in: list
    moved_out: list
    unchanged: int
    seat_changes: dict


def previous_run(run):
    """Return the latest earlier run of the same period and round that succeeded."""
    return (
        SelectionRun.objects.filter(
            period_id=run.period_id,
            round=run.round,
            status=SelectionRun.Status.SUCCEEDED,
            number__lt=run.number,
        )
        .order_by("-number")
        .first()
    )


def _rows(text, key):
    return {row[key]: row for row in csv.DictReader(io.StringIO(text))}


def _results(run):
    return {
        number: (status, npsn or "", track, reason, choice_rank, application_id)
        for number, status, npsn, track, reason, choice_rank, application_id in (
            SelectionResult.objects.filter(run=run).values_list(
                "application__registration_number",
                "status",
                "period_school__school__npsn",
                "track",
                "reason",
                "choice_rank",
                "application_id",
            )
        )
    }


def _seat_changes(previous, run):
    """Return ``{(npsn, track): (seats before, seats after)}`` that differ."""

    def seats(target):
        return {
            (program["npsn"], program["track"]): program["seats"]
            for program in target.summary.get("programs", [])
        }

    before, after = seats(previous), seats(run)
    return {
        key: (before.get(key, 0), after.get(key, 0))
        for key in before.keys() | after.keys()
        if before.get(key, 0) != after.get(key, 0)
    }


def _causes(number, old_inputs, new_inputs, seat_changes, key):
    causes = []
    old, new = old_inputs.get(number), new_inputs.get(number)
    if old is None:
        causes.append(("new_application", []))
    elif new is None:
        causes.append(("gone", []))
    else:
        changed = [
            column
            for column in COMPARED_COLUMNS
            if old.get(column, "") != new.get(column, "")
        ]
        if changed:
            causes.append(("input_changed", changed))
    if key in seat_changes:
        causes.append(("seats_changed", list(seat_changes[key])))
    if not causes:
        causes.append(("cutoff_moved", []))
    return causes


def _move_order(move):
    return (move.npsn, move.track, move.registration_number)


def outcome_text(outcome):
    """Return a result tuple ``(status, npsn, track, reason, choice)`` as text."""
    status, npsn, _track, reason, choice = outcome
    if not status:
        return _("not in the run")
    if status == "accepted":
        return _("accepted at %(npsn)s (choice %(choice)s)") % {
            "npsn": npsn,
            "choice": choice,
        }
    if status == "ineligible":
        return _("not eligible: %(reason)s") % {
            "reason": INELIGIBLE_REASONS.get(reason, reason)
        }
    return _("not accepted: %(reason)s") % {"reason": reason}


def causes_text(causes):
    """Return the causes of a move as one sentence per cause."""
    sentences = []
    for code, detail in causes:
        if code == "new_application":
            sentences.append(_("The application is new in this run."))
        elif code == "gone":
            sentences.append(_("The application was withdrawn or cancelled."))
        elif code == "input_changed":
            sentences.append(
                _("The application changed: %(columns)s.")
                % {"columns": ", ".join(detail)}
            )
        elif code == "seats_changed":
            sentences.append(
                _("The seats changed from %(before)s to %(after)s.")
                % {"before": detail[0], "after": detail[1]}
            )
        else:
            sentences.append(
                _("Other applicants' changes moved the cutoff of this school.")
            )
    return " ".join(sentences)


def compare_runs(run, previous=None):
    """
    Return the ``Comparison`` of ``run`` with ``previous``.

    ``previous`` defaults to ``previous_run(run)``; return ``None`` when
    there is none. Moves are sorted by school, track and registration
    number.
    """
    previous = previous or previous_run(run)
    if previous is None:
        return None
    old_snapshot = Snapshot.from_zip(previous.snapshot.read())
    previous.snapshot.close()
    new_snapshot = Snapshot.from_zip(run.snapshot.read())
    run.snapshot.close()
    old_inputs = _rows(old_snapshot.applicants_csv, "registration_number")
    new_inputs = _rows(new_snapshot.applicants_csv, "registration_number")
    old_results, new_results = _results(previous), _results(run)
    seat_changes = _seat_changes(previous, run)

    moved_in, moved_out = [], []
    unchanged = 0
    missing = ("", "", "", "", None, None)
    for number in sorted(old_results.keys() | new_results.keys()):
        before = old_results.get(number, missing)
        after = new_results.get(number, missing)
        seat_before = before[1] if before[0] == "accepted" else ""
        seat_after = after[1] if after[0] == "accepted" else ""
        if seat_before == seat_after:
            unchanged += 1
            continue
        application_id = after[5] or before[5]
        for npsn, source, direction, target in (
            (seat_after, after, "in", moved_in),
            (seat_before, before, "out", moved_out),
        ):
            if not npsn:
                continue
            key = (npsn, source[2])
            target.append(
                Move(
                    registration_number=number,
                    application_id=application_id,
                    npsn=npsn,
                    track=source[2],
                    direction=direction,
                    before=before[:5],
                    after=after[:5],
                    causes=_causes(number, old_inputs, new_inputs, seat_changes, key),
                )
            )
    return Comparison(
        run=run,
        previous=previous,
        moved_in=sorted(moved_in, key=_move_order),
        moved_out=sorted(moved_out, key=_move_order),
        unchanged=unchanged,
        seat_changes=seat_changes,
    )
