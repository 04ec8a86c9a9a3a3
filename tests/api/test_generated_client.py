"""The OpenAPI schema is usable as it is: a Python client generated from the live `/api/v1/schema/` with
openapi-python-client imports (every module of it), and with it a program lists houses, reads a room's availability,
gets a token and requests a booking against a running server.

Before the API read JSON only, the schema offered form-encoded and multipart bodies too, and the generated client did
not import (NameError: name 'Unset' is not defined, in seven modules)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.factories import HouseFactory, RoomFactory, UserFactory, default_caps, local_dt

PACKAGE = "zaalboek_client"


def _generate(schema_url: str, target: Path) -> Path:
    """Fetch the schema from the running server and generate a client package from it in `target`."""
    with urllib.request.urlopen(f"{schema_url}?format=json", timeout=30) as response:  # noqa: S310 (the live server)
        assert response.status == 200
        schema = json.load(response)
    request_types = {media for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)
                     for media in op.get("requestBody", {}).get("content", {})}
    assert request_types == {"application/json"}, request_types  # the contract: JSON bodies only
    schema_file = target / "schema.json"
    schema_file.write_text(json.dumps(schema))
    bin_dir = Path(sys.executable).parent  # the generator's post-hooks run ruff from here
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema_file), "--meta", "none",
         "--output-path", str(target / PACKAGE)],
        cwd=target, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Warning" not in result.stdout + result.stderr, result.stdout[-3000:]  # e.g. an operation it had to drop
    return target / PACKAGE


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The generated package, importable as `zaalboek_client`, and the live server's address."""
    package = _generate(f"{live_server.url}/api/v1/schema/", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        monkeypatch.delitem(sys.modules, name)
    yield package, live_server.url
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        sys.modules.pop(name, None)


@pytest.mark.django_db(transaction=True)
def test_generated_client__imports_and_books_a_room(generated_client, frozen_now):
    package, base_url = generated_client
    modules = [m.name for m in pkgutil.walk_packages([str(package)], f"{PACKAGE}.")]
    failures = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # collect them all: the message lists every module that does not import
            failures[name] = repr(exc)
    assert not failures, failures
    assert len(modules) > 100

    from zaalboek_client import AuthenticatedClient, Client
    from zaalboek_client.api.auth import auth_token_create
    from zaalboek_client.api.bookings import bookings_create
    from zaalboek_client.api.houses import houses_list
    from zaalboek_client.api.rooms import rooms_availability_retrieve
    from zaalboek_client.models import (
        AuthTokenRequest,
        Availability,
        Booking,
        BookingInputRequest,
        BookingKindEnum,
        BookingStatusEnum,
        PaginatedHouseList,
        Token,
    )

    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    house = HouseFactory(name="Buurthuis Wyck")
    room = RoomFactory(location__house=house)
    resident = UserFactory.resident()

    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    houses = houses_list.sync(client=anonymous)
    assert isinstance(houses, PaginatedHouseList), houses
    assert [h.name for h in houses.results] == ["Buurthuis Wyck"] and houses.results[0].rooms == [room.pk]

    first_day = local_dt(2027, 4, 3).date()
    availability = rooms_availability_retrieve.sync(id=room.pk, client=anonymous, start=first_day, end=first_day)
    assert isinstance(availability, Availability), availability
    assert availability.busy == [] and availability.open_  # `open` is a builtin: the generator adds "_"

    token = auth_token_create.sync(client=anonymous,
                                   body=AuthTokenRequest(username=resident.username, password="demo"))
    assert isinstance(token, Token), token

    authenticated = AuthenticatedClient(base_url=base_url, token=token.token, prefix="Token",
                                        raise_on_unexpected_status=True)
    booking = bookings_create.sync(client=authenticated, body=BookingInputRequest(
        room=room.pk, kind=BookingKindEnum.PARTY, start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23),
        guests=30, title="Verjaardag"))
    assert isinstance(booking, Booking), booking
    assert booking.status == BookingStatusEnum.REQUESTED
    assert booking.room == room.pk and booking.start == local_dt(2027, 4, 3, 19)
    assert room.bookings.get().booker == resident

    busy = rooms_availability_retrieve.sync(id=room.pk, client=anonymous, start=first_day, end=first_day)
    assert [(b.start, b.end) for b in busy.busy] == [(local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23, 30))]
