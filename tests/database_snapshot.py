"""
Reset the test database after a transactional test from a snapshot.

Django's ``TransactionTestCase`` ends each test with the ``flush`` command:
it truncates every table and emits ``post_migrate``, which creates the
content types, permissions and role groups again. On PostgreSQL 15 that
took 4 to 6 seconds per test (measured with ``call_command("flush")`` on a
2-core machine at load average 8 to 10), because ``TRUNCATE`` replaces the
files of about 200 tables and their indexes.

A ``DatabaseSnapshot`` copies, once, each table that the migrations left
rows in into a table of its own in the same database. ``restore`` then
deletes the rows of every other table with ``DELETE`` and copies the saved
rows back into each saved table whose rows changed, in one transaction.
The database ends as every non-transactional test sees it, with the same
primary keys, so the content type cache stays valid. Sequences are not
reset, as ``flush`` does not reset them either.

Only PostgreSQL and SQLite are supported. ``install_snapshot_reset`` keeps
Django's ``flush`` for any other database, and for tests that set
``available_apps`` or ``serialized_rollback``.
"""

from django.db import connections, transaction
from django.test import TransactionTestCase

VENDORS = {"postgresql", "sqlite"}
# SQLite's default SQLITE_MAX_COMPOUND_SELECT is 500 terms.
CHECKS_PER_QUERY = 400


class DatabaseSnapshot:
    """Copies of the tables that have rows in a fresh test database."""

    def __init__(self, alias, prefix="snapshot_"):
        self.alias = alias
        self.connection = connections[alias]
        self.tables = sorted(
            self.connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
        )
        # Numbered names, because the prefix and a long table name could
        # pass PostgreSQL's limit of 63 characters.
        self.copies = {}
        with transaction.atomic(using=alias), self.connection.cursor() as cursor:
            for table in self._tables_with_rows(cursor):
                copy = f"{prefix}{len(self.copies)}"
                cursor.execute(f"DROP TABLE IF EXISTS {self._quote(copy)}")
                cursor.execute(
                    f"CREATE TABLE {self._quote(copy)} AS "  # noqa: S608
                    f"SELECT * FROM {self._quote(table)}"
                )
                self.copies[table] = copy

    @staticmethod
    def supports(alias):
        return connections[alias].vendor in VENDORS

    def restore(self):
        """
        Empty the tables that had no rows and copy back the saved rows.

        Return the names of the tables whose saved rows were copied back.
        """
        restored = []
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # Django creates foreign keys DEFERRABLE INITIALLY DEFERRED,
                # and no migration here adds another kind, so the deletes
                # may come in any order.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in self._tables_with_rows(cursor):
                if table not in self.copies:
                    cursor.execute(f"DELETE FROM {self._quote(table)}")  # noqa: S608
            for table, copy in self.copies.items():
                if not self._same_rows(cursor, table, copy):
                    cursor.execute(f"DELETE FROM {self._quote(table)}")  # noqa: S608
                    cursor.execute(
                        f"INSERT INTO {self._quote(table)} "  # noqa: S608
                        f"SELECT * FROM {self._quote(copy)}"
                    )
                    restored.append(table)
        return restored

    def drop(self):
        """Drop the copies, for a test database that is kept (``--reuse-db``)."""
        with self.connection.cursor() as cursor:
            for copy in self.copies.values():
                cursor.execute(f"DROP TABLE IF EXISTS {self._quote(copy)}")

    def _quote(self, name):
        return self.connection.ops.quote_name(name)

    def _tables_with_rows(self, cursor):
        """Return the tables that have at least one row, in a few queries."""
        checks = [
            f"SELECT {index} WHERE EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {self._quote(table)})"
            for index, table in enumerate(self.tables)
        ]
        found = []
        for start in range(0, len(checks), CHECKS_PER_QUERY):
            cursor.execute(" UNION ALL ".join(checks[start : start + CHECKS_PER_QUERY]))
            found.extend(self.tables[row[0]] for row in cursor.fetchall())
        return found

    def _same_rows(self, cursor, table, copy):
        """
        Return whether ``table`` has exactly the rows of ``copy``.

        Every table that Django creates has a primary key, so equal row
        counts and no row of ``table`` missing from ``copy`` mean equal rows.
        """
        table, copy = self._quote(table), self._quote(copy)
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {table}), "  # noqa: S608
            f"(SELECT COUNT(*) FROM {copy}), "
            f"(SELECT COUNT(*) FROM (SELECT * FROM {table} "
            f"EXCEPT SELECT * FROM {copy}) AS changed)"
        )
        table_count, copy_count, changed = cursor.fetchone()
        return table_count == copy_count and changed == 0


def install_snapshot_reset(monkeypatch, snapshots):
    """
    Make transactional tests end with ``restore`` of ``snapshots``.

    ``snapshots`` maps a database alias to its ``DatabaseSnapshot``. A test
    that uses a database without a snapshot, sets ``available_apps`` or
    sets ``serialized_rollback`` keeps Django's ``flush``.
    """
    flush_teardown = TransactionTestCase._fixture_teardown

    def restore_teardown(test_case):
        aliases = list(test_case._databases_names(include_mirrors=False))
        if (
            test_case.available_apps is not None
            or test_case.serialized_rollback
            or any(alias not in snapshots for alias in aliases)
        ):
            flush_teardown(test_case)
            return
        for alias in aliases:
            if "django_content_type" in snapshots[alias].restore():
                from django.contrib.contenttypes.models import ContentType

                ContentType.objects.clear_cache()

    monkeypatch.setattr(TransactionTestCase, "_fixture_teardown", restore_teardown)
