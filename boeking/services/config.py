"""State changes of configuration: caps and rule parameters. Audited; effective for new requests only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from boeking.errors import InvalidInput
from boeking.models import PRIVATE_KINDS, CapRule, House, RuleSettings

from .audit import audit


def _effective_date(effective_from) -> dt.date:
    """The day a cap change takes effect: today (local) when not given; never in the past (history stays)."""
    from boeking.clock import today

    day = effective_from or today()
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise InvalidInput("invalid_effective_date", "Geef de ingangsdatum als datum (jjjj-mm-dd).")
    if day < today():
        raise InvalidInput("invalid_effective_date", "Een maximum kan niet met terugwerkende kracht wijzigen: "
                                                     "kies vandaag of een latere datum.")
    if day.year > 2100:
        raise InvalidInput("invalid_effective_date", "Kies een ingangsdatum vóór 2100.")
    return day


def cap_rule_set(*, actor, kind: str, cap: int, house: House | None = None, reason: str = "",
                 effective_from: dt.date | None = None) -> CapRule:
    """Set the city default (no house) or a house's override (reason required) for a private kind, in force from
    the local date `effective_from` (default today; not in the past: `invalid_effective_date`). Earlier versions are
    kept (a past year keeps the cap it had); a version with the same date is replaced.

    Approved bookings are never invalidated: a lower cap only refuses new requests and approvals.
    """
    if kind not in PRIVATE_KINDS:
        raise InvalidInput("invalid_kind", "Alleen feesten, koffietafels en bijeenkomsten hebben een maximum.")
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 0 or cap > 1000:
        raise InvalidInput("invalid_cap", "Het maximum moet een geheel getal tussen 0 en 1000 zijn.")
    if house is not None and not reason.strip():
        raise InvalidInput("reason_required", "Een afwijkend maximum voor één huis vraagt om een reden.")
    day = _effective_date(effective_from)
    with transaction.atomic():
        # Serialise changes of one cap (two first-time overrides would both insert) and, for a house, with its
        # approvals: the same per-house lock the approval takes before counting. City-wide: the rule settings row.
        _lock(house)
        from boeking.rules import CapTable

        table = CapTable(list(CapRule.objects.select_for_update(of=("self",)).filter(kind=kind, house=house)))
        before_rule = table.version(house.pk if house else 0, kind, day)  # this scope's versions only
        before = before_rule.cap if before_rule is not None else None
        rule = CapRule.objects.filter(kind=kind, house=house, effective_from=day).first() or \
            CapRule(kind=kind, house=house, effective_from=day)
        rule.cap = cap
        rule.reason = reason.strip()
        rule.save()
        audit(actor=actor, action="cap_rule.set", obj=rule, reason=reason,
              data={"kind": kind, "house": house.pk if house else None, "from": before, "to": cap,
                    "effective_from": day.isoformat()})
        return rule


def _lock(house: House | None) -> None:
    if house is not None:
        House.objects.select_for_update(no_key=True).filter(pk=house.pk).first()
    else:
        RuleSettings.objects.select_for_update().filter(pk=RuleSettings.current().pk).first()


def cap_rule_remove(*, actor, rule: CapRule, reason: str = "", effective_from: dt.date | None = None) -> None:
    """End a house's override from the local date `effective_from` (default today): the city default applies again
    from then; the override keeps applying to the days before. A version that would only start on that date is
    deleted. The city default itself cannot be removed: a private kind without any cap would be unlimited."""
    if rule.house_id is None:
        raise InvalidInput("default_cap_required", "Het maximum voor de hele gemeente kan niet worden verwijderd; "
                                                   "wijzig het getal.")
    day = _effective_date(effective_from)
    with transaction.atomic():
        _lock(rule.house)
        versions = CapRule.objects.select_for_update(of=("self",)).filter(kind=rule.kind, house_id=rule.house_id)
        audit(actor=actor, action="cap_rule.removed", obj=rule, reason=reason,
              data={"kind": rule.kind, "house": rule.house_id, "cap": rule.cap, "effective_from": day.isoformat()})
        versions.filter(effective_from__gte=day).delete()  # changes planned from that day on are void too
        earlier = versions.filter(effective_from__lt=day).order_by("-effective_from").first()
        if earlier is not None and earlier.cap is not None:
            CapRule.objects.create(kind=rule.kind, house_id=rule.house_id, cap=None, effective_from=day,
                                   reason=reason.strip() or "Eigen maximum vervallen")


def cap_rules_apply(*, actor, changes: list[dict[str, Any]]) -> list[CapRule | None]:
    """Apply several cap changes at once, all or nothing: each `{kind, house, cap, reason, effective_from}` sets
    the city default (`house` None) or a house's override from `effective_from` (a local date, default today);
    `cap` None ends the override. Returns the rules (None where removed)."""
    if not changes:
        raise InvalidInput("empty", "Geef minstens één maximum op.")
    seen = set()
    for change in changes:
        key = (change.get("kind"), change["house"].pk if change.get("house") else None, change.get("effective_from"))
        if key in seen:
            raise InvalidInput("duplicate_cap_rule", "Hetzelfde maximum staat twee keer in de wijziging.")
        seen.add(key)
    results: list[CapRule | None] = []
    with transaction.atomic():
        for change in changes:
            kind, house, cap, reason = change.get("kind"), change.get("house"), change.get("cap"), change.get("reason") or ""
            day = change.get("effective_from")
            if cap is None:
                if house is None:
                    raise InvalidInput("default_cap_required", "Het maximum voor de hele gemeente kan niet worden "
                                                               "verwijderd; wijzig het getal.")
                from boeking.rules import CapTable

                table = CapTable(list(CapRule.objects.filter(kind=kind, house=house)))
                rule = table.version(house.pk, kind, _effective_date(day))
                if rule is None or rule.house_id is None:
                    raise InvalidInput("no_such_cap_rule", "Dit huis heeft voor deze soort geen afwijkend maximum.")
                cap_rule_remove(actor=actor, rule=rule, reason=reason, effective_from=day)
                results.append(None)
            else:
                results.append(cap_rule_set(actor=actor, kind=kind, cap=cap, house=house, reason=reason,
                                            effective_from=day))
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
