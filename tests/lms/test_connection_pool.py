"""The database connection pool of PostgreSQL deployments."""

import copy

import pytest
from django.db import connection

from lms.settings.base import use_connection_pool


def postgres():
    return {"default": {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 60}}


def test_pool_set_for_postgresql():
    databases = postgres()

    use_connection_pool(databases, 20, 10.0)

    database = databases["default"]
    assert database["OPTIONS"]["pool"] == {
        "min_size": 2,
        "max_size": 20,
        "timeout": 10.0,
    }
    assert database["CONN_MAX_AGE"] == 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_pool_size_zero_leaves_connections_alone():
    databases = postgres()

    use_connection_pool(databases, 0, 10.0)

    assert "OPTIONS" not in databases["default"]
    assert databases["default"]["CONN_MAX_AGE"] == 60


def test_pool_not_used_for_sqlite():
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3"}}

    use_connection_pool(databases, 20, 10.0)

    assert "OPTIONS" not in databases["default"]


@pytest.mark.django_db
def test_pooled_connection_runs_queries():
    if connection.vendor != "postgresql":
        pytest.skip("the pool is for PostgreSQL")
    from django.db.backends.postgresql.base import DatabaseWrapper

    databases = {"default": copy.deepcopy(connection.settings_dict)}
    databases["default"]["OPTIONS"] = {}
    use_connection_pool(databases, 2, 5.0)
    pooled = DatabaseWrapper(databases["default"], alias="pool_test")
    try:
        with pooled.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        pooled.close()
        pooled.close_pool()
