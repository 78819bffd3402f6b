"""
Settings per environment: the production deploy check, Redis, .env.example.

Each case imports the settings in a child process with a controlled
environment, because settings read the environment once, at import.
"""

import asyncio
import re
import uuid

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.core.cache import caches

from .helpers import ROOT, manage, production_environment, read_settings

SETTINGS_FILES = sorted((ROOT / "lms" / "settings").glob("*.py"))
# os.environ.get("NAME"), os.environ["NAME"], env_bool("NAME"), env_list("NAME")
ENVIRONMENT_READ_RE = re.compile(
    r"""(?:os\.environ(?:\.get)?\s*[\(\[]|env_bool\(|env_list\()\s*["']([A-Z0-9_]+)["']"""
)


@pytest.mark.slow
def test_check_deploy_reports_no_issues(tmp_path):
    result = manage("check", "--deploy", environment=production_environment(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_requires_variable(tmp_path, variable):
    environment = production_environment(tmp_path)
    del environment[variable]

    result = manage("check", environment=environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_redis_url_selects_redis_layer_and_cache():
    values = read_settings(
        "lms.settings.base",
        ["CHANNEL_LAYERS", "CACHES"],
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    layer = values["CHANNEL_LAYERS"]["default"]
    cache = values["CACHES"]["default"]
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert [host["address"] for host in layer["CONFIG"]["hosts"]] == [
        "redis://127.0.0.1:6379/0"
    ]
    assert cache["BACKEND"] == "lms.cache.ResilientRedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/0"


def test_no_redis_url_selects_in_memory():
    values = read_settings("lms.settings.base", ["CHANNEL_LAYERS", "CACHES"])

    layer = values["CHANNEL_LAYERS"]["default"]
    cache = values["CACHES"]["default"]
    assert layer["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def redis_settings(redis_url):
    """Return CACHES and CHANNEL_LAYERS as base.py builds them for ``redis_url``."""
    return read_settings(
        "lms.settings.base",
        ["CHANNEL_LAYERS", "CACHES"],
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )


def test_redis_cache_settings_work(settings, redis_url):
    settings.CACHES = redis_settings(redis_url)["CACHES"]
    cache = caches["default"]
    key = f"settings-test-{uuid.uuid4().hex}"

    try:
        cache.set(key, {"kecamatan": "32.76.01"}, timeout=30)
        assert cache.get(key) == {"kecamatan": "32.76.01"}
    finally:
        cache.delete(key)
        cache.close()


async def test_redis_channel_layer_settings_work(settings, redis_url):
    settings.CHANNEL_LAYERS = redis_settings(redis_url)["CHANNEL_LAYERS"]
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer"

    channel = await layer.new_channel()
    await layer.send(channel, {"type": "ping", "text": "halo"})
    received = await asyncio.wait_for(layer.receive(channel), timeout=5)

    assert received == {"type": "ping", "text": "halo"}
    await layer.close_pools()


def test_channel_layer_timeout_exceeds_pop():
    values = read_settings(
        "lms.settings.base", ["CHANNEL_LAYERS"], REDIS_URL="redis://127.0.0.1:6379/0"
    )

    (host,) = values["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"]
    assert host["socket_timeout"] > RedisChannelLayer.brpop_timeout


def test_dev_settings_use_embedded_defaults():
    values = read_settings(
        "lms.settings.dev", ["DATABASES", "STORAGES", "DEBUG", "LANGUAGE_CODE"]
    )

    assert values["DEBUG"] is True
    assert values["LANGUAGE_CODE"] == "id"
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    default_storage = values["STORAGES"]["default"]["BACKEND"]
    assert default_storage == "django.core.files.storage.FileSystemStorage"


def test_env_example_lists_every_setting_variable():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", example, re.MULTILINE))

    read = set()
    for path in SETTINGS_FILES:
        read |= set(ENVIRONMENT_READ_RE.findall(path.read_text(encoding="utf-8")))

    assert read, "no environment variables found in lms/settings"
    assert sorted(read - listed) == [], "variables missing from .env.example"


def test_env_example_holds_no_secret():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    values = dict(re.findall(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", example, re.MULTILINE))

    for name in ("SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "EMAIL_HOST_PASSWORD"):
        assert name in values, f"{name} is missing from .env.example"
        assert values[name] == "", f"{name} has a value in .env.example"
