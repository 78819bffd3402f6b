"""
Run ``manage.py`` and settings modules in a child process with a known environment.

Settings read the environment once, at import, so each case that needs a
different environment gets a fresh interpreter. The child inherits nothing
from this process but ``PATH``: no database, Redis or AWS variables leak in.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300


def clean_environment(**variables):
    """Return an environment holding only ``PATH``, ``HOME`` and ``variables``."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": variables.pop("HOME", os.environ.get("HOME", tempfile.gettempdir())),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    environment.update(variables)
    return environment


def production_environment(tmp_path, **overrides):
    """Return a complete production environment with a SQLite file in ``tmp_path``."""
    variables = {
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "ALLOWED_HOSTS": "belajar.example,www.belajar.example",
        "CSRF_TRUSTED_ORIGINS": "https://belajar.example",
        "AWS_STORAGE_BUCKET_NAME": "belajar-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_S3_REGION_NAME": "ap-southeast-3",
        "AWS_ACCESS_KEY_ID": "test-access-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret-key",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_EC2_METADATA_DISABLED": "true",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "HOME": str(tmp_path),
    }
    variables.update(overrides)
    return clean_environment(**variables)


def manage(*arguments, environment):
    """Run ``manage.py`` with ``arguments`` and return the completed process."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def read_settings(module, names, **variables):
    """
    Import settings ``module`` in a child process and return ``names`` from it.

    Values are passed back as JSON, so they must be plain data.
    """
    code = (
        "import importlib, json, sys\n"
        f"module = importlib.import_module({module!r})\n"
        "names = json.loads(sys.argv[1])\n"
        "print(json.dumps({name: getattr(module, name) for name in names}, "
        "default=str))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(names)],
        cwd=ROOT,
        env=clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
