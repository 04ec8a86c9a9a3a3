"""Work that happens after the click: side effects as tasks on a durable queue, and the scheduled jobs.

- `queue`: what the worker adds to django-tasks-db: retries with backoff for a failed job, the jobs that lost their
  worker tried again, re-running a job that failed for good (the admin's "Taken").
- `schedule` + `tasks`: the scheduled jobs (expiry, reminders, anonymisation, payment reconciliation), each run under a
  lock row and recorded (the admin's "Geplande taken").
- `reminders`: which bookings are due a reminder; the mails themselves go through `boeking.notifications`.
- `models`: sent-mail keys (a retried job never sends a mail twice), reminder settings per house, schedule runs.
"""
