"""A resident's own data (SPEC §8): the privacy statement, the JSON download, and deleting the account — future
bookings cancelled first with the usual refund rules, bookings anonymised, the account gone."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from boeking.errors import NotAllowed
from boeking.models import AuditEntry, Booking, RuleSettings, Series
from boeking.services import booking_mark_paid, series_create
from boeking.services.privacy import account_delete
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def january(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))


@pytest.fixture
def resident(client):
    user = UserFactory.resident(first_name="Truus", last_name="Vrancken", profile__phone="06-99887766")
    client.force_login(user)
    return user


def test_statement__public_dutch_with_the_retention_period(client, caps):
    RuleSettings.objects.filter(pk=RuleSettings.current().pk).update(anonymise_after_months=18)
    body = client.get("/privacy/").content.decode()
    assert "Privacyverklaring" in body and "18 maanden na afloop" in body
    assert "De gemeente ziet alleen aantallen" in body


def test_my_data__needs_login(client):
    assert client.get("/mijn/gegevens/")["Location"].startswith("/inloggen/")
    assert client.get("/mijn/gegevens/download/")["Location"].startswith("/inloggen/")


def test_my_data__download_holds_profile_and_bookings(client, resident, room):
    BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 3, 6, 19), end=local_dt(2027, 3, 6, 23),
                             title="50 jaar Truus")
    assert "Download al mijn gegevens" in client.get("/mijn/gegevens/").content.decode()
    response = client.get("/mijn/gegevens/download/")
    assert response["Content-Disposition"] == 'attachment; filename="zaalboek-mijn-gegevens.json"'
    data = json.loads(response.content)
    assert data["account"]["first_name"] == "Truus" and data["profile"]["phone"] == "06-99887766"
    assert [b["title"] for b in data["bookings"]] == ["50 jaar Truus"]
    assert data["audit"][0]["action"] == "booking.requested"


def test_delete_account__confirmation_step_shows_what_is_cancelled_and_the_fee(client, resident, room, frozen_now):
    volunteer = UserFactory.volunteer(room.house)
    late = BookingFactory.approved(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 1, 23, 19),
                                   end=local_dt(2027, 1, 23, 23))
    booking_mark_paid(booking=late, actor=volunteer)
    frozen_now(local_dt(2027, 1, 15, 9))  # 8 days before: within 14 days, the rental is due
    body = client.get("/mijn/gegevens/verwijderen/").content.decode()
    assert "za 23-01-2027 19:00" in body and "€ 100,00" in body  # 4 hours at € 25
    assert get_user_model().objects.filter(pk=resident.pk).exists()  # showing it deletes nothing


def test_delete_account__wrong_password_or_no_confirmation_deletes_nothing(client, resident, room):
    before = (get_user_model().objects.count(), AuditEntry.objects.count())
    response = client.post("/mijn/gegevens/verwijderen/", {"password": "fout", "confirm": "on"})
    assert response.status_code == 200 and "Het wachtwoord klopt niet" in response.content.decode()
    client.post("/mijn/gegevens/verwijderen/", {"password": "demo"})
    assert (get_user_model().objects.count(), AuditEntry.objects.count()) == before


def test_delete_account__cancels_future_with_refund_rules_anonymises_past_and_logs_out(client, resident, room,
                                                                                        frozen_now):
    volunteer = UserFactory.volunteer(room.house)
    past = BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 1, 22, 19),
                                    end=local_dt(2027, 1, 22, 23), title="Verjaardag Truus")
    late = BookingFactory.approved(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 2, 6, 19),
                                   end=local_dt(2027, 2, 6, 23))
    booking_mark_paid(booking=late, actor=volunteer)
    early = BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 4, 3, 19),
                                     end=local_dt(2027, 4, 3, 23))
    Token.objects.create(user=resident)
    frozen_now(local_dt(2027, 1, 25, 9))

    response = client.post("/mijn/gegevens/verwijderen/", {"password": "demo", "confirm": "on"})

    assert response.status_code == 302 and response["Location"] == "/privacy/?verwijderd=1"
    assert not get_user_model().objects.filter(pk=resident.pk).exists()
    assert not Token.objects.exists()
    late, early, past = (Booking.objects.get(pk=b.pk) for b in (late, early, past))
    assert (late.status, late.cancellation_fee_cents, late.refunded_cents) == ("cancelled", 10000, 5000)  # rental due
    assert (early.status, early.cancellation_fee_cents) == ("cancelled", 0)
    assert past.status == "confirmed" and past.total_cents > 0  # the books keep it
    for booking in (late, early, past):
        assert (booking.booker_id, booking.booker_email, booking.booker_phone, booking.title) == (None, "", "", "")
        assert booking.anonymised_at is not None
    assert AuditEntry.objects.filter(action="privacy.account_deleted").exists()
    assert "Uw account is verwijderd" in client.get(response["Location"]).content.decode()
    assert client.get("/mijn/gegevens/").status_code == 302  # logged out


def test_delete_account__association_series_cancelled_from_today(room):
    association = UserFactory.association()
    series = series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                           start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 2, 2),
                           until=dt.date(2027, 3, 30), guests=10, title="Koor")
    report = account_delete(user=association, actor=association)
    series = Series.objects.get(pk=series.pk)
    assert series.status == "cancelled" and series.booker_id is None and series.title == ""
    assert not series.occurrences.filter(status__in=("requested", "approved", "confirmed")).exists()
    assert report.cancelled_series == [series.pk]


def test_delete_account__only_oneself_and_not_an_administrator(caps):
    resident, other = UserFactory.resident(), UserFactory.resident()
    with pytest.raises(NotAllowed):
        account_delete(user=resident, actor=other)
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(NotAllowed) as exc:
        account_delete(user=admin, actor=admin)
    assert exc.value.code == "admin_account"
    assert get_user_model().objects.filter(pk__in=[resident.pk, admin.pk]).count() == 2


def test_delete_account__a_cancellation_fails__earlier_ones_stand_nothing_deleted_retry_finishes(room, monkeypatch):
    """Refunds sent to Stripe must stay recorded: each cancellation commits on its own, before the deletion."""
    from boeking.errors import DomainError
    from boeking.services import bookings as booking_services

    resident = UserFactory.resident()
    first = BookingFactory.requested(room=room, booker=resident, kind="party", start=local_dt(2027, 6, 5, 19),
                                     end=local_dt(2027, 6, 5, 23))
    second = BookingFactory.requested(room=room, booker=resident, kind="party", start=local_dt(2027, 6, 12, 19),
                                      end=local_dt(2027, 6, 12, 23))
    real_cancel = booking_services.booking_cancel

    def failing_second(*, booking, **kwargs):
        if booking.pk == second.pk:
            raise DomainError("payment_provider_unavailable", "Stripe is niet bereikbaar.")
        return real_cancel(booking=booking, **kwargs)

    monkeypatch.setattr(booking_services, "booking_cancel", failing_second)
    with pytest.raises(DomainError):
        account_delete(user=resident, actor=resident)
    assert Booking.objects.get(pk=first.pk).status == "cancelled"
    assert Booking.objects.get(pk=second.pk).status == "requested"
    assert get_user_model().objects.filter(pk=resident.pk).exists()

    monkeypatch.setattr(booking_services, "booking_cancel", real_cancel)
    account_delete(user=resident, actor=resident)
    assert Booking.objects.get(pk=second.pk).status == "cancelled"
    assert not get_user_model().objects.filter(pk=resident.pk).exists()
