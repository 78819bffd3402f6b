"""The Redis cache backend that treats an unreachable Redis as a cache miss."""

import logging

import pytest
import redis.exceptions
from django.urls import reverse

from lms.cache import ResilientRedisCache
from tests.conftest import free_port
from tests.factories import make_school, make_student


def dead_cache():
    """Return the cache pointed at a local port where nothing listens."""
    location = f"redis://127.0.0.1:{free_port()}/0"
    return ResilientRedisCache(
        location, {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    )


def test_unreachable_cache_misses(caplog):
    cache = dead_cache()
    caplog.set_level(logging.WARNING, logger="lms.cache")

    assert cache.get("kunci", "kosong") == "kosong"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("kunci", 1) is False
    assert cache.has_key("kunci") is False
    assert cache.touch("kunci") is False
    assert cache.delete("kunci") is False
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    cache.set("kunci", 1)
    cache.delete_many(["a"])
    assert cache.clear() is False
    assert len(caplog.records) == 1
    assert "operation=get" in caplog.records[0].getMessage()


def test_unreachable_cache_still_raises_on_incr():
    with pytest.raises(redis.exceptions.ConnectionError):
        dead_cache().incr("hitungan")


def test_reachable_cache_stores_values(redis_url):
    cache = ResilientRedisCache(redis_url, {"KEY_PREFIX": "uji-cache"})

    cache.set("kunci", {"nilai": 1}, 30)

    assert cache.get("kunci") == {"nilai": 1}
    assert cache.delete("kunci") is True


@pytest.mark.django_db
def test_sessions_fall_back_to_database(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "lms.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_ROUTE_CACHE = True
    student = make_student(make_school())
    client.force_login(student)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert response.wsgi_request.user == student
