"""An exclusion constraint that exists on PostgreSQL and is skipped on other databases.

SQLite has no EXCLUDE; there, immediate transactions serialise the overlap check and insert instead
(see `config.settings.base`). Skipping in the DDL methods (not only in the migration) also keeps SQLite's
table rebuilds, which re-emit every constraint, working.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import DEFAULT_DB_ALIAS, connections


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
