"""State changes of configuration: caps, rule parameters, closures. Audited; effective for new requests only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from boeking.errors import InvalidInput
from boeking.models import PRIVATE_KINDS, CapRule, Closure, House, Room, RuleSettings

from .audit import audit


def cap_rule_set(*, actor, kind: str, cap: int, house: House | None = None, reason: str = "") -> CapRule:
    """Set the city default (no house) or a house's override (reason required) for a private kind.

    Approved bookings are never invalidated: a lower cap only refuses new requests and approvals.
    """
    if kind not in PRIVATE_KINDS:
        raise InvalidInput("invalid_kind", "Alleen feesten, koffietafels en bijeenkomsten hebben een maximum.")
    if not isinstance(cap, int) or cap < 0 or cap > 1000:
        raise InvalidInput("invalid_cap", "Het maximum moet een geheel getal tussen 0 en 1000 zijn.")
    if house is not None and not reason.strip():
        raise InvalidInput("reason_required", "Een afwijkend maximum voor één huis vraagt om een reden.")
    with transaction.atomic():
        rule = CapRule.objects.select_for_update(of=("self",)).filter(kind=kind, house=house).order_by("pk").first()
        before = rule.cap if rule else None
        if rule is None:
            rule = CapRule(kind=kind, house=house)
        rule.cap = cap
        rule.reason = reason.strip()
        rule.save()
        audit(actor=actor, action="cap_rule.set", obj=rule, reason=reason,
              data={"kind": kind, "house": house.pk if house else None, "from": before, "to": cap})
        return rule


def cap_rule_remove(*, actor, rule: CapRule, reason: str = "") -> None:
    with transaction.atomic():
        audit(actor=actor, action="cap_rule.removed", obj=rule, reason=reason,
              data={"kind": rule.kind, "house": rule.house_id, "cap": rule.cap})
        rule.delete()


def rule_settings_update(*, actor, changes: dict[str, Any]) -> RuleSettings:
    settings = RuleSettings.current()
    allowed = {f.name for f in RuleSettings._meta.fields} - {"id", "updated_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput("unknown_setting", f"Onbekende instelling(en): {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        settings = RuleSettings.objects.select_for_update().get(pk=settings.pk)
        before = {k: str(getattr(settings, k)) for k in changes}
        for key, value in changes.items():
            setattr(settings, key, value)
        settings.full_clean()
        settings.save()
        audit(actor=actor, action="rule_settings.updated", obj=settings,
              data={"from": before, "to": {k: str(v) for k, v in changes.items()}})
        return settings


def closure_create(*, actor, house: House, start: dt.datetime, end: dt.datetime, reason: str,
                   room: Room | None = None) -> Closure:
    """Close a house (or one room) for `[start, end)`. Existing bookings are not touched here: the caller sees them
    via `Booking.objects.overlapping` and decides (series handling lands with the series issue)."""
    if end <= start:
        raise InvalidInput("end_before_start", "Het einde van de sluiting moet na het begin liggen.")
    if not reason.strip():
        raise InvalidInput("reason_required", "Geef een reden voor de sluiting.")
    if room is not None and room.house_id != house.pk:
        raise InvalidInput("room_not_in_house", "Deze zaal hoort niet bij dit huis.")
    with transaction.atomic():
        closure = Closure.objects.create(house=house, room=room, start=start, end=end, reason=reason.strip())
        audit(actor=actor, action="closure.created", obj=closure, reason=reason,
              data={"start": start.isoformat(), "end": end.isoformat(), "room": room.pk if room else None})
        return closure


def closure_delete(*, actor, closure: Closure) -> None:
    with transaction.atomic():
        audit(actor=actor, action="closure.deleted", obj=closure, reason=closure.reason,
              data={"start": closure.start.isoformat(), "end": closure.end.isoformat()})
        closure.delete()
