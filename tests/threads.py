"""Real threads for the concurrency and reliability tests (PostgreSQL), and the SQL invariant they check."""

from __future__ import annotations

import threading

from django.db import connection, connections


def run_concurrently(calls, timeout: float = 60):
    """Start every call in its own thread at the same moment; return (results, errors) in call order. Each thread
    closes its own database connections when done; a thread still running after `timeout` fails the test."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=timeout)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            errors[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread hung: possible deadlock"
    return results, errors


def overlapping_pairs() -> int:
    """Pairs of slot-holding bookings of one room whose blocked times overlap, counted by SQL over the whole table."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM boeking_booking a JOIN boeking_booking b
              ON a.room_id = b.room_id AND a.id < b.id
             AND a.start < b.blocked_until AND b.start < a.blocked_until
            WHERE a.status IN ('requested', 'approved', 'confirmed')
              AND b.status IN ('requested', 'approved', 'confirmed')
            """
        )
        return cursor.fetchone()[0]
