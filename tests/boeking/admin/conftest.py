import datetime as dt

import pytest
import recurrence
from django.contrib.auth import get_user_model

from boeking import services
from boeking.models import (
    AuditEntry,
    AutoApproval,
    Booking,
    CapRule,
    Closure,
    District,
    Facility,
    House,
    Location,
    Melding,
    Membership,
    Neighbourhood,
    OpeningHours,
    PaymentEntry,
    PostcodeArea,
    Profile,
    Room,
    RuleSettings,
    Series,
    SeriesSkip,
    StripeEvent,
    Tariff,
)
from tests.factories import BookingFactory, FacilityFactory, RoomFactory, UserFactory, local_dt

from .helpers import PARTY_1

User = get_user_model()


@pytest.fixture
def clock(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    return frozen_now


@pytest.fixture
def room(db, caps, clock):
    return RoomFactory()


@pytest.fixture
def one_of_each(room, clock):
    """One saved object of every model the admin shows, made the way the application makes them."""
    house = room.house
    volunteer = UserFactory.volunteer(house)
    facility = FacilityFactory()
    room.facilities.add(facility)
    postcode = PostcodeArea.objects.create(pc4="6221", neighbourhood=house.neighbourhood)
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1], approver=volunteer)
    closure = services.closure_create(actor=volunteer, house=house, start=local_dt(2027, 7, 1), end=local_dt(2027, 8, 1),
                                      reason="Zomersluiting")
    # A series made directly (its recurrence field as stored); the admin shows it and decides it with actions.
    series = Series.objects.create(
        room=room, house=house, kind="association", recurrence=recurrence.Recurrence(rrules=[recurrence.Rule(
            recurrence.WEEKLY, byday=[recurrence.TU])]), start_time=dt.time(19), end_time=dt.time(21),
        first_date=dt.date(2027, 2, 2), until=dt.date(2027, 3, 30), guests=20, title="Koorrepetitie",
        created_at=clock.current(), updated_at=clock.current())
    skip = SeriesSkip.objects.create(series=series, date=dt.date(2027, 3, 2), reason="closure", detail="Carnaval")
    return {
        District: house.neighbourhood.district,
        Neighbourhood: house.neighbourhood,
        PostcodeArea: postcode,
        House: house,
        OpeningHours: house.opening_hours.first(),
        Location: room.location,
        Facility: facility,
        Room: room,
        Tariff: room.tariffs.first(),
        Profile: volunteer.profile,
        Membership: volunteer.memberships.get(),
        CapRule: CapRule.objects.get(kind="party", house=None),
        RuleSettings: RuleSettings.current(),
        Booking: booking,
        AuditEntry: booking.audit_entries.first(),
        Closure: closure,
        Melding: booking.melding,
        Series: series,
        SeriesSkip: skip,
        # The ledger and Stripe events are written by the payment services; shown read-only here.
        PaymentEntry: PaymentEntry.objects.create(booking=booking, kind="charge", method="offline", amount_cents=17500,
                                                  reason="Contant betaald", at=clock.current(), actor=volunteer),
        StripeEvent: StripeEvent.objects.create(event_id="evt_123", type="payment_intent.succeeded",
                                                received_at=clock.current(), handled=True),
        AutoApproval: _auto_approval(volunteer, house),
        User: volunteer,
    }


def _auto_approval(volunteer, house):
    services.auto_approval_set(actor=volunteer, house=house, kinds=["koffietafel"])
    return house.auto_approvals.get()
