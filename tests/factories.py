"""factory_boy factories, with methods named for the state a test needs (`BookingFactory.approved()`)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from boeking import services
from boeking.clock import make_local
from boeking.models import (
    Booking,
    CapRule,
    District,
    Facility,
    House,
    HouseType,
    Location,
    Membership,
    Neighbourhood,
    OpeningHours,
    OperatorType,
    PostcodeArea,
    Profile,
    Role,
    Room,
    Tariff,
    TariffTier,
    TariffUnit,
)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    name = "Maastricht-Oost"
    slug = "maastricht-oost"


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood
        skip_postgeneration_save = True
        django_get_or_create = ("slug",)

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Buurt {n}")
    slug = factory.Sequence(lambda n: f"buurt-{n}")

    @factory.post_generation
    def pc4s(self, create, extracted, **kwargs):
        for pc4 in extracted or []:
            PostcodeArea.objects.get_or_create(pc4=pc4, neighbourhood=self)


class HouseFactory(factory.django.DjangoModelFactory):
    """A house open every day 08:00–01:00 (past midnight), so opening hours do not get in a test's way."""

    class Meta:
        model = House
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Gemeenschapshuis {n}")
    slug = factory.Sequence(lambda n: f"huis-{n}")
    house_type = HouseType.GEMEENSCHAPSHUIS
    operator_type = OperatorType.VOLUNTEER_BOARD
    neighbourhood = factory.SubFactory(NeighbourhoodFactory)

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if extracted is False:
            return
        OpeningHours.objects.bulk_create(OpeningHours(house=self, weekday=weekday, opens=dt.time(8), closes=dt.time(1))
                                         for weekday in range(7))
        self.refresh_from_db(fields=["weekly_hours"])


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    house = factory.SubFactory(HouseFactory)
    name = "Hoofdgebouw"
    street = factory.Sequence(lambda n: f"Dorpstraat {n}")
    postcode = "6221 AB"


class RoomFactory(factory.django.DjangoModelFactory):
    """A room of 80 people: € 25/hour or € 60/dagdeel for residents, € 15/hour for associations, € 50 deposit."""

    class Meta:
        model = Room
        skip_postgeneration_save = True

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Zaal {n}")
    capacity = 80
    deposit_cents = 5000
    cleaning_fee_cents = 0
    buffer_minutes = 30

    @factory.post_generation
    def tariffs(self, create, extracted, **kwargs):
        if extracted is False:
            return
        for tier, unit, cents in extracted or [
            (TariffTier.PRIVATE, TariffUnit.HOUR, 2500),
            (TariffTier.PRIVATE, TariffUnit.DAYPART, 6000),
            (TariffTier.ASSOCIATION, TariffUnit.HOUR, 1500),
            (TariffTier.OTHER, TariffUnit.HOUR, 4000),
        ]:
            Tariff.objects.create(room=self, tier=tier, unit=unit, amount_cents=cents)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32; the authenticator app of factory-made staff (issue 17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Gebruiker{n}")
    password = factory.django.Password("demo")

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        defaults = {"role": Role.RESIDENT, "postcode": "6221 AB", "phone": "06-12345678", "adult_declared": True}
        defaults.update(kwargs)
        Profile.objects.update_or_create(user=self, defaults=defaults)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Municipality officers and admins must use two-factor (issue 17): they get an authenticator app with secret
        `TOTP_SECRET` (tests log in with a code made from it). `totp=False`: without."""
        if not create or extracted is False:
            return
        if self.is_superuser or Profile.objects.filter(user=self, role=Role.MUNICIPALITY).exists():
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(self, TOTP_SECRET)

    @classmethod
    def resident(cls, **kwargs):
        return cls(**kwargs)

    @classmethod
    def association(cls, **kwargs):
        return cls(profile__role=Role.ASSOCIATION, profile__organisation="Zangkoor Harmonie", **kwargs)

    @classmethod
    def municipality(cls, **kwargs):
        return cls(profile__role=Role.MUNICIPALITY, **kwargs)

    @classmethod
    def volunteer(cls, house: House, **kwargs):
        user = cls(profile__role=Role.VOLUNTEER, **kwargs)
        Membership.objects.create(user=user, house=house)
        return user


def default_caps() -> None:
    """The shipped city-wide caps (SPEC §4): 12 parties, 24 koffietafels, 12 gatherings."""
    for kind, cap in (("party", 12), ("koffietafel", 24), ("gathering", 12)):
        CapRule.objects.update_or_create(kind=kind, house=None, defaults={"cap": cap})


def local_dt(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return make_local(dt.date(year, month, day), dt.time(hour, minute))


class BookingFactory:
    """Bookings made through the services, so they are in the states the services would leave them in."""

    @staticmethod
    def requested(*, room: Room, booker=None, kind: str = "party", start: dt.datetime, end: dt.datetime,
                  guests: int = 40, alcohol: bool = True, title: str = "Verjaardag") -> Booking:
        booker = booker or UserFactory.resident()
        return services.booking_request(booker=booker, room=room, kind=kind, start=start, end=end, guests=guests,
                                        alcohol=alcohol, title=title)

    @classmethod
    def approved(cls, *, approver=None, **kwargs) -> Booking:
        booking = cls.requested(**kwargs)
        approver = approver or UserFactory.volunteer(booking.house)
        return services.booking_approve(booking=booking, actor=approver)

    @classmethod
    def confirmed(cls, *, approver=None, **kwargs) -> Booking:
        booking = cls.requested(**kwargs)
        approver = approver or UserFactory.volunteer(booking.house)
        booking = services.booking_approve(booking=booking, actor=approver)
        if booking.status == "approved":
            booking = services.booking_mark_paid(booking=booking, actor=approver)
        return booking


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility
        django_get_or_create = ("code",)

    code = "keuken"
    name_nl = "Keuken"
    name_en = "Kitchen"
