"""Run the selection on files: rules, schools and applicants in, results out."""

import gc
import hashlib
from collections import Counter
from contextlib import contextmanager

from .inputs import read_applicants, read_schools
from .outputs import applicant_statuses, write_outputs
from .rules import load_rules
from .selection import run_selection


@contextmanager
def paused_garbage_collection():
    """
    Pause Python's cyclic garbage collector for the block.

    A run creates hundreds of thousands of small objects and no reference
    cycles. With the collector on, each collection walks every live object,
    which made building 200,000 applicants about 16 times slower in a test
    on the development machine.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Summary:
    """Counts of one simulation, for the command's closing report."""

    def __init__(self, outcome, statuses):
        self.input_hash = outcome.input_hash
        self.schools = len(outcome.schools)
        self.applicants = len(outcome.applicants)
        self.by_track = {}
        counts = Counter(
            (applicant.track, status)
            for applicant, (status, _) in zip(outcome.applicants, statuses, strict=True)
        )
        for (track, status), count in sorted(counts.items()):
            self.by_track.setdefault(track, Counter())[status] = count
        self.moves = Counter()
        for move in outcome.moves:
            self.moves[move.source, move.target] += move.count


def input_hash(rules, schools_digest, applicants_digest):
    """Return the SHA-256 of the run's inputs, independent of row order."""
    digest = hashlib.sha256()
    for part in (rules.canonical_json(), schools_digest, applicants_digest):
        digest.update(part.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def simulate(
    rules_path,
    schools_path,
    applicants_path,
    results_path,
    explanation_path=None,
    progress=None,
):
    """
    Read the three input files, run the selection and write the results.

    ``progress``, when given, is called as ``progress(step, rows)``: with a
    step name as each step starts and ``rows=None``, or with ``step="read"``
    and the number of applicant rows read since the last call. Raise
    ``InputError`` for an invalid file and ``InvariantError`` for a result
    that breaks an invariant. Nothing is written when either is raised.
    """

    def report(step, rows=None):
        if progress is not None:
            progress(step, rows)

    with paused_garbage_collection():
        return _simulate(
            rules_path,
            schools_path,
            applicants_path,
            results_path,
            explanation_path,
            report,
        )


def _simulate(
    rules_path, schools_path, applicants_path, results_path, explanation_path, report
):
    report("rules")
    rules = load_rules(rules_path)
    report("schools")
    schools, schools_digest = read_schools(schools_path, rules.tracks)
    report("applicants")
    by_npsn = {school.npsn: school for school in schools}
    applicants, applicants_digest = read_applicants(
        applicants_path, rules, by_npsn, progress=lambda rows: report("read", rows)
    )
    digest = input_hash(rules, schools_digest, applicants_digest)
    outcome = run_selection(rules, schools, applicants, digest, progress=report)
    report("write")
    statuses = applicant_statuses(outcome)
    write_outputs(outcome, results_path, explanation_path, statuses)
    return Summary(outcome, statuses)
