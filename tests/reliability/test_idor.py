"""IDOR: walk the API URLconf; every endpoint that takes an object id is called with the id of another user's object
(and, for volunteers, of another house's). Reads of private objects are 404, writes are 403/404, nothing changes.

New endpoints are covered automatically: an id placeholder under a path segment this module cannot map to an object
fails the walk test with a message saying what to add to OBJECTS.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from boeking.models import Closure, Series
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

from .conftest import row_counts

pytestmark = pytest.mark.django_db

PUBLIC_READS = {"houses", "rooms", "closures"}  # objects anyone may read (SPEC §6): GET is 200, writes are not
# Sub-resources of a public object that only its board reads: the object is known, so a refusal is 403, not 404.
BOARD_ONLY_READS = {"/api/v1/closures/{pk}/bookings/"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def object_endpoints():
    """(path template with {id}, first path segment, methods) for every API route that takes an object id."""
    resolver = get_resolver("api.urls")
    found = {}
    for route, pattern in _walk(resolver.url_patterns):
        if not re.search(r"\(\?P<|<", route):
            continue
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions:
            methods = {m.upper() for m in actions} & set(METHODS)
        else:
            view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
            methods = {m.upper() for m in METHODS if view_class and hasattr(view_class, m.lower())}
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path).lstrip("^").rstrip("$").replace("\\.", ".")
        if ".{format}" in path or "{format}" in path:
            continue
        if path in found:
            found[path][1].update(methods)
        else:
            found[path] = (path.split("/")[0], set(methods))
    return [("/api/v1/" + path, segment, sorted(methods)) for path, (segment, methods) in found.items() if methods]


@pytest.fixture
def world(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room_a, room_b = RoomFactory(), RoomFactory()
    owner = UserFactory.resident()
    booking = BookingFactory.requested(room=room_a, booker=owner, start=local_dt(2027, 4, 3, 19),
                                       end=local_dt(2027, 4, 3, 23))
    association = UserFactory.association()
    from boeking import services

    series = services.series_create(booker=association, room=room_a, kind="association", rrule="RRULE:FREQ=WEEKLY",
                                    start_time=local_dt(2027, 4, 6, 19).time(), end_time=local_dt(2027, 4, 6, 21).time(),
                                    first_date=local_dt(2027, 4, 6).date(), until=local_dt(2027, 5, 4).date(),
                                    guests=20)
    closure = Closure.objects.create(house=room_a.house, start=local_dt(2027, 6, 1), end=local_dt(2027, 6, 2),
                                     reason="verbouwing")
    # An invoice of house A for the association (issue 22): its board approves the series and invoices April.
    room_a.house.bank_account = "NL91ABNA0417164300"
    room_a.house.save()
    services.series_approve(series=series, actor=UserFactory.volunteer(room_a.house))
    series.refresh_from_db()
    from boeking.accounts.models import ApiToken
    from boeking.invoicing.services import invoice_run_issue

    (invoice,) = invoice_run_issue(house=room_a.house, period_start=local_dt(2027, 4, 1).date(),
                                   period_end=local_dt(2027, 4, 30).date(), actor=series.decided_by)
    return {
        "objects": {"bookings": booking.pk, "series": series.pk, "closures": closure.pk, "houses": room_a.house_id,
                    "rooms": room_a.pk, "invoices": invoice.pk,
                    "me": ApiToken.issue(booking.booker)[0].pk},  # /me/tokens/{pk}/: the booker's API token (issue 17)
        "intruders": {"other_resident": UserFactory.resident(), "volunteer_of_house_b": UserFactory.volunteer(room_b.house),
                      "association_b": UserFactory.association()},
        "booking": booking, "series": series,
    }


def test_the_walk_finds_the_object_endpoints_and_can_map_each_of_them():
    endpoints = object_endpoints()
    paths = {p for p, _s, _m in endpoints}
    assert "/api/v1/bookings/{pk}/" in paths and "/api/v1/bookings/{pk}/approve/" in paths
    unknown = sorted({s for _p, s, _m in endpoints} - {"bookings", "series", "closures", "houses", "rooms", "invoices",
                                                         "me"})
    assert not unknown, (f"API routes with an object id under {unknown}: add them to the world fixture's objects in "
                         "tests/reliability/test_idor.py (an object of user/house A) so IDOR is tested for them")


@pytest.mark.parametrize("intruder", ["other_resident", "volunteer_of_house_b", "association_b"])
def test_another_users_or_houses_object__404_on_read_and_no_effect_on_write(world, intruder):
    client = APIClient()
    client.force_authenticate(world["intruders"][intruder])
    checked = 0
    for path, segment, methods in object_endpoints():
        object_id = world["objects"].get(segment)
        if object_id is None:
            continue
        url = re.sub(r"\{\w+\}", str(object_id), path)
        for method in methods:
            before = row_counts()
            response = client.generic(method, url, "{}", content_type="application/json")
            where = f"{intruder} {method} {url}"
            if method == "GET" and path in BOARD_ONLY_READS:
                assert response.status_code == 403, where
            elif method == "GET" and segment in PUBLIC_READS:
                assert response.status_code in (200, 400), where  # public; availability wants its dates
            elif method == "GET":
                assert response.status_code == 404, (where, response.status_code)
            else:
                assert response.status_code in (403, 404, 405), (where, response.status_code, response.content[:300])
                if segment not in PUBLIC_READS:
                    assert response.status_code in (404, 405), (where, "another user's object must not be revealed")
            assert row_counts() == before, where
            checked += 1
    assert checked >= 15
    booking, series = world["booking"], world["series"]
    booking.refresh_from_db()
    assert booking.status == "requested" and booking.sequence == 0
    assert Series.objects.get(pk=series.pk).status == series.status
