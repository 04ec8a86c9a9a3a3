"""The account mails (verification, password reset, two-factor changes) leave the request as a task, like every other
mail of Zaalboek (boeking.notifications): written in the request in the recipient's language, sent by the worker."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task

logger = logging.getLogger("zaalboek.accounts")


@task()
def send_account_mail(*, subject: str, body: str, to: str, kind: str) -> dict:
    """Send one account mail (plain text) to `to`. `kind` names the allauth template (for the log only)."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
    logger.info("account mail %s sent", kind)
    return {"sent": 1, "kind": kind}
