"""AVG (SPEC §8): nothing a municipality officer can reach shows a resident's personal data.

With the Maastricht demo loaded (`seed_demo`), the officer requests every URL of the site — every pattern of the
URLconf (API, pages, feeds, exports, meldingen), path parameters filled with the ids and slugs of the demo — and no
response body may contain any demo resident's name, e-mail address, phone number or postcode, nor the title, notes
or free text (decisions, cancellations) of any of their bookings.
"""

from __future__ import annotations

import html
import io
import itertools
import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from boeking.demo import data as demo_data
from boeking.models import (
    AuditEntry,
    Booking,
    BookingKind,
    BookingStatus,
    CapRule,
    Closure,
    House,
    Location,
    Melding,
    Room,
    Series,
)

pytestmark = pytest.mark.django_db

SKIP_PREFIXES = ("admin/",)  # the officer is not staff: the admin only redirects to its login (asserted below)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _templates() -> list[str]:
    """Every URL of the site as a template with `{name}` placeholders; regex-only catch-alls are left out."""
    templates = []
    for raw in _patterns(get_resolver()):
        text = ROUTE_PARAM.sub(lambda m: "{" + m.group(2) + "}", raw)
        text = REGEX_PARAM.sub(lambda m: "{" + m.group(1) + "}", text)
        text = text.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\Z", "")
        if re.search(r"[()\[\]*+?\\|]", text) or text.startswith(SKIP_PREFIXES):
            continue
        templates.append("/" + text)
    return sorted(set(templates))


def _values(officer) -> dict[str, list]:
    ids = set()
    for model, limit in ((House, 100), (Room, 100), (Series, 20), (Closure, 20), (Melding, 20), (CapRule, 20),
                         (Location, 20)):
        ids |= set(model.objects.order_by("pk").values_list("pk", flat=True)[:limit])
    for status in BookingStatus.values:  # some bookings of residents in every state
        ids |= set(Booking.objects.filter(status=status, booker__profile__role="resident")
                   .values_list("pk", flat=True)[:5])
    slugs = list(House.objects.values_list("slug", flat=True))
    return {"int": sorted(ids), "slug": slugs, "token": [officer.profile.feed_token], "str": slugs + [str(i) for i in
                                                                                                   sorted(ids)[:20]]}


def _pool(values: dict[str, list], name: str) -> list:
    if "token" in name:
        return values["token"]
    if "slug" in name:
        return values["slug"]
    if name in ("pk", "id") or name.endswith("_id"):
        return values["int"]
    return values["str"]


def _urls(officer) -> list[str]:
    """Every template filled with every candidate value; with several parameters, the product of (at most ten of)
    each one's candidates."""
    values = _values(officer)
    urls = []
    for template in _templates():
        names = list(dict.fromkeys(re.findall(r"{(\w+)}", template)))
        pools = [_pool(values, name) if len(names) == 1 else _pool(values, name)[:10] for name in names]
        for combination in itertools.product(*pools):
            urls.append(template.format(**dict(zip(names, combination, strict=True))))
    return urls


def _personal_values() -> set[str]:
    """Each demo resident's (and association contact's) name, e-mail, phone and postcode; the titles, notes and
    free text of their bookings. Values that are also public facts of a house (an address's postcode) or the label
    of a booking kind ("Koffietafel") are left out: they appear for other reasons."""
    people = [demo_data.DEMO_ACCOUNTS[0], demo_data.DEMO_ACCOUNTS[2], *demo_data.RESIDENTS,
              *demo_data.ASSOCIATION_CONTACTS]
    values = set()
    for person in people:
        values |= {f"{person.first_name} {person.last_name}", person.email, person.phone, person.postcode}
    users = get_user_model().objects.filter(username__in=[p.email for p in people])
    bookings = Booking.objects.filter(booker__in=users)
    for title, notes, reason in bookings.values_list("title", "notes", "decision_reason"):
        values |= {title, notes, reason}
    values |= set(AuditEntry.objects.filter(booking__in=bookings).values_list("reason", flat=True))
    public = set(Location.objects.values_list("postcode", flat=True))
    kind_labels = {str(label).lower() for label in BookingKind.labels}
    return {v for v in values if v and v not in public and v.lower() not in kind_labels}


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="replace")
    if "json" in response.get("Content-Type", ""):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return html.unescape(text)


def _xlsx_text(response) -> str:
    """Every cell of an .xlsx download as text (lowercase), so the walk reads spreadsheets too."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
                    if v is not None).lower()


def test_privacy_walk__no_url_a_municipality_officer_reaches_shows_residents_personal_data(demo):
    officer = get_user_model().objects.get(username="gemeente@example.org")
    client = Client()
    client.force_login(officer)
    values = _personal_values()
    assert len(values) > 40, "the demo should give plenty of personal values to look for"

    years = sorted(set(Booking.objects.values_list("local_year", flat=True)))
    extra = ["/api/v1/usage/export.csv", "/api/v1/usage/export.json", "/api/v1/accessibility/export.csv",
             "/api/v1/meldingen/?from=2000-01-01&to=2100-01-01&page_size=200",
             "/api/v1/meldingen/?withdrawn=true&page_size=200", "/api/v1/cap-rules/?page_size=200",
             "/gemeente/meldingen/?start=2000-01-01&end=2100-01-01"]
    for year in years:
        extra += [f"/api/v1/usage/?year={year}&page_size=200", f"/api/v1/usage/export.csv?year={year}",
                  f"/gemeente/?year={year}"]
        extra += [f"/gemeente/huizen/{pk}/?year={year}" for pk in House.objects.values_list("pk", flat=True)]
        # Issue 21: occupancy, own income, the yearly report, exports — pages and API, every year.
        extra += [f"/gemeente/huizen/{pk}/bezetting/?year={year}" for pk in House.objects.values_list("pk", flat=True)]
        extra += [f"/gemeente/bezetting/?year={year}", f"/gemeente/bezetting/?year={year}&month=6",
                  f"/gemeente/inkomsten/?year={year}", f"/gemeente/rapport/{year}/",
                  f"/gemeente/export/gebruik.xlsx?year={year}", f"/gemeente/export/gebruik.csv?year={year}",
                  f"/api/v1/occupancy/?year={year}", f"/api/v1/income/?year={year}",
                  f"/api/v1/usage/?year={year}&page_size=200"]
    extra += ["/gemeente/toegankelijkheid/?screened=yes&step_free=on&toilet=on", "/gemeente/export/toegankelijkheid.csv",
              "/gemeente/export/toegankelijkheid.xlsx", "/api/v1/auto-approval/", "/api/v1/cap-rules/?history=true"]
    urls = _urls(officer) + extra

    reached, leaks = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        reached.append(url)
        text = _xlsx_text(response) if url.split("?")[0].endswith(".xlsx") else _text(response).lower()
        leaks += [(url, value) for value in values if value.lower() in text]

    assert not leaks, f"personal data shown to the municipality: {leaks[:10]}"
    # The walk did reach the municipality's own pages, API and exports.
    for must in ("/gemeente/", "/gemeente/meldingen/", "/gemeente/maxima/", "/gemeente/regels/", "/gemeente/export/",
                 "/api/v1/usage/", "/api/v1/meldingen/", "/api/v1/usage/export.csv", "/api/v1/cap-rules/",
                 "/api/v1/rule-settings/", "/gemeente/bezetting/", "/gemeente/inkomsten/", "/gemeente/toegankelijkheid/",
                 "/gemeente/automatisch-goedkeuren/", "/api/v1/occupancy/", "/api/v1/income/", "/api/v1/auto-approval/",
                 "/gemeente/export/toegankelijkheid.xlsx"):
        assert must in reached, f"{must} was not reachable for the officer"
    assert any(url.startswith("/gemeente/rapport/20") for url in reached)
    assert any(url.startswith("/gemeente/huizen/") for url in reached)
    assert len(reached) > 50
    # The search itself works: it finds a resident's values in the resident's own data download.
    resident = get_user_model().objects.get(username="bewoner@example.org")
    own = Client()
    own.force_login(resident)
    own_text = _text(own.get("/api/v1/me/data/")).lower()
    assert {"anouk janssen", "bewoner@example.org", "06-12345601", "6221 ab"} <= {v.lower() for v in values}
    assert all(v in own_text for v in ("anouk", "bewoner@example.org", "06-12345601", "6221 ab"))
    assert any(title.lower() in own_text for title in values if title not in ("Anouk Janssen",))
    # Bookings themselves are refused, and the admin is not theirs.
    booking = Booking.objects.filter(booker__profile__role="resident").first()
    assert client.get(f"/api/v1/bookings/{booking.pk}/").status_code == 403
    assert client.get("/admin/").status_code == 302


def test_privacy_walk__meldingen_api_lists_the_demo_meldingen_without_personal_data(demo):
    officer = get_user_model().objects.get(username="gemeente@example.org")
    client = Client()
    client.force_login(officer)
    body = client.get("/api/v1/meldingen/?from=2000-01-01&page_size=200").json()
    assert body["count"] == Melding.objects.count() > 0
    assert set(body["results"][0]) == {"id", "house", "house_name", "district", "kind", "start", "end", "guests",
                                       "alcohol", "created_at", "withdrawn_at", "status", "notice_days", "late"}
