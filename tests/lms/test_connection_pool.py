"""The database connection pool of PostgreSQL deployments."""

from psycopg_pool import ConnectionPool

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
        "check": ConnectionPool.check_connection,
    }
    assert database["CONN_MAX_AGE"] == 0


def test_pool_size_zero_leaves_connections_alone():
    databases = postgres()

    use_connection_pool(databases, 0, 10.0)

    assert "OPTIONS" not in databases["default"]
    assert databases["default"]["CONN_MAX_AGE"] == 60


def test_pool_not_used_for_sqlite():
    databases = {"default": {"ENGINE": "django.db.backends.sqlite3"}}

    use_connection_pool(databases, 20, 10.0)

    assert "OPTIONS" not in databases["default"]
