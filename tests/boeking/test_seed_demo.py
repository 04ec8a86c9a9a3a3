"""`manage.py seed_demo` (the Maastricht demo of SPEC §9) and `manage.py expire_bookings`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction

from boeking import clock
from boeking.demo import data as demo_data
from boeking.demo.seed import CURRENT_CAPS_REASON, EARLIER_CAPS
from boeking.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from boeking.management.commands.seed_demo import Command as SeedDemo
from boeking.models import (
    PRIVATE_KINDS,
    AuditEntry,
    Booking,
    BookingKind,
    BookingStatus,
    CapRule,
    Closure,
    District,
    Facility,
    House,
    HouseType,
    Location,
    Melding,
    Membership,
    Neighbourhood,
    OpeningHours,
    PostcodeArea,
    Profile,
    Role,
    Room,
    RuleSettings,
    Tariff,
)
from boeking.rules import CapTable, cap_status

pytestmark = pytest.mark.django_db

MODELS = [District, Neighbourhood, PostcodeArea, Facility, House, OpeningHours, Location, Room, Tariff, Profile,
          Membership, CapRule, RuleSettings, Booking, AuditEntry, Closure, Melding, Invoice, InvoiceLine]
EXPECTED_REFUSALS = {"slot_taken", "series_closed"}  # a taken slot or a closed day; never any other rule


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for this module, in a transaction rolled back at the end; each test runs in a savepoint in it."""
    with django_db_blocker.unblock(), transaction.atomic():
        command, out = SeedDemo(), StringIO()
        call_command(command, stdout=out)
        yield command, out.getvalue()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in [*MODELS, get_user_model()]}


def first_house() -> House:
    return House.objects.get(slug=demo_data.HOUSES[0].slug)


def assert_demo_invariants(command: SeedDemo) -> None:
    """What must hold whatever day the demo is seeded on."""
    now, year = clock.now(), clock.today().year
    refused = set(command.report.skipped) - EXPECTED_REFUSALS
    assert not refused, f"the generator made bookings the rules refuse: {command.report.skipped}"
    # Upcoming bookings relative to now, and history.
    assert Booking.objects.active().filter(start__gt=now).count() >= 20
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED, end__lt=now).count() >= 50
    # Pending requests for bestuur@example.org, still open.
    pending = Booking.objects.filter(house=first_house(), status=BookingStatus.REQUESTED)
    assert pending.count() >= 3 and pending.filter(kind=BookingKind.PARTY).exists()
    assert all(b.decision_deadline > now for b in pending)
    # One house close to its party cap this year (the others stay further below); no house over any cap, any year.
    party = {house.slug: cap_status(house, BookingKind.PARTY, year) for house in House.objects.all()}
    near = [slug for slug, s in party.items() if s.cap - 2 <= s.count <= s.cap]
    assert near == [demo_data.NEAR_CAP_HOUSE], party
    for house_id, kind, local_year in Booking.objects.filter(kind__in=PRIVATE_KINDS).values_list(
            "house", "kind", "local_year").distinct():
        status = cap_status(house_id, kind, local_year)
        assert status.count <= status.cap, (house_id, kind, local_year, status)
    # No two bookings that hold a slot overlap in one room, cleaning buffers included.
    for booking in Booking.objects.active().select_related("room"):
        clashes = Booking.objects.overlapping(booking.room, booking.start, booking.end,
                                              buffer_minutes=booking.room.buffer_minutes).exclude(pk=booking.pk)
        assert not clashes.exists(), (booking, list(clashes))
    # Nothing is overdue: the expiry job would find nothing to do right after seeding.
    assert not Booking.objects.filter(status=BookingStatus.REQUESTED, decision_deadline__lte=now).exists()
    assert not Booking.objects.filter(status=BookingStatus.APPROVED, payment_deadline__lte=now).exists()


def test_seed_demo__builds_maastricht_houses_rooms_and_rules(seeded):
    _, out = seeded
    houses = House.objects.all()
    assert 7 <= houses.count() <= 9
    assert {h.house_type for h in houses} == set(HouseType.values)
    for house in houses:
        assert 2 <= house.rooms.count() <= 4, house
        assert house.opening_hours.exists(), house
        assert all(room.tariffs.filter(tier=tier).exists() for room in house.rooms.all()
                   for tier in ("private", "association", "other"))
    assert any(house.locations.count() == 2 for house in houses.filter(house_type=HouseType.HUIS_VAN_DE_WIJK))
    assert houses.filter(discount_percent__gt=0).exists()
    assert houses.filter(neighbourhood_residents_only=True).exists()
    assert Room.objects.filter(private_events_allowed=False).exists()
    assert OpeningHours.objects.filter(closes__lte=dt.time(2)).exists()  # open past midnight on some nights
    assert {"Wyck", "Jekerkwartier", "Sint Pieter", "Mariaberg", "Amby", "Heugemerveld"} <= set(
        Neighbourhood.objects.values_list("name", flat=True))
    assert all("6211" <= pc4 <= "6229" for pc4 in PostcodeArea.objects.values_list("pc4", flat=True))
    # City-wide caps of SPEC §4 in force today, one override with its reason.
    assert {(r.kind, r.cap) for r in CapTable.load(house_ids=[]).rules_on()} == {
        ("party", 12), ("koffietafel", 24), ("gathering", 12)}
    override = CapRule.objects.get(house__isnull=False)
    assert override.cap < 12 and "horeca" in override.reason.lower()
    assert RuleSettings.objects.count() == 1
    # The output says the PC4 mapping is approximate and prints the accounts and a summary.
    assert "bij benadering" in out and "approximate" in out
    for person in demo_data.DEMO_ACCOUNTS:
        assert person.email in out
    assert "huizen" in out and "zalen" in out and "boekingen" in out


def test_seed_demo__second_run_changes_no_counts(seeded):
    before = counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    assert "al boekingen" in out.getvalue()


def test_seed_demo__city_cap_has_a_history_set_through_the_service(seeded, client):
    """The party cap had an earlier version, a year before the current one: the history on /gemeente/ shows a change
    (both audited as the municipality's changes, oldest first)."""
    earlier, reason = EARLIER_CAPS["party"]
    versions = list(CapRule.objects.filter(kind="party", house__isnull=True).order_by("effective_from"))
    assert [v.cap for v in versions] == [earlier, 12] and versions[0].reason == reason
    assert (versions[1].effective_from - versions[0].effective_from).days in (365, 366)
    assert versions[1].effective_from <= clock.local(Booking.objects.order_by("start").first().start).date()
    changes = AuditEntry.objects.filter(action="cap_rule.set", object_id__in=[str(v.pk) for v in versions])
    assert [(e.data["from"], e.data["to"]) for e in changes.order_by("at")] == [(None, earlier), (earlier, 12)]
    assert {e.actor.username for e in changes} == {"gemeente@example.org"}
    client.force_login(get_user_model().objects.get(username="gemeente@example.org"))
    body = client.get("/gemeente/regels/").content.decode()
    assert reason in body and CURRENT_CAPS_REASON in body


def test_seed_demo__last_month_is_invoiced_through_the_invoice_run(seeded, client):
    """The associations that used rooms last month have an invoice from the house's run (numbered, a PDF, audited);
    one is paid. An association downloads its PDF."""
    today = clock.today()
    period_end = today.replace(day=1) - dt.timedelta(days=1)
    invoices = list(Invoice.objects.select_related("house", "contact").order_by("pk"))
    assert len(invoices) >= 2
    assert {(i.kind, i.period_start, i.period_end) for i in invoices} == {
        (InvoiceKind.INVOICE, period_end.replace(day=1), period_end)}
    assert [i.status for i in invoices].count(InvoiceStatus.PAID) == 1
    for invoice in invoices:
        assert bytes(invoice.pdf).startswith(b"%PDF") and invoice.number.endswith(f"-{invoice.issue_date.year}-0001")
        assert invoice.issue_date <= today and invoice.iban
        lines = InvoiceLine.objects.filter(invoice=invoice).select_related("booking")
        assert lines and sum(line.amount_cents for line in lines) == invoice.total_cents > 0
        assert all(line.booking.kind == BookingKind.ASSOCIATION and line.booking.status == BookingStatus.CONFIRMED
                   and line.booking.booker_id == invoice.contact_id for line in lines)
        assert AuditEntry.objects.filter(action="invoice.issued", object_type="invoice",
                                         object_id=str(invoice.pk)).count() == 1
    paid = next(i for i in invoices if i.status == InvoiceStatus.PAID)
    assert paid.paid_cents == paid.total_cents and paid.issue_date <= paid.paid_on <= today
    choir = get_user_model().objects.get(username="vereniging@example.org")
    mine = next(i for i in invoices if i.contact_id == choir.pk)
    client.force_login(choir)
    assert mine.number in client.get("/mijn/facturen/").content.decode()
    response = client.get(f"/mijn/facturen/{mine.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_seed_demo__demo_accounts_have_their_roles_and_password_demo(seeded):
    expected = {
        "bewoner@example.org": Role.RESIDENT,
        "bestuur@example.org": Role.VOLUNTEER,
        "vereniging@example.org": Role.ASSOCIATION,
        "gemeente@example.org": Role.MUNICIPALITY,
        "admin@example.org": Role.ADMIN,
    }
    for email, role in expected.items():
        user = authenticate(username=email, password="demo")
        assert user is not None, email
        assert user.email == email and user.profile.role == role
    bewoner = get_user_model().objects.get(username="bewoner@example.org")
    assert bewoner.profile.pc4 == "6221" and bewoner.profile.adult_declared and bewoner.get_full_name()
    assert bewoner.profile.phone
    assert get_user_model().objects.get(username="vereniging@example.org").profile.organisation
    admin = get_user_model().objects.get(username="admin@example.org")
    assert admin.is_superuser and admin.is_staff
    assert not get_user_model().objects.filter(is_superuser=True).exclude(pk=admin.pk).exists()


def test_seed_demo__bestuur_volunteers_for_the_first_house(seeded):
    bestuur = get_user_model().objects.get(username="bestuur@example.org")
    assert list(Membership.objects.filter(user=bestuur).values_list("house", flat=True)) == [first_house().pk]
    assert House.objects.first() == first_house()  # first in every list, too
    assert all(Membership.objects.filter(house=house).exists() for house in House.objects.all())


def test_seed_demo__invariants_hold(seeded):
    command, _ = seeded
    assert_demo_invariants(command)


def test_seed_demo__bewoner_has_an_unpaid_and_a_confirmed_coming_booking(seeded):
    now = clock.now()
    mine = Booking.objects.filter(booker__username="bewoner@example.org", start__gt=now)
    approved = mine.get(status=BookingStatus.APPROVED)
    assert approved.payment_deadline > now and approved.paid_cents == 0 and approved.total_cents > 0
    confirmed = mine.get(status=BookingStatus.CONFIRMED)
    assert confirmed.paid_cents == confirmed.total_cents > 0
    assert Booking.objects.filter(booker__username="bewoner@example.org", end__lt=now).exists()


def test_seed_demo__association_bookings_every_week(seeded):
    choir = Booking.objects.filter(booker__username="vereniging@example.org", kind=BookingKind.ASSOCIATION,
                                   status=BookingStatus.CONFIRMED)
    now = clock.now()
    assert choir.filter(start__lt=now).count() >= 8 and choir.filter(start__gt=now).count() >= 4
    assert {clock.local(b.start).weekday() for b in choir} == {1}  # Tuesdays
    assert {clock.local(b.start).time() for b in choir} == {dt.time(19, 30)}


def test_seed_demo__bookings_went_through_the_services(seeded):
    for booking in Booking.objects.prefetch_related("audit_entries"):
        actions = [entry.action for entry in booking.audit_entries.all()]
        assert "booking.requested" in actions, booking
        if booking.status in BookingStatus.COUNTING:
            assert "booking.approved" in actions and booking.decided_by_id, booking
        assert booking.created_at <= clock.now()
        assert booking.price_lines and booking.rule_results
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {BookingStatus.CONFIRMED, BookingStatus.APPROVED, BookingStatus.REQUESTED, BookingStatus.REJECTED,
            BookingStatus.CANCELLED, BookingStatus.EXPIRED} <= statuses
    assert Booking.objects.filter(deposit_settled_at__isnull=False).exists()


def test_seed_demo__meldingen_exist_without_personal_data(seeded):
    meldingen = Melding.objects.all()
    assert meldingen.count() >= 10
    assert set(meldingen.values_list("kind", flat=True)) <= {BookingKind.PARTY, BookingKind.GATHERING}
    fields = {f.name for f in Melding._meta.concrete_fields}
    assert not fields & {"booker", "booker_name", "booker_email", "booker_phone", "booker_postcode", "title",
                         "organisation", "notes"}
    personal = {value for user in get_user_model().objects.all()
                for value in (user.email, user.get_full_name()) if value}
    for row in meldingen.values():
        assert not {str(value) for value in row.values()} & personal


def test_expire_bookings__expires_what_is_overdue(seeded, monkeypatch):
    later = clock.now() + dt.timedelta(days=8)
    overdue = (Booking.objects.filter(status=BookingStatus.REQUESTED, decision_deadline__lte=later).count()
               + Booking.objects.filter(status=BookingStatus.APPROVED, payment_deadline__lte=later).count())
    assert overdue > 0
    monkeypatch.setattr(clock, "_now", lambda: later)
    out = StringIO()
    call_command("expire_bookings", stdout=out)
    assert out.getvalue().splitlines()[0] == f"{overdue} boeking(en) verlopen."
    assert not Booking.objects.filter(status=BookingStatus.REQUESTED, decision_deadline__lte=later).exists()
    out = StringIO()
    call_command("expire_bookings", stdout=out)
    assert out.getvalue().splitlines() == ["0 boeking(en) verlopen.", "0 reeks(en) verlopen."]


def test_seed_demo__reset_reseeds_around_another_day(seeded, monkeypatch):
    # Early in the year: the near-cap house must reach its count within a short stretch of the calendar year.
    monkeypatch.setattr(clock, "_now", lambda: dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))
    houses, users = House.objects.count(), get_user_model().objects.count()
    command = SeedDemo()
    call_command(command, "--reset", stdout=StringIO())
    assert command.report.reset > 0 and command.report.bookings_made
    assert (House.objects.count(), get_user_model().objects.count()) == (houses, users)
    assert Booking.objects.order_by("start").first().start >= clock.now() - dt.timedelta(days=300)
    assert_demo_invariants(command)
    # The invoices went with the bookings and were made anew for the month before the new day, numbered from 1.
    assert {(i.period_end, i.number.rsplit("-", 1)[1]) for i in Invoice.objects.all()} == {(dt.date(2026, 12, 31),
                                                                                             "0001")}
