"""The audit trail: one entry per state change (who, when, from, to, why)."""

from __future__ import annotations

from typing import Any

from django.db import models

from boeking.clock import now
from boeking.models import AuditEntry, Booking


def audit(*, actor, action: str, booking: Booking | None = None, obj: models.Model | None = None,
          from_status: str = "", to_status: str = "", reason: str = "", data: dict[str, Any] | None = None
          ) -> AuditEntry:
    subject = booking or obj
    return AuditEntry.objects.create(
        at=now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        booking=booking,
        object_type=subject._meta.model_name if subject is not None else "",
        object_id=str(subject.pk) if subject is not None else "",
        from_status=from_status,
        to_status=to_status,
        reason=reason or "",
        data=data or {},
    )
