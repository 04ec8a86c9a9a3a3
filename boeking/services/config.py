"""State changes of configuration: caps and rule parameters. Audited; effective for new requests only."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from boeking.errors import InvalidInput
from boeking.models import PRIVATE_KINDS, CapRule, House, RuleSettings

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
        # Serialise changes of one cap (two first-time overrides would both insert) and, for a house, with its
        # approvals: the same per-house lock the approval takes before counting. City-wide: the rule settings row.
        if house is not None:
            House.objects.select_for_update(no_key=True).filter(pk=house.pk).first()
        else:
            RuleSettings.objects.select_for_update().filter(pk=RuleSettings.current().pk).first()
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
    """Remove a house's override (the city default applies again). The city default itself cannot be removed:
    a private kind without any cap would be unlimited."""
    if rule.house_id is None:
        raise InvalidInput("default_cap_required", "Het maximum voor de hele gemeente kan niet worden verwijderd; "
                                                   "wijzig het getal.")
    with transaction.atomic():
        audit(actor=actor, action="cap_rule.removed", obj=rule, reason=reason,
              data={"kind": rule.kind, "house": rule.house_id, "cap": rule.cap})
        rule.delete()


def cap_rules_apply(*, actor, changes: list[dict[str, Any]]) -> list[CapRule | None]:
    """Apply several cap changes at once, all or nothing: each `{kind, house, cap, reason}` sets the city default
    (`house` None) or a house's override; `cap` None removes the override. Returns the rules (None where removed)."""
    if not changes:
        raise InvalidInput("empty", "Geef minstens één maximum op.")
    seen = set()
    for change in changes:
        key = (change.get("kind"), change["house"].pk if change.get("house") else None)
        if key in seen:
            raise InvalidInput("duplicate_cap_rule", "Hetzelfde maximum staat twee keer in de wijziging.")
        seen.add(key)
    results: list[CapRule | None] = []
    with transaction.atomic():
        for change in changes:
            kind, house, cap, reason = change.get("kind"), change.get("house"), change.get("cap"), change.get("reason") or ""
            if cap is None:
                if house is None:
                    raise InvalidInput("default_cap_required", "Het maximum voor de hele gemeente kan niet worden "
                                                               "verwijderd; wijzig het getal.")
                rule = CapRule.objects.filter(kind=kind, house=house).first()
                if rule is None:
                    raise InvalidInput("no_such_cap_rule", "Dit huis heeft voor deze soort geen afwijkend maximum.")
                cap_rule_remove(actor=actor, rule=rule, reason=reason)
                results.append(None)
            else:
                results.append(cap_rule_set(actor=actor, kind=kind, cap=cap, house=house, reason=reason))
    return results


def _check_rule_settings(settings: RuleSettings) -> None:
    """Each field's bounds (the model's validators, `models.bounded`) and combinations no rule could work with."""
    from django.core.exceptions import ValidationError

    try:
        settings.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput("invalid_setting", f"{field}: {' '.join(messages)}") from exc
    if settings.private_min_minutes > settings.private_max_minutes:
        raise InvalidInput("invalid_setting", "De minimale duur moet tussen 1 minuut en de maximale duur liggen.")
    if settings.koffietafel_earliest >= settings.koffietafel_latest:
        raise InvalidInput("invalid_setting", "De koffietafel moet eerder kunnen beginnen dan hij uiterlijk eindigt.")
    parts = [p.strip() for p in settings.resident_postcodes.split(",") if p.strip()]
    for part in parts:
        bounds = [b.strip() for b in part.split("-", 1)]
        if not all(len(b) == 4 and b.isdigit() for b in bounds) or (len(bounds) == 2 and bounds[0] > bounds[1]):
            raise InvalidInput("invalid_postcodes", f"Ongeldige postcode of reeks: {part!r} (bv. 6211-6229).")
    if not parts:
        raise InvalidInput("invalid_postcodes", "Geef minstens één postcode of reeks op (bv. 6211-6229).")


def rule_settings_update(*, actor, changes: dict[str, Any]) -> RuleSettings:
    """Change rule parameters of SPEC §4. Checked as a whole (nothing is written when one value is wrong), audited
    with the values before and after; they apply to requests and approvals from now on."""
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
        _check_rule_settings(settings)
        changes = {k: v for k, v in changes.items() if str(getattr(settings, k)) != before[k]}
        before = {k: before[k] for k in changes}
        if not changes:
            return settings
        settings.save()
        audit(actor=actor, action="rule_settings.updated", obj=settings,
              data={"from": before, "to": {k: str(v) for k, v in changes.items()}})
        return settings


def auto_approval_set(*, actor, house: House, kinds: list[str]) -> list[str]:
    """The board chooses the kinds its house approves at once when every rule passes (default: none). Audited with
    the kinds before and after. Returns the kinds now approved automatically."""
    from boeking import access
    from boeking.clock import now
    from boeking.errors import NotAllowed
    from boeking.models import AutoApproval, BookingKind

    if not access.can_manage_house(actor, house):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kiest dit.")
    wanted = set(kinds or [])
    if not wanted <= set(BookingKind.values):
        raise InvalidInput("invalid_kind", f"Onbekende soort boeking: {', '.join(sorted(wanted - set(BookingKind.values)))}.")
    with transaction.atomic():
        House.objects.select_for_update(no_key=True).filter(pk=house.pk).first()
        before = set(AutoApproval.objects.filter(house=house).values_list("kind", flat=True))
        if before == wanted:
            return sorted(wanted)
        AutoApproval.objects.filter(house=house).exclude(kind__in=wanted).delete()
        AutoApproval.objects.bulk_create([AutoApproval(house=house, kind=k, created_at=now(),
                                                       created_by=actor if actor and actor.is_authenticated else None)
                                          for k in sorted(wanted - before)])
        audit(actor=actor, action="house.auto_approval_set", obj=house,
              data={"from": sorted(before), "to": sorted(wanted)})
    return sorted(wanted)
