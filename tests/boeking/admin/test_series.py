"""Series in the admin: read-only pages, whole series decided with actions that call the series services."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission

from boeking import services
from boeking.models import AuditEntry, BookingStatus, OpeningHours, Series
from tests.factories import UserFactory

from .helpers import message_texts, run_action, url


def _series_request(room):
    OpeningHours.objects.filter(house=room.house).delete()
    for weekday in range(7):
        OpeningHours.objects.create(house=room.house, weekday=weekday, opens=dt.time(8), closes=dt.time(23))
    return services.series_create(booker=UserFactory.association(), room=room, kind="association",
                                  rrule="FREQ=WEEKLY;BYDAY=TU", start_time=dt.time(19), end_time=dt.time(21),
                                  first_date=dt.date(2027, 2, 2), until=dt.date(2027, 3, 30), guests=20,
                                  title="Koorrepetitie")


def test_series_admin__approve__through_the_service_occurrences_confirmed(admin_client, room):
    series = _series_request(room)
    response = run_action(admin_client, Series, "approve_series", [series])
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.status == "approved"
    assert set(series.occurrences.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert AuditEntry.objects.filter(action="series.approved", object_id=str(series.pk)).exists()


def test_series_admin__reject_without_reason__refused_and_nothing_changes(admin_client, room):
    series = _series_request(room)
    response = run_action(admin_client, Series, "reject_series", [series])
    assert "reden" in " ".join(message_texts(response))
    series.refresh_from_db()
    assert series.status == "requested"
    response = run_action(admin_client, Series, "reject_series", [series], reason="Zaal in onderhoud")
    series.refresh_from_db()
    assert (series.status, series.decision_reason) == ("rejected", "Zaal in onderhoud")


def test_series_admin__view_only_staff__no_decide_actions(client, room):
    series = _series_request(room)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_series"))
    client.force_login(staff)
    page = client.get(url(Series, "changelist"))
    assert page.status_code == 200
    assert b"approve_series" not in page.content
    run_action(client, Series, "approve_series", [series])
    series.refresh_from_db()
    assert series.status == "requested"


def test_series_admin__staff_not_on_the_board__refused_by_the_service(client, room):
    series = _series_request(room)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_series", "change_series"]))
    client.force_login(staff)

    response = run_action(client, Series, "approve_series", [series])

    assert [t.split(" – ")[0] for t in message_texts(response)] == [f"#{series.pk}: not_allowed"]
    series.refresh_from_db()
    assert series.status == "requested"
