"""
Start, execute, publish and reap selection runs.

``start_run`` checks who starts the run and when, freezes the input into a
snapshot and queues ``execute_run`` as a background task (run at once on the
embedded default's immediate backend). ``execute_run`` runs the engine on
the snapshot and stores every result in bulk, or marks the run refused
when an invariant fails, so nothing of it can be published. A run never
changes after it finishes, except for being published.

A worker holds a run by its lease (``lease_expires_at``) and renews it at
each step. ``reap_stale_runs`` marks a running run whose lease has passed
as failed, because its worker died.
"""

import datetime
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit

from ..engine import EngineError, InputError, InvariantError
from ..engine.inputs import read_applicants, read_schools
from ..engine.outputs import applicant_statuses, explanation_rows, result_rows
from ..engine.rules import parse_rules
from ..engine.selection import cutoff_keys, run_selection
from ..engine.simulate import input_hash, paused_garbage_collection
from ..messages import describe, translate
from ..models import (
    Application,
    PeriodSchool,
    SelectionChoiceResult,
    SelectionResult,
    SelectionRun,
    Stage,
)
from . import cache as ranking_cache
from . import ranking
from .snapshot import (
    APPLICANTS_NAME,
    RULES_NAME,
    SCHOOLS_NAME,
    Snapshot,
    take_snapshot,
)

logger = logging.getLogger(__name__)

Status = SelectionRun.Status
Round = SelectionRun.Round
BULK_SIZE = 2000


class RunError(Exception):
    """
    Raised when a run cannot be started or published. Nothing is stored.

    ``message`` is translated into the active language, and ``code`` is
    stable for tests and callers.
    """

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def lease_seconds():
    return getattr(settings, "PPDB_RUN_LEASE_SECONDS", 600)


def can_manage_runs(user):
    """Return whether ``user`` may start and publish selection runs."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user.is_city_admin)
    )


def _check_user(user):
    # ``None`` is a management command, run by a person with shell
    # access to the server.
    if user is not None and not can_manage_runs(user):
        raise PermissionDenied(_("Only the city admin may run or publish a selection."))


def run_window(period, round):
    """
    Return ``(opens_at, closes_at)`` in which a run of ``round`` may start.

    A main round runs from the opening of document verification (or the
    close of registration when the period has no verification stage) until
    re-registration opens, so that corrections after objections can lead to
    a new run. A fill round runs while the fill round stage is open. Either
    bound is ``None`` when the schedule has no such stage.
    """
    if round == Round.FILL:
        stage = period.stage(Stage.Kind.FILL_ROUND)
        if stage is None:
            return None, None
        return stage.opens_at, stage.closes_at
    verification = period.stage(Stage.Kind.VERIFICATION)
    registration = period.stage(Stage.Kind.REGISTRATION)
    if verification is not None:
        opens_at = verification.opens_at
    elif registration is not None:
        opens_at = registration.closes_at
    else:
        opens_at = None
    re_registration = period.stage(Stage.Kind.REREGISTRATION)
    return opens_at, re_registration.opens_at if re_registration else None


def _check_window(period, round, now):
    opens_at, closes_at = run_window(period, round)
    if opens_at is None:
        raise RunError(
            "no_stage",
            _("The period's schedule has no stage in which this round may run."),
        )
    if now < opens_at or (closes_at is not None and now >= closes_at):
        local = timezone.localtime
        raise RunError(
            "outside_stage",
            _("A selection of this round may run only from %(opens)s until %(closes)s.")
            % {
                "opens": local(opens_at).strftime("%Y-%m-%d %H:%M"),
                "closes": local(closes_at).strftime("%Y-%m-%d %H:%M")
                if closes_at
                else _("the end of the period"),
            },
        )


def _rules(period):
    if not period.rules_toml:
        raise RunError(
            "no_rules", _("The period has no rule set. Add one before running.")
        )
    try:
        return parse_rules(period.rules_toml, source=period.name)
    except InputError as error:
        raise RunError(
            "invalid_rules", "\n".join(describe(p) for p in error.problems)
        ) from error


def fill_round_input(period):
    """
    Return the applications and seats of a fill round.

    The fill round offers the seats of the official main run that no one
    claimed by re-registering, to the applications that run did not accept.
    Return ``(applications, seats)`` with ``seats`` mapping
    ``(period_school_id, track)`` to unclaimed seats.
    """
    main = SelectionRun.objects.filter(
        period=period, round=Round.MAIN, is_official=True
    ).first()
    if main is None:
        raise RunError(
            "no_official_main_run",
            _("A fill round needs a published main round first."),
        )
    schools = dict(
        PeriodSchool.objects.filter(period=period).values_list("school__npsn", "pk")
    )
    seats = {}
    for program in main.summary.get("programs", []):
        seats[schools[program["npsn"]], program["track"]] = program["seats"]
    claimed = Application.objects.filter(
        period=period, re_registered_at__isnull=False
    ).values_list("re_registered_school_id", "track")
    for period_school_id, track in claimed:
        key = (period_school_id, track)
        if key in seats:
            seats[key] = max(seats[key] - 1, 0)
    accepted = main.results.filter(status=SelectionResult.Status.ACCEPTED)
    applications = Application.objects.filter(
        period=period, status=Application.Status.VERIFIED
    ).exclude(pk__in=accepted.values("application_id"))
    return applications, seats


def start_run(period, user, dry_run=True, round=Round.MAIN, now=None, execute=True):
    """
    Freeze the period's input into a new run and queue its execution.

    ``user`` is the city admin starting it, or ``None`` for a management
    command. Raise ``PermissionDenied`` for anyone else and ``RunError``
    outside the round's window, without a valid rule set or while another
    run of the period is running. With ``execute=False`` the caller runs
    ``execute_run`` itself (the ``ppdb_run`` command does, to show
    progress). Return the new ``SelectionRun``.
    """
    _check_user(user)
    now = now or timezone.now()
    if round not in Round.values:
        raise RunError(
            "unknown_round", _("Unknown round %(round)s.") % {"round": round}
        )
    _check_window(period, round, now)
    rules = _rules(period)

    with transaction.atomic():
        # Locking the period serialises run numbers and the running check.
        type(period).objects.select_for_update().get(pk=period.pk)
        if SelectionRun.objects.filter(period=period, status=Status.RUNNING).exists():
            raise RunError(
                "already_running",
                _("Another selection run of this period is still running."),
            )
        applications, seats = (None, None)
        if round == Round.FILL:
            applications, seats = fill_round_input(period)
        snapshot = take_snapshot(period, rules, applications, seats)
        number = (
            SelectionRun.objects.filter(period=period).aggregate(Max("number"))[
                "number__max"
            ]
            or 0
        ) + 1
        run = SelectionRun(
            period=period,
            number=number,
            round=round,
            is_dry_run=dry_run,
            status=Status.RUNNING,
            started_by=user,
            rules_toml=period.rules_toml,
            lease_expires_at=now + datetime.timedelta(seconds=lease_seconds()),
        )
        run.snapshot.save(
            f"{period.pk}/run-{number}.zip", ContentFile(snapshot.to_zip()), save=False
        )
        run.save()
        audit.record(
            "ppdb.selection_run_started",
            actor=user,
            obj=run,
            period=period.pk,
            number=number,
            round=round,
            dry_run=dry_run,
        )
        logger.info(
            "selection run started period=%s run=%s number=%s round=%s dry_run=%s",
            period.pk,
            run.pk,
            number,
            round,
            dry_run,
        )
        if execute:
            from .tasks import execute_selection_run

            transaction.on_commit(lambda: execute_selection_run.enqueue(run.pk))
    return run


def _renew_lease(run, now=None):
    """Extend the run's lease and return whether this worker still holds it."""
    now = now or timezone.now()
    return bool(
        SelectionRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
            lease_expires_at=now + datetime.timedelta(seconds=lease_seconds())
        )
    )


class LeaseLost(Exception):
    """Raised inside a worker whose run the reaper has marked failed."""


def execute_run(run_id, progress=None):
    """
    Run the engine on a run's snapshot and store the results.

    ``progress`` is called like the engine's: ``progress(step, rows)``.
    Return the run, whose status is ``succeeded``, ``refused`` (an invariant
    failed) or ``failed`` (invalid input or an unexpected error). A run that
    is no longer running (finished, or reaped) is returned unchanged.
    """
    run = SelectionRun.objects.select_related("period").get(pk=run_id)
    if run.status != Status.RUNNING or not _renew_lease(run):
        logger.warning("selection run not running, skipped run=%s", run.pk)
        return run

    def report(step, rows=None):
        if rows is None and not _renew_lease(run):
            raise LeaseLost(run.pk)
        if progress is not None:
            progress(step, rows)

    try:
        with paused_garbage_collection():
            outcome = _run_engine(run, report)
        report("store")
        _store(run, outcome)
    except InvariantError as error:
        _finish(
            run,
            Status.REFUSED,
            error=translate(error.template, error.params),
            summary={
                "error": {
                    "code": error.code,
                    "template": str(error.template),
                    "params": _plain(error.params),
                }
            },
        )
    except InputError as error:
        _finish(
            run,
            Status.FAILED,
            error="\n".join(describe(problem) for problem in error.problems),
            summary={"error": {"code": "invalid_input"}},
        )
    except LeaseLost:
        logger.error("selection run lease lost, results dropped run=%s", run.pk)
    except (EngineError, OSError) as error:
        logger.exception("selection run failed run=%s", run.pk)
        _finish(
            run,
            Status.FAILED,
            error=str(error),
            summary={"error": {"code": "engine_error"}},
        )
    run.refresh_from_db()
    if run.status != Status.RUNNING:
        ranking_cache.run_finished(run)
    if run.status == Status.SUCCEEDED and not run.is_dry_run:
        warm_ranking(run)
    return run


def warm_ranking(run):
    # The results are stored whatever happens here: a page that fails to
    # render now is rendered again on its first request.
    try:
        ranking.warm_pages(run)
    except Exception:  # noqa: BLE001
        logger.exception("ranking pages not rendered run=%s", run.pk)


def _plain(params):
    return {name: str(value) for name, value in params.items()}


def _run_engine(run, report):
    snapshot = Snapshot.from_zip(run.snapshot.read())
    run.snapshot.close()
    report("rules")
    rules = parse_rules(run.rules_toml, source=RULES_NAME)
    with tempfile.TemporaryDirectory(prefix="ppdb-run-") as folder:
        paths = snapshot.write_to(Path(folder))
        report("schools")
        schools, schools_digest = read_schools(paths[SCHOOLS_NAME], rules.tracks)
        report("applicants")
        applicants, applicants_digest = read_applicants(
            paths[APPLICANTS_NAME],
            rules,
            {school.npsn: school for school in schools},
            progress=lambda rows: report("read", rows),
        )
    digest = input_hash(rules, schools_digest, applicants_digest)
    return run_selection(rules, schools, applicants, digest, progress=report)


def _finish(run, status, error="", summary=None):
    changed = SelectionRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=status,
        error=error,
        summary=summary or {},
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    if changed:
        log = logger.warning if status != Status.SUCCEEDED else logger.info
        log("selection run finished run=%s status=%s", run.pk, status)
    return changed


def summarise(outcome, statuses):
    """Return the JSON summary of an engine outcome, for reports."""
    by_track = {}
    for applicant, (status, _reason) in zip(outcome.applicants, statuses, strict=True):
        counts = by_track.setdefault(applicant.track, {})
        counts[status] = counts.get(status, 0) + 1
    programs = []
    for index, (school, track) in enumerate(outcome.programs):
        programs.append(
            {
                "npsn": school.npsn,
                "track": track,
                "initial_seats": outcome.initial_seats[index],
                "seats": outcome.seats[index],
                "applicants": outcome.program_start[index + 1]
                - outcome.program_start[index],
                "accepted": outcome.accepted_count[index],
                "cutoff": cutoff_keys(outcome, index),
            }
        )
    return {
        "applicants": len(outcome.applicants),
        "schools": len(outcome.schools),
        "by_track": by_track,
        "moves": [
            {
                "npsn": move.npsn,
                "source": move.source,
                "target": move.target,
                "count": move.count,
            }
            for move in outcome.moves
        ],
        "programs": programs,
    }


def _store(run, outcome):
    """Store every result and choice result of ``outcome`` in bulk."""
    statuses = applicant_statuses(outcome)
    applications = dict(
        Application.objects.filter(period=run.period).values_list(
            "registration_number", "pk"
        )
    )
    schools = dict(
        PeriodSchool.objects.filter(period=run.period).values_list("school__npsn", "pk")
    )

    def blank(value):
        return None if value == "" else value

    results = [
        SelectionResult(
            run=run,
            application_id=applications[number],
            status=status,
            period_school_id=schools[npsn] if npsn else None,
            choice_rank=blank(choice_rank),
            track=track,
            rank=blank(rank),
            distance_m=blank(distance),
            reason=reason,
        )
        for number, status, npsn, choice_rank, track, rank, distance, reason in (
            result_rows(outcome, statuses)
        )
    ]
    choice_results = [
        SelectionChoiceResult(
            run=run,
            application_id=applications[number],
            choice_rank=choice_rank,
            period_school_id=schools[npsn],
            outcome=result,
            rank=blank(rank),
            cutoff=cutoff,
        )
        for number, choice_rank, npsn, result, rank, cutoff in explanation_rows(outcome)
    ]
    with transaction.atomic():
        locked = (
            SelectionRun.objects.select_for_update()
            .filter(pk=run.pk, status=Status.RUNNING)
            .first()
        )
        if locked is None:
            raise LeaseLost(run.pk)
        SelectionResult.objects.bulk_create(results, batch_size=BULK_SIZE)
        SelectionChoiceResult.objects.bulk_create(choice_results, batch_size=BULK_SIZE)
        SelectionRun.objects.filter(pk=run.pk).update(
            status=Status.SUCCEEDED,
            input_hash=outcome.input_hash,
            summary=summarise(outcome, statuses),
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
    logger.info(
        "selection run finished run=%s status=succeeded results=%s",
        run.pk,
        len(results),
    )


def publish_run(run, user, now=None, request=None):
    """
    Make ``run`` the official result of its period and round.

    Only the city admin (or a management command, ``user=None``) may
    publish, only a finished run that is not a dry run, and only once the
    announcement stage has opened. A run published earlier for the same
    round stops being official, and the audit log keeps both. Raise
    ``RunError`` otherwise, changing nothing.
    """
    _check_user(user)
    now = now or timezone.now()
    period = run.period
    if run.is_official:
        raise RunError("already_published", _("This run is already published."))
    if run.status != Status.SUCCEEDED:
        raise RunError(
            "not_succeeded", _("Only a run that succeeded can be published.")
        )
    if run.is_dry_run:
        raise RunError(
            "dry_run",
            _("A dry run cannot be published. Start a run that is not a dry run."),
        )
    announcement = period.stage(Stage.Kind.ANNOUNCEMENT)
    if announcement is None or now < announcement.opens_at:
        raise RunError(
            "before_announcement",
            _("Results can be published only from the announcement stage on."),
        )
    with transaction.atomic():
        previous = list(
            SelectionRun.objects.select_for_update().filter(
                period=period, round=run.round, is_official=True
            )
        )
        SelectionRun.objects.filter(pk__in=[old.pk for old in previous]).update(
            is_official=False
        )
        try:
            with transaction.atomic():
                changed = SelectionRun.objects.filter(
                    pk=run.pk, is_official=False, status=Status.SUCCEEDED
                ).update(is_official=True, published_at=now, published_by=user)
        except IntegrityError as error:
            raise RunError(
                "already_published", _("Another run was published at the same time.")
            ) from error
        if not changed:
            raise RunError("already_published", _("This run is already published."))
        audit.record(
            "ppdb.selection_run_published",
            actor=user,
            obj=run,
            request=request,
            period=period.pk,
            number=run.number,
            replaces=[old.number for old in previous],
        )
    logger.info(
        "selection run published period=%s run=%s replaces=%s",
        period.pk,
        run.pk,
        [old.pk for old in previous],
    )
    run.refresh_from_db()
    ranking_cache.run_published(run)
    from .tasks import warm_ranking_pages

    transaction.on_commit(lambda: warm_ranking_pages.enqueue(run.pk))
    return run


def reap_stale_runs(now=None):
    """
    Mark as failed every running run whose lease has passed.

    The lease passes when the worker died, or when the task was lost before
    a worker took it. Each change is a conditional UPDATE on the expired
    lease, so running this from several processes at once is safe. Return
    the ids of the runs marked failed.
    """
    now = now or timezone.now()
    reaped = []
    stale = SelectionRun.objects.filter(
        status=Status.RUNNING, lease_expires_at__lt=now
    ).values_list("pk", "lease_expires_at")
    for pk, lease in stale:
        changed = SelectionRun.objects.filter(
            pk=pk, status=Status.RUNNING, lease_expires_at=lease
        ).update(
            status=Status.FAILED,
            finished_at=now,
            lease_expires_at=None,
            error="The worker running this selection stopped before it finished.",
            summary={"error": {"code": "worker_lost"}},
        )
        if changed:
            reaped.append(pk)
            logger.error("selection run lease expired, marked failed run=%s", pk)
    return reaped
