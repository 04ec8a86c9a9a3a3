"""No input can hurt Zaalboek's pages (issue 14): a property-based fuzzer over every web form and every query-string
parameter of the server-rendered pages, as every role (anonymous, resident, association, volunteer of the house,
municipality officer, admin).

The API has its own fuzzer (tests/api/test_schemathesis.py); this one covers what a browser reaches: every route of
frontend/urls.py, frontend/privacy.py and frontend/gemeente.py (htmx and JSON endpoints included) and, from
config/urls.py, the iCal feeds, the open-data exports the municipality's export page links to and the health check
(`test_fuzzer__reaches_every_page_of_the_site` fails when a route is added without an entry in PAGES). Every request
must:

- not be a server error (no 5xx, no exception out of a view);
- when the page refuses it (any 4xx, a form shown again, a redirect without a success message), leave the tables
  that matter untouched: Booking, Series, Closure, AuditEntry, CapRule, RuleSettings, User, Melding, Profile, Invoice,
  InvoiceSettings, AssociationAddress.

Three layers, all deterministic:

1. explicit examples: the inputs that gave a 500 before (KNOWN, and `Page.explicit` for every role let in);
2. the boundary sweep: the page's sample form with one field at a time set to each of the worst values of its type
   (far dates and moments, midnight and the spring gap, 0, -1, 10**30, ６２, NUL, 100,000 characters, ids past
   int64, …);
3. derandomised Hypothesis (fixed seed, no example database): per (page, role), `Page.examples` requests for a role
   the page lets in, one for a role it turns away at the door (`Page.doors`; inputs are not read there). A request is
   the plausible form (seeded ids, near-future dates, valid choices) with up to three fields mutated: an edge value
   of the field's type, any odd value, no value, a list, one value repeated up to 200 times, a file; one in four is
   left plausible. Query strings sometimes carry undecodable bytes, Accept-Language odd languages, the feeds odd
   conditional headers. `ZAALBOEK_FUZZ_SCALE=10` runs ten times as many (same seed), `ZAALBOEK_FUZZ_SEED=7` another
   fixed seed; `ZAALBOEK_FUZZ_SHRINK=0` reports a failure without shrinking it.

The data are seeded once for the module inside a transaction that is rolled back at the end; every request runs in
its own savepoint (rolled back too) with an empty cache, so each starts from the same state and none trips a limit
meant for people. Every 500 the fuzzer found is fixed; a regression test for each sits at the end.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, assume, example, given, note, seed, settings
from hypothesis import strategies as st

from boeking import clock, services
from boeking.invoicing import services as invoicing
from boeking.invoicing.models import AssociationAddress, Invoice, InvoiceSettings
from boeking.models import AuditEntry, Booking, CapRule, Closure, District, Melding, Profile, RuleSettings, Series
from boeking.services.config import cap_rule_set
from tests.factories import (
    BookingFactory,
    FacilityFactory,
    LocationFactory,
    RoomFactory,
    UserFactory,
    default_caps,
    local_dt,
)

# More examples for a deeper run (`ZAALBOEK_FUZZ_SCALE=10 pytest tests/frontend/test_fuzz_pages.py`), same seed.
SCALE = float(os.environ.get("ZAALBOEK_FUZZ_SCALE", "1"))
# Another fixed seed for an exploratory run (`ZAALBOEK_FUZZ_SEED=7`); unset: derandomised, the same every run.
FUZZ_SEED = os.environ.get("ZAALBOEK_FUZZ_SEED")
# Shrinking a failure to its smallest form can take minutes; `ZAALBOEK_FUZZ_SHRINK=0` reports the first one found.
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("ZAALBOEK_FUZZ_SHRINK", "1") != "0" else [])
ROLES = ("anonymous", "resident", "association", "volunteer", "municipality", "admin")
NOW = local_dt(2027, 3, 1, 10)  # a Monday
PASSWORD = "demo"  # tests.factories.UserFactory
COUNTED = {"Booking": Booking, "Series": Series, "Closure": Closure, "AuditEntry": AuditEntry, "CapRule": CapRule,
           "RuleSettings": RuleSettings, "User": get_user_model(), "Melding": Melding, "Profile": Profile,
           "Invoice": Invoice, "InvoiceSettings": InvoiceSettings, "AssociationAddress": AssociationAddress}
POOLS: dict[str, list] = {}  # seeded ids and names, filled by the `seeded` fixture; strategies read them lazily

# --- values --------------------------------------------------------------------------------------------------------

LONG = "x" * 100_000
ANYTHING = [
    "", " ", "0", "-1", "1.5", "1e308", "NaN", "-inf", "true", "null", "[]", "{}", "９", "６２２１", "٦٢٢١", "²", "Ⅻ",
    "\x00", "a\x00b", "\x00" * 50, LONG, "a" * 5000, "€", "🎉", "\u202e", "\ufeff", "\r\n", "<script>alert(1)</script>",
    "' OR 1=1 --", "../../etc/passwd", "%00", "%ff", "0001-01-01", "9999-12-31", "02:30", "2027-03-28T02:30:00",
]
EDGE_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2000-01-01", "2100-12-31", "2101-01-01", "10000-01-01",
              "0000-00-00", "2027-02-29", "2028-02-29", "2027-03-28", "2027-10-31", "2027-13-01", "-2027-01-01",
              "２０２７-０３-０１", "𝟐𝟎𝟐𝟕-𝟎𝟑-𝟎𝟏", "2027-03-01T10:00", "01-03-2027", "2027/03/01", "2027-3-1 ", "20270301"]
EDGE_TIMES = ["00:00", "00:10", "00:17", "01:00", "02:00", "02:30", "02:59", "03:00", "23:59", "23:59:59.999999",
              "24:00", "25:00", "23:60", "-01:00", "１９:００", "7", "19.00", "7 PM", "T19:00", "19:00+01:00"]
OFFSETS = ["", "Z", "+00:00", "+01:00", "+02:00", "-14:00", "+14:00", "+23:59", "-23:59", "+05:45", "+25:00", " 01:00"]
EDGE_NUMBERS = ["0", "-1", "-99999", "2147483648", "9223372036854775808", "-9223372036854775809", str(10**30),
                str(10**4000), "1.5", "1e3", "1_000", "0x10", "６２", "٣", "²", " 12 ", "+7", "NaN", "inf"]
EDGE_IDS = ["0", "-1", "9223372036854775807", "9223372036854775808", str(10**30), "1.0", "１", "1 OR 1=1", "a"]
EDGE_URLS = ["0", "home", "mijn", "//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
             "http://testserver/mijn/", "/mijn/?a=%00", "\x00", "/" + "a" * 3000]

NEAR_DATES = st.dates(dt.date(2027, 2, 20), dt.date(2028, 4, 30)).map(dt.date.isoformat)
PLAIN_TIMES = st.sampled_from(["09:00", "12:30", "13:00", "17:00", "19:00", "20:00", "22:00", "23:00", "00:00", "01:00"])
DROP = object()  # a mutation: leave the field out


@dataclass
class Input:
    """One form field or query parameter: a plausible value (`sample` is one, for the boundary sweep), the values at
    the edges of its type, and the worst of them (`top`: each is sent once for every field of its type)."""

    plausible: st.SearchStrategy
    sample: Any
    top: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()

    def sample_value(self) -> str:
        return self.sample() if callable(self.sample) else self.sample

    def edge(self) -> st.SearchStrategy:
        """An edge value: one of the worst half of the time, else any of the type's or any odd value at all."""
        top = st.sampled_from(self.top) if self.top else st.sampled_from(ANYTHING)
        return st.one_of(top, top, st.sampled_from(self.edges or ANYTHING), st.sampled_from(ANYTHING))


def date(sample: str = "2027-04-17") -> Input:
    return Input(NEAR_DATES, sample, ("0001-01-01", "9999-12-31", "2100-12-31", "2101-01-01"), tuple(EDGE_DATES))


def time(sample: str = "19:00") -> Input:
    return Input(PLAIN_TIMES, sample, ("00:00", "02:30", "24:00", "23:59:59.999999"), tuple(EDGE_TIMES))


def moment(sample: str = "2027-04-12T00:00:00+02:00") -> Input:
    """What FullCalendar sends (`2027-03-01T00:00:00+01:00`), and worse."""
    plausible = st.one_of(st.builds(lambda d: f"{d}T00:00:00+01:00", NEAR_DATES), NEAR_DATES)
    edges = tuple(f"{d}T{t}{o}" for d in ("0001-01-01", "9999-12-31", "2000-01-01", "2100-12-31", "2027-03-28")
                  for t in ("00:00:00", "23:59:59", "02:30") for o in ("", "Z", "-14:00", "+14:00", "+25:00"))
    return Input(plausible, sample, ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01",
                                     "9999-12-31"), edges + tuple(EDGE_DATES))


def number(low: int, high: int, sample: int | None = None) -> Input:
    return Input(st.integers(low, high).map(str), str(low if sample is None else sample),
                 ("0", "-1", str(10**30), "６２"), tuple(EDGE_NUMBERS))


def choice(*values: str) -> Input:
    return Input(st.sampled_from(values), values[0], ("x",), ("", "PARTY", values[0] + "\x00", values[0] * 100))


def ref(pool: str) -> Input:
    return Input(st.deferred(lambda: st.sampled_from(POOLS[pool])).map(str), lambda: str(POOLS[pool][0]),
                 ("0", "9223372036854775808", "a"), tuple(EDGE_IDS))


def text(*values: str) -> Input:
    return Input(st.sampled_from(values), values[0], ("\x00", LONG))


def flag() -> Input:
    return Input(st.sampled_from(["on", ""]), "on", (), ("off", "false", "0", "True", "\x00"))


def url() -> Input:
    return Input(st.sampled_from(["/mijn/", "/", "/bestuur/", "https://evil.example/"]), "/mijn/",
                 ("0", "//evil.example/"), tuple(EDGE_URLS))


def upload() -> st.SearchStrategy:
    """A file where text is expected (multipart bodies only)."""
    def named(data: bytes) -> io.BytesIO:
        f = io.BytesIO(data)
        f.name = "bestand.txt"
        return f

    return st.builds(named, st.binary(max_size=64))


def mutation(spec: Input, post: bool) -> st.SearchStrategy:
    """What the fuzzer does to one field: an edge value of its type (most often), any odd value, no value, a list of
    values (the parameter given more than once), one value repeated up to 200 times, a file."""
    options = [spec.edge(), spec.edge(), spec.edge(), spec.edge(), st.text(max_size=20), st.just(DROP),
               st.lists(st.one_of(spec.edge(), spec.plausible), min_size=2, max_size=4),
               st.builds(lambda v, n: [v] * n, spec.plausible, st.integers(2, 200))]
    if post:
        options.append(upload())
    return st.one_of(*options)


def mutated(fields: dict[str, Input], post: bool) -> st.SearchStrategy[dict]:
    """Every field with a plausible value, then one to three fields (or an unexpected extra one) mutated; one request
    in four is left plausible, so the fuzzer also reaches what a valid form does."""
    specs = {**fields, "unexpected": Input(st.just("1"), "1")}

    def apply(base, changes):
        data = dict(base)
        for name, change in changes.items():
            if change is DROP:
                data.pop(name, None)
            else:
                data[name] = change
        return data

    @st.composite
    def changes(draw):
        names = draw(st.lists(st.sampled_from(list(specs)), min_size=1, max_size=3, unique=True))
        return {name: draw(mutation(specs[name], post)) for name in names}

    base = st.fixed_dictionaries({name: spec.plausible for name, spec in fields.items()})
    return st.builds(apply, base, st.one_of(st.just({}), changes(), changes(), changes()))


# --- the pages -----------------------------------------------------------------------------------------------------


@dataclass
class Page:
    """A page (or htmx/JSON endpoint) and its inputs. `path` may hold `{room}`, `{house}`, `{slug}`, `{booking}`,
    `{closure}`, `{series}`, `{invoice}`, `{token}`, `{fmt}`; `fields` are query parameters (GET) or form fields
    (POST); `query` the query parameters of a POST. `explicit`: requests each role let in sends first (fields over
    nothing, `?name` for a query parameter of a POST, path parts by name)."""

    name: str
    method: str
    path: str
    fields: dict[str, Input] = field(default_factory=dict)
    query: dict[str, Input] = field(default_factory=dict)
    prefix: str = ""  # the form's prefix; "{booking}" is the id in the path
    htmx: bool = False
    examples: int = 3  # generated requests per role that gets past the door (2 for a page without inputs)
    explicit: list[dict[str, Any]] = field(default_factory=list)
    sweep_roles: tuple[str, ...] = ("admin",)  # who sends the boundary sweep (the admin reaches every page's form)
    headers: dict[str, Input] = field(default_factory=dict)  # request headers (WSGI names) the page reads
    sample_path: dict[str, int] = field(default_factory=dict)  # which seeded object it is about (index in its pool)
    doors: tuple[str, ...] = ROLES  # who gets past the door (not sent to the login page, no 403/404): budget only


KINDS = ("party", "koffietafel", "gathering", "association", "community")
GUESTS, SIGNED_IN = ("anonymous",), ROLES[1:]
OWNER = ("resident", "admin")  # of the seeded bookings
BOOKERS = ("resident", "association", "volunteer", "admin")
BOARD = ("volunteer", "admin")  # of the seeded house
USAGE, OFFICERS = ("volunteer", "municipality", "admin"), ("municipality", "admin")
BOOKING = {
    "kind": choice(*KINDS), "date": date(), "daypart": Input(st.sampled_from(["", "", "", "ochtend", "middag", "avond"]), "",
                                                            ("nacht", "OCHTEND")),
    "start_time": time(), "end_time": time("23:00"), "guests": number(1, 120, 40), "alcohol": flag(),
    "title": text("Verjaardag", ""), "notes": text("", "Graag tafels"),
}
# The inputs that gave a 500 before issue 14: far dates with an evening into the next day, a time before the zone's
# first offset in the year 1.
FAR_EVENINGS = [{"date": "9999-12-31", "start_time": "20:00", "end_time": "01:00"},
                {"date": "0001-01-01", "start_time": "00:00", "end_time": "02:00"},
                {"date": "2100-12-31", "start_time": "20:00", "end_time": "01:00"},
                {"date": "2027-03-28", "start_time": "02:30", "end_time": "05:00"}]
AGENDA = {"start": moment(), "end": moment()}
CONDITIONAL = {  # a feed's conditional GET
    "HTTP_IF_NONE_MATCH": Input(st.sampled_from(['"abc"', "*", 'W/"x", "y"']), '"abc"', ("\x00", "a" * 5000)),
    "HTTP_IF_MODIFIED_SINCE": Input(st.sampled_from(["Mon, 01 Mar 2027 10:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"]),
                                    "Mon, 01 Mar 2027 10:00:00 GMT",
                                    ("Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "-1", str(10**30))),
}
CAP = number(0, 40, 12)
SERIES = {  # frontend.forms.SeriesForm
    "kind": choice("association", "community"), "title": text("Koor", ""), "pattern": choice("weekly", "first", "last"),
    "weekdays": choice("TU", "MO", "SU"), "interval": number(1, 12, 1), "start_time": time(), "end_time": time("21:00"),
    "first_date": date("2027-03-02"), "until": date("2027-04-27"), "count": Input(st.sampled_from(["", "4"]), "",
                                                                                  ("0", "201", str(10**30))),
    "guests": number(1, 120, 20),
}
SERIES_DOORS = ("association", "volunteer", "admin")
SERIES_OWNER = ("association", "admin")  # the seeded series are the association's


def rule_settings_fields() -> dict[str, Input]:
    """Every field of the municipality's rule settings form (RuleSettingsForm: all of RuleSettings), with its shipped
    default as the sample, so a setting added later is fuzzed too."""
    from django.db import models

    special = {
        "melding_email": Input(st.sampled_from(["", "meldingen@gemeente.example"]), "",
                               ("x@", "a" * 300 + "@example.org")),
        "resident_postcodes": Input(st.sampled_from(["6211-6229", "6211-6229,6301"]), "6211-6229",
                                    ("6229-6211", "1-99999999999999999999", "６２２１"), ("a-b", "-", ",,", "6211-")),
    }
    fields = {}
    for f in RuleSettings._meta.concrete_fields:
        if not f.editable or f.primary_key:
            continue
        default = f.get_default()
        if f.name in special:
            fields[f.name] = special[f.name]
        elif isinstance(f, models.TimeField):
            fields[f.name] = time(default.strftime("%H:%M"))
        elif isinstance(f, models.BooleanField):
            fields[f.name] = Input(st.sampled_from(["on", ""]), "on" if default else "", (), ("x", "\x00"))
        elif isinstance(f, models.IntegerField):
            fields[f.name] = number(max(0, default - 10), default + 10, default)
        else:
            fields[f.name] = text(str(default or ""))
    return fields


RULE_SETTINGS = rule_settings_fields()

PAGES = [
    Page("home", "GET", "/", {"date": date(), "guests": number(1, 200), "facilities": choice("keuken", "beamer"),
                              "access": choice("step_free", "wheelchair", "lift", "accessible_toilet", "hearing_loop")},
         examples=5, explicit=[{"date": "9999-12-31"}, {"date": "0001-01-01"}, {"date": "2100-12-31", "guests": "1"}]),
    Page("house", "GET", "/huizen/{slug}/"),
    Page("house-agenda", "GET", "/huizen/{slug}/agenda.json", AGENDA, examples=5,
         explicit=[{"start": "0001-01-01T00:00:00+14:00", "end": "9999-12-31T23:59:59-14:00"},
                   {"start": "9999-12-31", "end": "0001-01-01"}]),
    Page("room", "GET", "/zalen/{room}/", {"soort": choice(*KINDS), "gasten": number(1, 120), "datum": date(),
                                           "begin": time(), "eind": time(), "week": date()}, examples=4,
         explicit=[{"week": "9999-12-31", "datum": "0001-01-01"}, {"week": "2100-12-31"}]),
    Page("room-book", "POST", "/zalen/{room}/", BOOKING, query={"week": date()}, examples=6,
         sweep_roles=("resident", "admin"),
         explicit=[{"kind": "party", "guests": "40", **period} for period in FAR_EVENINGS], doors=SIGNED_IN),
    Page("room-agenda", "GET", "/zalen/{room}/agenda.json", AGENDA, examples=5,
         explicit=[{"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-08"}, {"start": "2100-12-31"}]),
    Page("room-quote", "POST", "/zalen/{room}/prijs/", BOOKING, htmx=True, examples=6, sweep_roles=("anonymous",),
         explicit=[{"kind": "party", "guests": "40", **period} for period in FAR_EVENINGS]),
    Page("login-page", "GET", "/inloggen/", {"next": url()}, sweep_roles=("anonymous",), doors=GUESTS),
    Page("login", "POST", "/inloggen/", {"login": ref("usernames"), "password": text(PASSWORD, "fout")},
         query={"next": url()}, examples=4, sweep_roles=("anonymous",), doors=GUESTS),
    Page("logout", "POST", "/uitloggen/", {"next": url()}),
    Page("signup-page", "GET", "/aanmelden/", {"next": url()}, sweep_roles=("anonymous",), doors=GUESTS),
    Page("signup", "POST", "/aanmelden/", {
        "first_name": text("Anouk"), "last_name": text("Janssen"),
        "email": Input(st.sampled_from(["nieuw@example.org", "NIEUW@Example.org"]), "nieuw@example.org",
                       ("x@", "a" * 300 + "@example.org"), ("@example.org", "bewoner@exämple.org", "user0@example.org")),
        "postcode": Input(st.sampled_from(["6221 AB", "6221AB"]), "6221 AB", ("６２２１ AB", "1234 ZZ"), ("6221 A",)),
        "phone": text("", "06-12345678"), "password1": text("Zaalboek-2027!"), "adult": flag()},
        query={"next": url()}, examples=5, sweep_roles=("anonymous",),
        explicit=[{"first_name": "A", "last_name": "J", "email": "nieuw@example.org", "postcode": "6221 AB",
                   "password1": "Zaalboek-2027!", "adult": "on", "?next": next_} for next_ in ("0", "home", "/\\x")], doors=GUESTS),
    Page("language", "POST", "/taal/", {"language": choice("nl", "en"), "next": url()}, sweep_roles=("anonymous",)),
    # "Mijn account" (issue 17); a token id that is not the caller's (here a booking's id) is refused, not a 5xx.
    Page("account", "GET", "/account/", examples=2, doors=SIGNED_IN),
    Page("account-token-revoke", "POST", "/account/sleutels/{booking}/intrekken/", examples=2, doors=SIGNED_IN),
    Page("mijn", "GET", "/mijn/", doors=SIGNED_IN),
    Page("mijn-booking", "GET", "/mijn/boekingen/{booking}/", doors=OWNER),
    Page("mijn-cancel-page", "GET", "/mijn/boekingen/{booking}/annuleren/", doors=OWNER),
    Page("mijn-cancel", "POST", "/mijn/boekingen/{booking}/annuleren/", {"reason": text("Ziek", "")}, examples=4,
         sweep_roles=("resident",), doors=OWNER),
    Page("mijn-pay", "GET", "/mijn/boekingen/{booking}/betalen/", doors=OWNER),
    Page("bestuur", "GET", "/bestuur/", examples=2, doors=BOARD),
    Page("bestuur-booking", "GET", "/bestuur/boekingen/{booking}/", doors=BOARD),
    Page("bestuur-decide", "POST", "/bestuur/boekingen/{booking}/besluit/",
         {"decision": choice("approve", "reject"), "reason": text("Vol", ""), "next": url()}, prefix="b{booking}",
         examples=4, doors=BOARD),
    Page("bestuur-mark-paid", "POST", "/bestuur/boekingen/{booking}/betaald/", {"confirm": choice("yes")}, doors=BOARD),
    Page("bestuur-deposit", "POST", "/bestuur/boekingen/{booking}/borg/",
         {"retain": Input(st.sampled_from(["0", "10", "10.50"]), "10", ("NaN", "1e9", "-1", "Infinity"),
                          ("50.001", "99999999999", "1e-9", "１", "sNaN", "-0")),
          "reason": text("Schade", "")}, examples=4, sample_path={"booking": 3}, doors=BOARD),
    Page("bestuur-cancel", "POST", "/bestuur/boekingen/{booking}/annuleren/",
         {"reason": text("Ziek", ""), "confirm": choice("yes")}, doors=BOARD),
    Page("bestuur-calendar", "GET", "/bestuur/huizen/{slug}/agenda/", doors=BOARD),
    Page("bestuur-closures-page", "GET", "/bestuur/huizen/{slug}/sluitingen/", doors=BOARD),
    Page("bestuur-closures", "POST", "/bestuur/huizen/{slug}/sluitingen/",
         {"room": ref("rooms"), "date": date(), "start_time": time("08:00"), "end_date": date("2027-04-18"),
          "end_time": time("12:00"),
          "reason": text("Onderhoud", "")}, examples=5,
         explicit=[{"date": "9999-12-31", "start_time": "00:00", "end_date": "9999-12-31", "end_time": "23:59",
                    "reason": "Onderhoud"}], doors=BOARD),
    Page("bestuur-closure-delete", "POST", "/bestuur/huizen/{slug}/sluitingen/{closure}/verwijderen/",
         {"confirm": choice("yes")}, doors=BOARD),
    Page("bestuur-closure-cancel-bookings", "POST", "/bestuur/huizen/{slug}/sluitingen/{closure}/boekingen-annuleren/",
         {"booking": ref("bookings"), "confirm": choice("yes")}, doors=BOARD),
    Page("bestuur-unavailable-cancel", "POST", "/bestuur/niet-te-boeken/annuleren/",
         {"booking": ref("bookings"), "reason": text("Zaal dicht", ""), "confirm": choice("yes")}, doors=BOARD),
    Page("bestuur-series", "GET", "/bestuur/huizen/{slug}/reeksen/", doors=BOARD),
    Page("bestuur-series-decide", "POST", "/bestuur/huizen/{slug}/reeksen/{series}/besluit/",
         {"decision": choice("approve", "reject"), "reason": text("Vol", ""),
          "exclude": date("2027-03-16"), "next": url()},
         examples=4, doors=BOARD),
    # Series on the web (issue 18): the association's request with its preview, and its own series' page
    Page("room-series-page", "GET", "/zalen/{room}/reeks/", doors=SERIES_DOORS),
    Page("room-series", "POST", "/zalen/{room}/reeks/", {**SERIES, "action": choice("preview", "send")}, examples=4,
         sweep_roles=("association",), doors=SERIES_DOORS),
    Page("room-series-preview", "POST", "/zalen/{room}/reeks/datums/", SERIES, htmx=True, examples=4,
         sweep_roles=("association",), doors=SERIES_DOORS),
    Page("mijn-series", "GET", "/mijn/reeksen/{series}/", doors=SERIES_OWNER),
    Page("mijn-series-cancel", "POST", "/mijn/reeksen/{series}/annuleren/",
         {"scope": choice("date", "following", "all"), "booking": ref("bookings"), "from_date": date("2027-03-16"),
          "reason": text("", "Zomerstop"), "confirm": choice("yes", "")}, doors=SERIES_OWNER,
         sweep_roles=("association",)),
    Page("mijn-series-time", "POST", "/mijn/reeksen/{series}/tijd/",
         {"from_date": date("2027-03-16"), "start_time": time(), "end_time": time("21:00"), "reason": text("", "Later")},
         doors=SERIES_OWNER, sweep_roles=("association",)),
    Page("mijn-series-restore", "POST", "/mijn/reeksen/{series}/herstellen/", {"date": date("2027-03-16")},
         doors=SERIES_OWNER, sweep_roles=("association",)),
    Page("bestuur-settings-page", "GET", "/bestuur/huizen/{slug}/instellingen/", doors=BOARD),
    Page("bestuur-settings", "POST", "/bestuur/huizen/{slug}/instellingen/",
         {"auto_approve": Input(st.lists(st.sampled_from(KINDS), max_size=5, unique=True), ["party"], ("x",))}, doors=BOARD),
    Page("mijn-invoices", "GET", "/mijn/facturen/", examples=2, doors=BOOKERS),
    Page("mijn-invoices-address", "POST", "/mijn/facturen/",
         {"name": text("Zangkoor Harmonie", ""), "street": text("Kerkstraat 1", ""), "postcode": text("6221 AB", "６２２１"),
          "city": text("Maastricht", "")}, sweep_roles=("association",), doors=("association",)),
    Page("mijn-invoice-pdf", "GET", "/mijn/facturen/{invoice}/pdf/", examples=2, doors=("association", "admin")),
    Page("bestuur-invoices", "GET", "/bestuur/huizen/{slug}/facturen/", {"van": date("2027-03-01"), "tot": date("2027-03-31")},
         examples=4, explicit=[{"van": "0001-01-01", "tot": "9999-12-31"}, {"van": "2027-03-01", "tot": "2000-01-01"}], doors=BOARD),
    Page("bestuur-invoices-issue", "POST", "/bestuur/huizen/{slug}/facturen/maken/",
         {"van": date("2027-04-01"), "tot": date("2027-04-30")}, examples=4,
         explicit=[{"van": "0001-01-01", "tot": "9999-12-31"}], doors=BOARD),
    Page("bestuur-invoice-settings-page", "GET", "/bestuur/huizen/{slug}/facturen/instellingen/", examples=2, doors=BOARD),
    Page("bestuur-invoice-settings", "POST", "/bestuur/huizen/{slug}/facturen/instellingen/", {
        "prefix": text("KAS", "a b"), "legal_name": text("Stichting De Kastanje", ""), "address": text("Kastanjelaan 1", ""),
        "iban": Input(st.sampled_from(["NL91ABNA0417164300", ""]), "NL91ABNA0417164300",
                      ("NL00ABNA0000000000", "６２"), ("XX", "NL91 ABNA 0417 1643 00")),
        "kvk": text("12345678", "１２３"), "vat_exempt": flag(), "vat_rate_percent": number(0, 30, 21),
        "vat_number": text("", "NL123456789B01"), "payment_term_days": number(1, 120, 14)}, examples=4, doors=BOARD),
    Page("bestuur-invoices-export", "GET", "/bestuur/huizen/{slug}/facturen/export.{fmt}",
         {"export-van": date("2027-01-01"), "export-tot": date("2027-03-31"), "tabel": choice("facturen", "betalingen")},
         examples=4, explicit=[{"export-van": "0001-01-01", "export-tot": "9999-12-31", "fmt": fmt} for fmt in ("xlsx", "csv")],
         doors=BOARD),
    Page("bestuur-invoice", "GET", "/bestuur/huizen/{slug}/facturen/{invoice}/", examples=2, doors=BOARD),
    Page("bestuur-invoice-credit", "POST", "/bestuur/huizen/{slug}/facturen/{invoice}/",
         {"reason": text("verkeerd tarief", "")}, doors=BOARD),
    Page("bestuur-invoice-pdf", "GET", "/bestuur/huizen/{slug}/facturen/{invoice}/pdf/", examples=2, doors=BOARD),
    Page("bestuur-invoice-paid", "POST", "/bestuur/huizen/{slug}/facturen/{invoice}/betaald/",
         {"paid_on": date("2027-03-01"), "next": choice("detail", "")}, examples=4,
         explicit=[{"paid_on": "0001-01-01"}, {"paid_on": "9999-12-31"}], doors=BOARD),
    Page("privacy", "GET", "/privacy/", {"verwijderd": choice("1", "0")}),
    Page("my-data", "GET", "/mijn/gegevens/", examples=2, doors=SIGNED_IN),
    Page("my-data-download", "GET", "/mijn/gegevens/download/", examples=2, doors=SIGNED_IN),
    Page("delete-account-page", "GET", "/mijn/gegevens/verwijderen/", examples=2, doors=SIGNED_IN),
    Page("delete-account", "POST", "/mijn/gegevens/verwijderen/",
         {"password": text(PASSWORD, "fout"), "confirm": flag()}, sweep_roles=("resident",), doors=SIGNED_IN),
    Page("gemeente", "GET", "/gemeente/", {"year": number(2024, 2028, 2027), "district": ref("districts"),
                                           "house_type": choice("gemeenschapshuis", "huis_van_de_wijk")},
         examples=4, explicit=[{"year": "9999"}, {"year": "0"}, {"year": "６２２１"}], doors=USAGE),
    Page("gemeente-house", "GET", "/gemeente/huizen/{house}/", {"year": number(2024, 2028, 2027)}, examples=4,
         explicit=[{"year": str(10**30)}, {"year": "-1"}], doors=USAGE),
    Page("gemeente-house-post", "POST", "/gemeente/huizen/{house}/",
         {"action": choice("set", "remove"), "kind": choice("party", "koffietafel", "gathering"), "cap": CAP,
          "reason": text("horeca", "")}, query={"year": number(2024, 2028, 2027)}, examples=4, doors=OFFICERS),
    Page("gemeente-caps", "GET", "/gemeente/maxima/", examples=2, doors=OFFICERS),
    Page("gemeente-caps-post", "POST", "/gemeente/maxima/",
         {"action": choice("defaults", "override", "remove"), "party": CAP, "koffietafel": CAP, "gathering": CAP,
          "reason": text("horeca", ""), "house": ref("houses"), "kind": choice("party", "koffietafel", "gathering"),
          "cap": CAP, "rule": ref("cap_rules")}, examples=5,
         explicit=[{"action": "remove", "rule": rule} for rule in ("x", "", "9223372036854775808", "１")], doors=OFFICERS),
    Page("gemeente-rules", "GET", "/gemeente/regels/", examples=2, doors=OFFICERS),
    Page("gemeente-rules-post", "POST", "/gemeente/regels/", RULE_SETTINGS, examples=5, doors=OFFICERS),
    Page("gemeente-meldingen", "GET", "/gemeente/meldingen/",
         {"start": date("2027-04-01"), "end": date("2027-04-30"), "house": ref("houses")}, examples=5,
         explicit=[{"start": "0001-01-01"}, {"end": "9999-12-31"}, {"start": "9999-12-31", "end": "0001-01-01"}], doors=OFFICERS),
    Page("gemeente-export", "GET", "/gemeente/export/", examples=2, doors=OFFICERS),
    # Issue 21: occupancy, own income, accessibility, automatic approval, the yearly report, the .xlsx/.csv files
    Page("gemeente-occupancy", "GET", "/gemeente/bezetting/",
         {"year": number(2024, 2028, 2027), "month": number(1, 12, 3)}, examples=4,
         explicit=[{"month": "13"}, {"month": "０"}, {"year": "9999"}, {"year": "-1"}], doors=USAGE),
    Page("gemeente-occupancy-house", "GET", "/gemeente/huizen/{house}/bezetting/",
         {"year": number(2024, 2028, 2027), "month": number(1, 12, 3)}, examples=4, doors=USAGE),
    Page("gemeente-income", "GET", "/gemeente/inkomsten/", {"year": number(2024, 2028, 2027)}, examples=4,
         explicit=[{"year": str(10**30)}], doors=OFFICERS),
    Page("gemeente-accessibility", "GET", "/gemeente/toegankelijkheid/",
         {"screened": choice("yes", "no", ""), "step_free": flag(), "toilet": flag()}, examples=4, doors=OFFICERS),
    Page("gemeente-auto-approval", "GET", "/gemeente/automatisch-goedkeuren/", examples=2, doors=USAGE),
    Page("gemeente-reports", "GET", "/gemeente/rapport/", {"year": number(2024, 2028, 2027)}, examples=2,
         doors=OFFICERS),
    Page("gemeente-report", "GET", "/gemeente/rapport/{year}/", examples=4, doors=OFFICERS),
    Page("gemeente-export-file", "GET", "/gemeente/export/{what}.{fmt}", {"year": number(2024, 2028, 2027)},
         examples=4, doors=OFFICERS),
    Page("export-usage-csv", "GET", "/api/v1/usage/export.csv", {"year": number(2024, 2028, 2027)}),
    Page("export-usage-json", "GET", "/api/v1/usage/export.json", {"year": number(2024, 2028, 2027)}),
    Page("export-accessibility-csv", "GET", "/api/v1/accessibility/export.csv", examples=2),
    Page("export-accessibility-json", "GET", "/api/v1/accessibility/export.json", examples=2),
    Page("ical-room", "GET", "/ical/rooms/{room}.ics", {"lang": choice("nl", "en")}, headers=CONDITIONAL),
    Page("ical-house", "GET", "/ical/houses/{house}.ics", {"lang": choice("nl", "en")}, headers=CONDITIONAL),
    Page("ical-private", "GET", "/ical/private/{token}.ics", headers=CONDITIONAL),
    Page("ical-private-other", "GET", "/ical/private/{slug}"),
    Page("health", "GET", "/healthz", examples=2),
]


def ids(pool: str) -> st.SearchStrategy:
    """A seeded id from `pool` (three times in four) or an odd one (0, past int64, huge)."""
    seeded = st.deferred(lambda: st.sampled_from(POOLS[pool]))
    odd = st.one_of(st.sampled_from([0, 2**31, 2**63 - 1, 2**63, 2**64 + 1, 10**30]), st.integers(0, 10**6))
    return st.one_of(seeded, seeded, seeded, odd)


PATH_PARTS = {
    "room": lambda: ids("rooms"), "house": lambda: ids("houses"), "booking": lambda: ids("bookings"),
    "closure": lambda: ids("closures"), "series": lambda: ids("series"), "invoice": lambda: ids("invoices"),
    "fmt": lambda: st.sampled_from(["xlsx", "csv", "csv", "pdf", "x" * 200]),
    "year": lambda: st.one_of(st.integers(2024, 2028), st.integers(2024, 2028), st.integers(2024, 2028),
                              st.sampled_from([0, 1999, 2101, 2**63, 10**30])),
    "what": lambda: st.sampled_from(["gebruik", "toegankelijkheid", "toegankelijkheid", "x" * 200]),
    "slug": lambda: st.one_of(*[st.deferred(lambda: st.sampled_from(POOLS["slugs"]))] * 3,
                              st.from_regex(r"[-a-zA-Z0-9_]{1,60}", fullmatch=True), st.just("a" * 3000)),
    "token": lambda: st.one_of(st.deferred(lambda: st.sampled_from(POOLS["tokens"])),
                               st.from_regex(r"[A-Za-z0-9_-]{1,200}", fullmatch=True)),
}


@dataclass(repr=False)
class Request:
    role: str
    path: str
    data: dict
    query: dict
    raw_query: str = ""
    language: str = "nl"
    headers: dict = field(default_factory=dict)

    def __repr__(self):  # Hypothesis prints the failing example: keep it readable
        def short(values):
            return {k: v if len(repr(v)) < 120 else f"{repr(v)[:100]}… ({len(repr(v))} chars)" for k, v in values.items()}

        return (f"Request({self.role}, {self.path!r}, data={short(self.data)}, query={short(self.query)}, "
                f"raw={self.raw_query!r}, language={self.language!r}, headers={short(self.headers)})")


def requests(page: Page, role: str) -> st.SearchStrategy[Request]:
    parts = {name: make() for name, make in PATH_PARTS.items() if "{" + name + "}" in page.path}
    post = page.method == "POST"

    @st.composite
    def build(draw):
        chosen = {name: draw(strategy) for name, strategy in parts.items()}
        data = draw(mutated(page.fields, post))
        if page.prefix and draw(st.integers(0, 4)):  # mostly under the form's own prefix
            prefix = page.prefix.format(**chosen)
            data = {f"{prefix}-{k}" if k in page.fields and k != "next" else k: v for k, v in data.items()}
        query = draw(mutated(page.query, False)) if page.query else {}
        raw_query = draw(st.sampled_from(["", "", "", "", "%FF%FE=%C0%AF", "&&==&", "a=%00%00", "date=%ED%A0%80"]))
        language = draw(st.sampled_from(["nl", "nl", "en", "en-GB,en;q=0.5", "xx-\x7f", "*;q=NaN", ""]))
        headers = {k: _last(v) for k, v in draw(mutated(page.headers, False)).items() if k in page.headers}
        return Request(role, page.path.format(**chosen), data, query, raw_query, language, headers)

    return build()


def explicit_request(page: Page, role: str, values: dict[str, Any], *, base: bool = False) -> Request:
    """A request built by hand: the seeded first room/house/booking… in the path (or `values[name]`), the fields in
    `values` (`"?name"`: a query parameter of a POST) over the page's sample form when `base`, under the form's
    prefix."""
    chosen = {name: values.get(name, POOLS.get(name + "s", POOLS.get(name, [1]))[page.sample_path.get(name, 0)])
              for name in PATH_PARTS if "{" + name + "}" in page.path}
    fields = {name: spec.sample_value() for name, spec in page.fields.items()} if base else {}
    fields.update((k, v) for k, v in values.items() if not k.startswith(("?", "HTTP_")) and k not in chosen)
    fields = {k: v for k, v in fields.items() if v is not DROP}
    query = {name: spec.sample_value() for name, spec in page.query.items()} if base else {}
    query.update((k[1:], v) for k, v in values.items() if k.startswith("?"))
    if page.prefix:
        prefix = page.prefix.format(**chosen)
        fields = {f"{prefix}-{k}" if k in page.fields and k != "next" else k: v for k, v in fields.items()}
    headers = {name: spec.sample_value() for name, spec in page.headers.items()} if base else {}
    headers.update((k, v) for k, v in values.items() if k.startswith("HTTP_"))
    return Request(role, page.path.format(**chosen), fields, query, headers=headers)


def _last(value) -> str:
    """What `request.POST.get()` sees: the last of several values; a file is not in POST at all."""
    if isinstance(value, list):
        value = value[-1] if value else ""
    return value if isinstance(value, str) else ""


# Inputs that still give a 500 and are fixed elsewhere: the fuzzer steps around them, each with a strict xfail test
# that fails (XPASS) once fixed. Empty: every 500 the fuzzer found is fixed.
UNFIXED: dict[str, Any] = {}


def known_unfixed(page: Page, request: Request) -> bool:
    return page.name in UNFIXED and UNFIXED[page.name](request)


# --- seeded data ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Two houses (three rooms), a user per role, bookings in every state, a requested series, a closure, a melding,
    a house's own cap. Created once in an outer transaction that is rolled back after the module."""
    with pytest.MonkeyPatch.context() as mp:
        now = {"now": local_dt(2027, 1, 4, 9)}
        mp.setattr(clock, "_now", lambda: now["now"])
        cache.clear()
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                data = _seed(now)
                POOLS.update(data.pools)
                yield data
            finally:
                POOLS.clear()
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                cache.clear()


def _seed(now) -> SimpleNamespace:
    default_caps()
    main = RoomFactory(location=LocationFactory(step_free_entrance=True, accessible_toilet=True,
                                                house__bank_account="NL91ABNA0417164300"))
    house = main.house
    main.facilities.add(FacilityFactory())
    small = RoomFactory(location=main.location, capacity=20)
    other_room = RoomFactory()
    resident = UserFactory.resident()
    association = UserFactory.association()
    volunteer = UserFactory.volunteer(house)
    municipality = UserFactory.municipality()
    admin = UserFactory(is_superuser=True, is_staff=True)
    past = BookingFactory.confirmed(room=main, booker=resident, approver=volunteer, start=local_dt(2027, 2, 6, 19),
                                    end=local_dt(2027, 2, 6, 23))
    now["now"] = NOW
    requested = BookingFactory.requested(room=main, booker=resident, start=local_dt(2027, 4, 3, 19),
                                         end=local_dt(2027, 4, 3, 23))
    approved = BookingFactory.approved(room=main, booker=resident, approver=volunteer,  # a melding
                                       start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 11, 1))
    confirmed = BookingFactory.confirmed(room=small, booker=association, approver=volunteer, kind="association",
                                         alcohol=False, guests=15, start=local_dt(2027, 4, 7, 19),
                                         end=local_dt(2027, 4, 7, 22))
    elsewhere = BookingFactory.requested(room=other_room, start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    series = services.series_create(booker=association, room=small, kind="association", rrule="FREQ=WEEKLY;BYDAY=TH",
                                    start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 3, 11),
                                    until=dt.date(2027, 3, 25), guests=15, title="Schaakavond")
    weekly = services.series_create(booker=association, room=main, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                    start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 3, 9),
                                    until=dt.date(2027, 4, 27), guests=25, title="Koorrepetitie")
    services.series_approve(series=weekly, actor=volunteer)  # confirmed dates, settled by invoice
    invoices = invoicing.invoice_run_issue(house=house, period_start=dt.date(2027, 3, 1),
                                           period_end=dt.date(2027, 3, 31), actor=volunteer)
    assert invoices
    closure = services.closure_create(actor=volunteer, house=house, start=local_dt(2027, 5, 1), end=local_dt(2027, 5, 3),
                                      reason="Schilderwerk", room=None)
    own_cap = cap_rule_set(actor=admin, kind="gathering", cap=4, house=house, reason="horeca in de buurt")
    users = {"resident": resident, "association": association, "volunteer": volunteer, "municipality": municipality,
             "admin": admin}
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return SimpleNamespace(
        users=users, sessions=sessions,
        pools={"rooms": [main.pk, small.pk, other_room.pk], "houses": [house.pk, other_room.house_id],
               "slugs": [house.slug, other_room.house.slug],
               "bookings": [b.pk for b in (requested, approved, confirmed, past, elsewhere)],
               "closures": [closure.pk], "series": [series.pk, weekly.pk], "cap_rules": [own_cap.pk],
               "invoices": [i.pk for i in invoices], "years": [2027, 2026], "whats": ["gebruik", "toegankelijkheid"],
               "districts": list(District.objects.values_list("slug", flat=True)),
               "usernames": [u.username for u in users.values()],
               "tokens": [p.feed_token for p in Profile.objects.filter(user__in=users.values())]},
    )


# --- the property --------------------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {name: model._base_manager.count() for name, model in COUNTED.items()}


def succeeded(response) -> bool:
    """A page accepted a posted form: it redirects with a success message (every form that writes does so), or, for
    the account deletion, to the privacy statement that says so."""
    if response.status_code not in (301, 302, 303):
        return False
    if "verwijderd=1" in response.get("Location", ""):
        return True
    return any(m.level == message_levels.SUCCESS for m in getattr(response.wsgi_request, "_messages", []))


def send(seeded, page: Page, request: Request):
    client = Client(HTTP_ACCEPT_LANGUAGE=request.language)
    if request.role != "anonymous":
        client.cookies[django_settings.SESSION_COOKIE_NAME] = seeded.sessions[request.role]
    query = dict(request.query) if page.method == "POST" else {**request.data, **request.query}
    raw = "&".join(part for part in (urlencode(query, doseq=True), request.raw_query) if part)
    path = f"{request.path}?{raw}" if raw else request.path
    headers = {"HTTP_HX_REQUEST": "true", **request.headers} if page.htmx else dict(request.headers)
    if page.method == "GET":
        return client.get(path, **headers)
    return client.post(path, request.data, **headers)


def check(seeded, page: Page, request: Request) -> None:
    cache.clear()  # limits on logins, sign-ups and requests are for people, not for a fuzzer
    with transaction.atomic():
        before = counts() if page.method == "POST" else None
        response = send(seeded, page, request)
        assert response.status_code < 500, f"{response.status_code} for {request!r}"
        if page.method == "POST" and not succeeded(response):
            assert counts() == before, f"refused ({response.status_code}) but wrote: {request!r}"
        transaction.set_rollback(True)


CASES = [pytest.param(page, role, id=f"{page.name}-{role}") for page in PAGES for role in ROLES]
CLOSED_DOOR_EXAMPLES = 1  # for a role the page turns away before it reads any input (no explicit examples either)


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role"), CASES)
def test_page__any_input__no_5xx_and_nothing_written_when_refused(page, role, seeded):
    examples = (page.examples if page.fields or page.query else 2) if role in page.doors else CLOSED_DOOR_EXAMPLES

    @settings(max_examples=max(1, round(examples * SCALE)), derandomize=FUZZ_SEED is None, database=None, deadline=None,
              phases=PHASES, suppress_health_check=list(HealthCheck))
    @given(request=requests(page, role))
    def run(request):
        note(repr(request))
        assume(not known_unfixed(page, request))
        check(seeded, page, request)

    for values in page.explicit if role in page.doors else []:
        run = example(request=explicit_request(page, role, values))(run)
    if FUZZ_SEED is not None:
        run = seed(int(FUZZ_SEED))(run)
    run()


SWEEP = [pytest.param(page, id=page.name) for page in PAGES
         if any(spec.top for spec in [*page.fields.values(), *page.query.values(), *page.headers.values()])]


@pytest.mark.django_db
@pytest.mark.parametrize("page", SWEEP)
def test_page__worst_value_in_any_one_field__no_5xx_and_nothing_written_when_refused(page, seeded):
    """The boundary sweep, deterministic: the page's sample form (query, headers) with one field at a time set to each
    of the worst values of its type (far dates and moments, midnight and the spring gap, 0, -1, 10**30, ６２, NUL, 100,000
    characters, ids beyond int64…), as each of `page.sweep_roles`. All failures are reported together."""
    fields = {**page.fields, **{"?" + name: spec for name, spec in page.query.items()}, **page.headers}
    failures = []
    for role in page.sweep_roles:
        for name, spec in fields.items():
            for value in spec.top:
                request = explicit_request(page, role, {name: value}, base=True)
                if known_unfixed(page, request):
                    continue
                try:
                    check(seeded, page, request)
                except Exception as exc:  # noqa: BLE001 - collect them all
                    failures.append(f"{type(exc).__name__}: {str(exc)[:300]} — {request!r}")
    assert failures == []


ACCEPTED = ["home", "room", "room-book", "room-quote", "room-agenda", "house-agenda", "signup", "mijn-cancel",
            "bestuur-decide", "bestuur-deposit", "bestuur-cancel", "bestuur-closures", "bestuur-series-decide",
            "bestuur-settings", "gemeente", "gemeente-house-post", "gemeente-caps-post", "gemeente-rules-post",
            "gemeente-meldingen", "mijn-invoices-address", "bestuur-invoices", "bestuur-invoice-settings",
            "bestuur-invoice-credit", "bestuur-invoice-paid"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACCEPTED)
def test_page__sample_form__accepted(name, seeded):
    """The sweep's starting point is a form the page accepts (a success, or a page without a field error), so each
    refusal in the sweep is the one mutated field's."""
    page = next(p for p in PAGES if p.name == name)
    for role in page.sweep_roles:
        with transaction.atomic():
            response = send(seeded, page, explicit_request(page, role, {}, base=True))
            transaction.set_rollback(True)
        if page.method == "POST" and not page.htmx:
            assert succeeded(response), (role, response.status_code, response.content.decode()[:2000])
        else:
            assert response.status_code == 200
            assert b"field-error-message" not in response.content and b'"error"' not in response.content


def test_fuzzer__reaches_every_page_of_the_site():
    """Every named page of frontend/urls.py, frontend/privacy.py and frontend/gemeente.py is fuzzed (the admin and the
    JSON API have their own tests); a new page without an entry in PAGES fails here."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def routes(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern) in ("admin/", "api/v1/", "account/"):  # allauth's pages: tests/accounts
                    continue
                yield from routes(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and prefix + str(p.pattern) != "admin/login/":  # the admin's: a redirect
                yield prefix + str(p.pattern)

    def shape(route: str) -> str:
        import re

        return re.sub(r"<[^>]+>|\{[^}]+\}|\(\?P<[^>]+>[^)]*\)", "*", route.replace("^", "").replace("$", "")).lstrip("/")

    fuzzed = {shape(page.path) for page in PAGES}
    missing = sorted(shape(r) for r in routes(get_resolver().url_patterns) if shape(r) not in fuzzed)
    assert missing == []


# --- the 500s issue 14 started from, by name --------------------------------------------------------------------

FAR = {"kind": "party", "guests": "40", "date": "9999-12-31", "start_time": "20:00", "end_time": "01:00"}
BOUNDS_MESSAGE = "Kies een datum tussen 2000 en 2100"
KNOWN = [
    # (id, page, role, values over the sample form, status, text on the answer)
    ("home-date-9999", "home", "anonymous", {"date": "9999-12-31"}, 200, BOUNDS_MESSAGE),
    ("home-date-0001", "home", "anonymous", {"date": "0001-01-01"}, 200, BOUNDS_MESSAGE),
    ("quote-9999-evening-past-midnight", "room-quote", "resident", FAR, 200, BOUNDS_MESSAGE),
    ("book-9999-evening-past-midnight", "room-book", "resident", FAR, 200, BOUNDS_MESSAGE),
    ("book-0001-first-hour", "room-book", "resident", {**FAR, "date": "0001-01-01", "start_time": "00:10"}, 200,
     BOUNDS_MESSAGE),
    ("meldingen-start-0001", "gemeente-meldingen", "municipality", {"start": "0001-01-01"}, 200, BOUNDS_MESSAGE),
    ("meldingen-end-9999", "gemeente-meldingen", "municipality", {"end": "9999-12-31"}, 200, BOUNDS_MESSAGE),
    ("caps-remove-rule-not-a-number", "gemeente-caps-post", "municipality", {"action": "remove", "rule": "x"}, 404, ""),
    ("signup-next-not-a-url", "signup", "anonymous", {"?next": "0"}, 302, ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("page_name", "role", "values", "status", "text"),
                         [pytest.param(*row[1:], id=row[0]) for row in KNOWN])
def test_known_500__now_refused_at_the_field(page_name, role, values, status, text, seeded):
    page = next(p for p in PAGES if p.name == page_name)
    with transaction.atomic():
        before = counts()
        response = send(seeded, page, explicit_request(page, role, values, base=True))
        written = counts() != before
        transaction.set_rollback(True)
    assert response.status_code == status
    assert text in html.unescape(response.content.decode())
    assert not written or succeeded(response)


# --- a board decision with a `next` that is not a URL (was a 500: reversed as a view name)


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", ["bestuur-decide", "bestuur-series-decide"])
def test_known__board_decision_with_next_that_is_not_a_url__no_5xx(seeded, page_name):
    page = next(p for p in PAGES if p.name == page_name)
    check(seeded, page, explicit_request(page, "volunteer", {"decision": "reject", "reason": "Vol", "next": "0"}))
