"""Ids in URLs (config/converters.py): a number past a bigint is a 404 at the URL, on every route — SQLite cannot bind
it (the occupancy page answered 500 for house 9223372036854775808) — and no route takes Django's unbounded <int:…>."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter

from tests.factories import UserFactory


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_no_route_takes_an_unbounded_int():
    unbounded = [route for route, entry in _patterns(get_resolver())
                 if any(isinstance(c, IntConverter) for c in getattr(entry.pattern, "converters", {}).values())]
    assert unbounded == []


@pytest.mark.parametrize("path", ["/gemeente/huizen/{}/bezetting/", "/gemeente/huizen/{}/", "/zalen/{}/",
                                  "/mijn/boekingen/{}/"])
def test_an_id_past_a_bigint_does_not_match(path):
    assert resolve(path.format(2**63 - 1)).kwargs["pk"] == 2**63 - 1
    for bad in (2**63, 10**30, 0):
        with pytest.raises(Resolver404):
            resolve(path.format(bad))


@pytest.mark.django_db
def test_the_occupancy_page_of_a_house_past_a_bigint_is_a_404(client):
    client.force_login(UserFactory.municipality())
    assert client.get(f"/gemeente/huizen/{2**63}/bezetting/").status_code == 404
