"""
RESULTS.csv and the explanation file, written only when both are complete.

Both are UTF-8 without a byte-order mark, with LF line ends, sorted by
registration number and then choice, so the same inputs give the same bytes.
"""

import csv
import os
import tempfile
from pathlib import Path

from .selection import (
    ACCEPTED,
    BELOW_CUTOFF,
    HIGHER_CHOICE_ACCEPTED,
    INELIGIBLE,
    NO_SEATS,
    OUTSIDE_CATCHMENT,
    cutoff_keys,
)

RESULT_COLUMNS = (
    "registration_number",
    "status",
    "npsn",
    "choice_rank",
    "track",
    "rank",
    "distance_m",
    "reason",
)
EXPLANATION_COLUMNS = (
    "registration_number",
    "choice_rank",
    "npsn",
    "outcome",
    "rank",
    "cutoff",
)


def applicant_statuses(outcome):
    """Return ``[(status, reason), ...]`` in applicant order."""
    accepted = ("accepted", "accepted")
    return [
        accepted if choice >= 0 else applicant_status(outcome, index)
        for index, choice in enumerate(outcome.assigned_choice)
    ]


def applicant_status(outcome, index):
    """Return ``(status, reason)`` of the applicant at ``index``."""
    reason = outcome.reasons[index]
    if reason is not None:
        return "ineligible", reason
    if outcome.assigned_choice[index] >= 0:
        return "accepted", "accepted"
    seats = outcome.seats
    considered = [program for program in outcome.choices[index] if program is not None]
    if all(seats[program] == 0 for program in considered):
        return "not_accepted", NO_SEATS
    return "not_accepted", BELOW_CUTOFF


def result_rows(outcome, statuses):
    """Yield the rows of RESULTS.csv, in registration number order."""
    for index, applicant in enumerate(outcome.applicants):
        status, reason = statuses[index]
        choice = outcome.assigned_choice[index]
        if choice >= 0:
            rank = outcome.rank(index, choice)
            yield (
                applicant.registration_number,
                status,
                applicant.choices[choice],
                choice + 1,
                applicant.track,
                rank + 1,
                outcome.distances[index][choice],
                reason,
            )
        else:
            yield (
                applicant.registration_number,
                status,
                "",
                "",
                applicant.track,
                "",
                "",
                reason,
            )


def choice_outcome(outcome, index, choice):
    """Return ``(outcome, program, rank)`` of one choice of one applicant."""
    options = outcome.choices[index]
    # Only applicants ineligible before their choices were looked at have
    # no options; one with every choice outside the catchment keeps them.
    if not options:
        return INELIGIBLE, None, None
    program = options[choice]
    if program is None:
        return OUTSIDE_CATCHMENT, None, None
    rank = outcome.rank(index, choice)
    assigned = outcome.assigned_choice[index]
    if assigned == choice:
        return ACCEPTED, program, rank
    if 0 <= assigned < choice:
        return HIGHER_CHOICE_ACCEPTED, program, rank
    if outcome.seats[program] == 0:
        return NO_SEATS, program, rank
    return BELOW_CUTOFF, program, rank


def explanation_rows(outcome):
    """Yield one row per applicant and choice, in registration number order."""
    cutoffs = {}
    for index, applicant in enumerate(outcome.applicants):
        for choice, npsn in enumerate(applicant.choices):
            result, program, rank = choice_outcome(outcome, index, choice)
            if program is None:
                yield (applicant.registration_number, choice + 1, npsn, result, "", "")
                continue
            if program not in cutoffs:
                cutoffs[program] = ";".join(
                    f"{name}={value}" for name, value in cutoff_keys(outcome, program)
                )
            if result == BELOW_CUTOFF:
                result = f"{BELOW_CUTOFF}_{deciding_key(outcome, index, choice)}"
            yield (
                applicant.registration_number,
                choice + 1,
                npsn,
                result,
                rank + 1,
                cutoffs[program],
            )


def deciding_key(outcome, index, choice):
    """Return the sort key on which a rejected choice lost to the cutoff."""
    program = outcome.choices[index][choice]
    _, track = outcome.programs[program]
    entry = outcome.ranking[outcome.position(index, choice)]
    cutoff = outcome.ranking[outcome.last_accepted[program]]
    return outcome.layout.deciding_key(entry, cutoff, track)


def write_outputs(outcome, results_path, explanation_path=None, statuses=None):
    """
    Write RESULTS.csv and, when a path is given, the explanation file.

    ``statuses`` is the list ``applicant_statuses()`` returns, when the
    caller has it already.

    Each file is written to a temporary file beside it and renamed into
    place only after both are complete, so an error leaves no partial file.
    """
    if statuses is None:
        statuses = applicant_statuses(outcome)
    targets = [(Path(results_path), RESULT_COLUMNS, result_rows(outcome, statuses))]
    if explanation_path is not None:
        targets.append(
            (Path(explanation_path), EXPLANATION_COLUMNS, explanation_rows(outcome))
        )
    written = []
    try:
        for path, columns, rows in targets:
            handle, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            written.append((temporary, path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
                writer = csv.writer(file, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows(rows)
    except BaseException:
        for temporary, _ in written:
            Path(temporary).unlink(missing_ok=True)
        raise
    for temporary, path in written:
        os.replace(temporary, path)
