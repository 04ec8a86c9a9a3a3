"""Task backends of Zaalboek's own.

`ImmediateBackend` is Django's (a job runs at once, in the caller's process — the tests, and the bench's "mail in the
request" mode) with one difference. Django's swallows a job's failure, which is right for a mail that could not be
sent, but not when the job broke the caller's database transaction: a database error inside the job (a connection
killed mid-job, seen in tests/reliability/test_connection_loss.py) leaves the caller's transaction marked for
rollback, and Django's `atomic` then rolls back *silently* at its end — the request answered 201 for a booking that
was never written. Here such a failure fails the caller too (it raises `JobBrokeTransaction`, a `DatabaseError`), so
the caller's `atomic` rolls back and says so: a clean 500, nothing half written. With the database queue of
production the question does not arise: enqueueing is an INSERT in the caller's transaction, and its failure raises.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction
from django.tasks.backends import immediate
from django.tasks.base import TaskResultStatus


class JobBrokeTransaction(DatabaseError):
    """A job run at once failed in a way that broke the caller's database transaction."""


class ImmediateBackend(immediate.ImmediateBackend):
    def enqueue(self, task, args, kwargs):
        connection = transaction.get_connection()
        result = super().enqueue(task, args, kwargs)
        if result.status == TaskResultStatus.FAILED and connection.in_atomic_block and (
                connection.needs_rollback or connection.closed_in_transaction):
            error = result.errors[-1].exception_class_path if result.errors else "?"
            raise JobBrokeTransaction(f"job {task.name} failed ({error}) and broke the caller's transaction")
        return result
