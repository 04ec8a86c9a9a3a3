"""boeking.jobs.backends.ImmediateBackend (the tests' and the bench's): a job run at once that broke the caller's
database transaction fails the caller, instead of Django's silent rollback at the end of the caller's `atomic` (a
201 for a booking never written: seen once in tests/reliability/test_connection_loss.py). A job that merely fails —
a mail server that is down — leaves the caller alone, as before."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus

from boeking.jobs.backends import JobBrokeTransaction
from boeking.models import District

pytestmark = pytest.mark.django_db


@task()
def breaks_the_transaction() -> None:
    # What a connection killed inside a job's savepoint leaves behind: the savepoint cannot be rolled back, so Django
    # marks the whole transaction for rollback, and the job fails.
    transaction.set_rollback(True)
    raise DatabaseError("server closed the connection unexpectedly")


@task()
def fails_politely() -> None:
    raise ConnectionRefusedError("the mail server is down")


def test_a_job_that_broke_the_transaction_fails_the_caller_and_nothing_is_written():
    with pytest.raises(JobBrokeTransaction, match="broke the caller's transaction"), transaction.atomic():
        District.objects.create(name="Noord-Oost")
        breaks_the_transaction.enqueue()
    assert not District.objects.filter(name="Noord-Oost").exists()


def test_a_job_that_merely_fails_leaves_the_caller_and_its_write_alone():
    with transaction.atomic():
        District.objects.create(name="Zuid-West")
        result = fails_politely.enqueue()
    assert result.status == TaskResultStatus.FAILED
    assert District.objects.filter(name="Zuid-West").exists()


def test_djangos_own_backend_would_have_answered_as_if_written(settings):
    """The defect this backend closes, shown on Django's: no error reaches the caller, and the write is gone."""
    from django.tasks.backends.immediate import ImmediateBackend

    backend = ImmediateBackend("django", {"QUEUES": ["default"]})
    with transaction.atomic():
        District.objects.create(name="West")
        result = backend.enqueue(breaks_the_transaction, (), {})  # no exception: the caller carries on
    assert result.status == TaskResultStatus.FAILED
    assert not District.objects.filter(name="West").exists()
