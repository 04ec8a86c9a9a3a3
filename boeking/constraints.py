"""An exclusion constraint that exists on PostgreSQL and is skipped on other databases; a GiST index on PostgreSQL
that is a B-tree elsewhere.

SQLite has no EXCLUDE; there, immediate transactions serialise the overlap check and insert instead
(see `config.settings.base`). Skipping in the DDL methods (not only in the migration) also keeps SQLite's
table rebuilds, which re-emit every constraint, working.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.indexes import GistIndex
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Index


class PostgresExclusionConstraint(ExclusionConstraint):
    @staticmethod
    def _is_postgres(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def check(self, model, connection):
        return super().check(model, connection) if connection.vendor == "postgresql" else []

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class PostgresGistIndex(GistIndex):
    """A GiST index on PostgreSQL; elsewhere (SQLite) a B-tree index with the same name and condition on
    `sqlite_fields`, which serves the same queries there as well as SQLite can (SQLite has no GiST)."""

    def __init__(self, *expressions, sqlite_fields=(), **kwargs):
        self.sqlite_fields = tuple(sqlite_fields)
        super().__init__(*expressions, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs["sqlite_fields"] = self.sqlite_fields
        return path, args, kwargs

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        fallback = Index(fields=list(self.sqlite_fields), name=self.name, condition=self.condition)
        return fallback.create_sql(model, schema_editor, **kwargs)
