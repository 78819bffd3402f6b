"""
Run the load scenario from one command and report what it measured.

The runner recreates a database of the scenario's own on the local
PostgreSQL, migrates it, collects the static files and builds the data
(``prepare.py``). With ``--skip-prepare`` it keeps the data and only deletes
what earlier runs stored. It then starts daphne (through ``lms.serve``,
with ``--workers`` processes on one socket) on a free loopback port with
Redis as the channel layer and cache, and runs
locust headless with ``locustfile.py`` from a virtualenv of its own. At
the end it prints per-endpoint p50/p95/p99 and errors, and the step at
which the 95th percentile of HTTP requests first passed one second.
Locust writes an HTML report and CSV files to the output folder.

Usage: ``make load`` or ``python -m tests.load.run [--steps 20,40,80]
[--workers N]``.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from lms.serve import serve_command

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LOAD_VENV = ROOT / ".venv-load"
LOOPBACK = "127.0.0.1"


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Run the load scenario.")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/lms_load",
        help="PostgreSQL database to recreate for the run (dropped first).",
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/12",
        help="Redis database for the channel layer and cache (flushed first).",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "load-report")
    parser.add_argument(
        "--steps",
        default="20,40,80,120",
        help="HTTP users at each step, after the live class has joined.",
    )
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument("--live-students", type=int, default=300)
    parser.add_argument(
        "--join-seconds",
        type=int,
        default=20,
        help="Seconds in which the live class joins before the first step.",
    )
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help=(
            "Daphne processes that share the listening socket (lms.serve "
            "--workers). The default, one per CPU core (%(default)s here), "
            "is how production runs, but locust, PostgreSQL and Redis share "
            "the same cores during the run."
        ),
    )
    options = parser.parse_args(argv)
    if options.workers < 1:
        parser.error(f"--workers must be 1 or more, not {options.workers}.")
    return options


def loopback_only(url):
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"{url}: the load scenario runs on loopback only.")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def recreate_database(url):
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def ensure_load_venv():
    """Create the virtualenv with locust once; it stays for later runs."""
    python = LOAD_VENV / "bin" / "python"
    marker = LOAD_VENV / ".installed"
    requirements = HERE / "requirements.txt"
    if marker.exists() and marker.stat().st_mtime >= requirements.stat().st_mtime:
        return python
    subprocess.run([sys.executable, "-m", "venv", str(LOAD_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)],
        check=True,
    )
    marker.touch()
    return python


def wait_for_health(port, process, seconds=60):
    """
    Wait until daphne serves ``/healthz``.

    With several workers the supervisor listens before any child has loaded
    the application, so an open port alone does not show that daphne serves.
    """
    # The opener ignores proxy variables of the environment, so the request
    # stays on loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("daphne stopped during start-up")
        try:
            with opener.open(
                f"http://{LOOPBACK}:{port}/healthz", timeout=5
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"daphne did not serve on port {port} within {seconds} s")


def percentiles_table(stats_csv):
    """Return the rows of locust's stats CSV as printable lines."""
    lines = [
        f"{'endpoint':<28} {'requests':>8} {'errors':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    ]
    with open(stats_csv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lines.append(
                f"{(row['Type'] + ' ' + row['Name'])[:28]:<28} "
                f"{row['Request Count']:>8} {row['Failure Count']:>6} "
                f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
            )
    return lines


def main(argv=None):
    options = parse_args(argv)
    loopback_only(options.database_url)
    loopback_only(options.redis_url)
    options.out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": options.database_url,
        "DATABASE_POOL_MAX_SIZE": "20",
        "REDIS_URL": options.redis_url,
        "MEDIA_ROOT": str(options.out / "media"),
    }
    plan = options.out / "plan.json"
    if not options.skip_prepare:
        print("recreating the load database and Redis")  # noqa: T201
        recreate_database(options.database_url)
        flush_redis(options.redis_url)
    # A reused database still gets the migrations added since it was built.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    # With DEBUG off, pages name their static files through the manifest
    # that collectstatic writes, as in production. prepare.py renders pages
    # to warm caches, so the manifest must exist before it runs.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    prepare = [sys.executable, "-m", "tests.load.prepare", str(plan)]
    if options.skip_prepare:
        # Start from the prepared state, so that errors are errors of this run.
        prepare.append("--reset")
    subprocess.run(prepare, cwd=ROOT, env=env, check=True)
    locust_python = ensure_load_venv()

    port = free_port()
    host = f"http://{LOOPBACK}:{port}"
    # lms.serve gives the socket a listen backlog that fits a class
    # joining at once; daphne's -b/-p would keep Twisted's 50. With several
    # workers, the children write to the supervisor's output, so daphne.log
    # contains all of them.
    daphne = subprocess.Popen(
        serve_command(LOOPBACK, port, workers=options.workers, python=sys.executable),
        cwd=ROOT,
        env=env,
        stdout=open(options.out / "daphne.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    steps = options.steps.split(",")
    run_seconds = options.join_seconds + options.step_seconds * len(steps)
    try:
        wait_for_health(port, daphne)
        print(  # noqa: T201
            f"daphne on {host} with {options.workers} workers; "
            f"locust for {run_seconds} s"
        )
        subprocess.run(
            [
                str(locust_python),
                "-m",
                "locust",
                "-f",
                str(HERE / "locustfile.py"),
                "--host",
                host,
                "--headless",
                "--only-summary",
                "--html",
                str(options.out / "report.html"),
                "--csv",
                str(options.out / "stats"),
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_PLAN": str(plan),
                "LOAD_STEPS": options.steps,
                "LOAD_STEP_SECONDS": str(options.step_seconds),
                "LOAD_LIVE_STUDENTS": str(options.live_students),
                "LOAD_JOIN_SECONDS": str(options.join_seconds),
                "LOAD_SUMMARY": str(options.out / "steps.json"),
            },
            check=False,
            timeout=run_seconds + 300,
        )
    finally:
        daphne.send_signal(signal.SIGTERM)
        try:
            daphne.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daphne.kill()

    for line in percentiles_table(options.out / "stats_stats.csv"):
        print(line)  # noqa: T201
    summary = json.loads((options.out / "steps.json").read_text())
    print("\nHTTP load per step (95th percentile of all HTTP requests):")  # noqa: T201
    for row in summary["steps"]:
        print(  # noqa: T201
            f"  {row['http_users']:>4} HTTP users + {row['live_students']} live: "
            f"{row['requests_per_second']:>6} req/s, p95 {row['p95_ms']} ms, "
            f"{row['errors']} errors"
        )
    knee = summary["first_step_over_one_second"]
    if knee:
        print(  # noqa: T201
            f"p95 first passed 1 s at {knee['requests_per_second']} req/s "
            f"({knee['http_users']} HTTP users)"
        )
    else:
        print("p95 stayed under 1 s at every step")  # noqa: T201
    print(f"report: {options.out / 'report.html'}")  # noqa: T201


if __name__ == "__main__":
    main()
