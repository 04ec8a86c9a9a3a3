"""The invoice endpoints of SPEC §6 and who may call them, as one table (same layout as tests/api/test_permissions.py,
listed there in AREA_TABLES): `booker` is the association the invoice is for, `association` another association."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from boeking.invoicing import services as inv
from boeking.invoicing.models import Invoice, InvoiceLine
from boeking.models import AuditEntry, Role
from tests.factories import HouseFactory, RoomFactory, UserFactory, default_caps, local_dt
from tests.invoicing.conftest import IBAN, MARCH, weekly

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "booker", "other_resident", "association", "volunteer", "other_volunteer", "municipality", "admin")
DEFAULT_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
INVALID_TRANSITION = (409, "invalid_transition")
RUNS = "/api/v1/houses/{house}/invoice-runs/"

# fmt: off
TABLE = [
    # method  url                                     body       anon bkr  res  asc  vol  ovol muni adm
    ("GET",  "/api/v1/invoices/",                     None,      401, 200, 200, 200, 200, 200, 403, 200),
    ("GET",  "/api/v1/invoices/{invoice}/",           None,      401, 200, 404, 404, 200, 404, 403, 200),
    ("GET",  "/api/v1/invoices/{invoice}/pdf/",       None,      401, 200, 404, 404, 200, 404, 403, 200),
    ("POST", RUNS,                                    "preview", 401, 403, 403, 403, 200, 403, 403, 200),
    ("POST", RUNS,                                    "issue",   401, 403, 403, 403, 201, 403, 403, 201),
    # The association sees its invoice but only the board marks it paid or credits it.
    ("POST", "/api/v1/invoices/{invoice}/mark-paid/", None,      401, 403, 404, 404, 200, 404, 403, 200),
    ("POST", "/api/v1/invoices/{paid}/mark-paid/",    None,      401, 403, 404, 404, INVALID_TRANSITION, 404, 403,
     INVALID_TRANSITION),
    ("POST", "/api/v1/invoices/{invoice}/credit/",    "reason",  401, 403, 404, 404, 201, 404, 403, 201),
    ("POST", "/api/v1/invoices/{invoice}/credit/",    None,      401, 403, 404, 404, (400, "invalid_input"), 404, 403,
     (400, "invalid_input")),
]
# fmt: on

ROWS = [
    pytest.param(role, method, url, body, expected, id=f"{role}-{method}-{url}" + (f"-{body}" if body else ""))
    for method, url, body, *cells in TABLE
    for role, expected in zip(ROLES, cells, strict=True)
]


@pytest.fixture(autouse=True)
def march(frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))
    default_caps()


class Scene:
    """A house whose board invoices one association's weekly choir evenings; the other roles around it."""

    def __init__(self):
        self.room = RoomFactory(location__house__slug="de-kastanje", location__house__bank_account=IBAN)
        self.house = self.room.house
        self.booker = UserFactory(profile__role=Role.ASSOCIATION, profile__organisation="Zangkoor Harmonie")
        self.volunteer = UserFactory.volunteer(self.house)
        self.users = {
            "anonymous": None, "booker": self.booker, "other_resident": UserFactory.resident(),
            "association": UserFactory.association(), "volunteer": self.volunteer,
            "other_volunteer": UserFactory.volunteer(HouseFactory()), "municipality": UserFactory.municipality(),
            "admin": UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN),
        }
        weekly(self.room, self.booker, self.volunteer, until=dt.date(2027, 3, 16))

    def invoice(self) -> Invoice:
        (invoice,) = inv.invoice_run_issue(house=self.house, period_start=MARCH[0], period_end=MARCH[1],
                                           actor=self.volunteer)
        return invoice

    def value(self, name: str) -> int:
        if name == "house":
            return self.house.pk
        if name == "invoice":
            return self.invoice().pk
        if name == "paid":
            return inv.invoice_mark_paid(invoice=self.invoice(), actor=self.volunteer).pk
        raise KeyError(name)

    def url(self, template: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format(**{name: self.value(name) for name in names})

    def body(self, name):
        return {None: None,
                "preview": {"period_start": "2027-03-01", "period_end": "2027-03-31", "preview": True},
                "issue": {"period_start": "2027-03-01", "period_end": "2027-03-31", "preview": False},
                "reason": {"reason": "Verkeerd tarief"}}[name]


def written() -> dict:
    return {"invoices": list(Invoice.objects.order_by("pk").values("pk", "status", "paid_on", "total_cents")),
            "lines": InvoiceLine.objects.count(), "audit": AuditEntry.objects.count()}


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROWS)
def test_invoices_permission_table(as_user, role, method, url, body, expected):
    scene = Scene()
    client = as_user(scene.users[role])
    path = scene.url(url)
    status, code = expected if isinstance(expected, tuple) else (expected, DEFAULT_CODES.get(expected))
    before = written()

    response = getattr(client, method.lower())(path, scene.body(body), format="json")

    assert response.status_code == status, response.content[:500]
    if status >= 400:
        payload = response.json()
        assert payload["code"] == code and payload["detail"], payload
        if status == 401:
            assert response["WWW-Authenticate"] == "Token"
        assert written() == before, "a refused request changed something"
    elif method == "POST" and body != "preview":
        assert AuditEntry.objects.count() > before["audit"], "a state change without an audit entry"
    elif method == "POST":
        assert written() == before, "a preview wrote something"


def test_list__each_sees_exactly_the_invoices_they_may(as_user):
    scene = Scene()
    invoice = scene.invoice()
    for role, sees in [("booker", [invoice.pk]), ("other_resident", []), ("association", []),
                       ("volunteer", [invoice.pk]), ("other_volunteer", []), ("admin", [invoice.pk])]:
        body = as_user(scene.users[role]).get("/api/v1/invoices/").json()
        assert [i["id"] for i in body["results"]] == sees, role


def test_run__preview_then_issue_then_paid_then_credit__over_the_api(as_user):
    scene = Scene()
    client = as_user(scene.volunteer)
    runs = f"/api/v1/houses/{scene.house.pk}/invoice-runs/"
    preview = client.post(runs, {"period_start": "2027-03-01", "period_end": "2027-03-31"}, format="json").json()
    assert (preview["preview"], preview["total_cents"], preview["problems"]) == (True, 6000, [])
    assert [(p["debtor_name"], len(p["bookings"]), p["total_cents"]) for p in preview["invoices"]] == [
        ("Zangkoor Harmonie", 2, 6000)]
    response = client.post(runs, {"period_start": "2027-03-01", "period_end": "2027-03-31", "preview": False},
                           format="json")
    assert response.status_code == 201
    (issued,) = response.json()["invoices"]
    assert (issued["number"], issued["status"], issued["total"], issued["owed_cents"], issued["overdue"]) == (
        "KAS-2027-0001", "issued", "€ 60,00", 6000, False)
    assert [line["date"] for line in issued["lines"]] == ["2027-03-09", "2027-03-16"]
    pdf = client.get(issued["pdf_url"], HTTP_ACCEPT="application/pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF") and "KAS-2027-0001.pdf" in pdf["Content-Disposition"]
    paid = client.post(f"/api/v1/invoices/{issued['id']}/mark-paid/", {"paid_on": "2027-03-01"}, format="json").json()
    assert (paid["status"], paid["paid_on"], paid["owed_cents"]) == ("paid", "2027-03-01", 0)
    note = client.post(f"/api/v1/invoices/{issued['id']}/credit/",
                       {"reason": "Dubbel", "bookings": [issued["lines"][0]["booking"]]}, format="json").json()
    assert (note["kind"], note["credits"], note["total_cents"]) == ("credit", "KAS-2027-0001", -3000)
    after = client.get(f"/api/v1/invoices/{issued['id']}/").json()
    assert (after["credited_cents"], after["owed_cents"], after["credit_notes"]) == (3000, -3000, ["KAS-2027-0002"])


def test_run__invalid_period__400_with_the_domain_code(as_user):
    scene = Scene()
    response = as_user(scene.volunteer).post(f"/api/v1/houses/{scene.house.pk}/invoice-runs/",
                                             {"period_start": "2027-03-31", "period_end": "2027-03-01"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "end_before_start")


def test_list__queries_do_not_grow_with_the_number_of_invoices(as_user, django_assert_max_num_queries):
    scene = Scene()
    scene.invoice()
    client = as_user(scene.volunteer)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/invoices/")
    weekly(scene.room, UserFactory(profile__role=Role.ASSOCIATION, profile__organisation="Schaakclub"),
           scene.volunteer, weekday="TH", until=dt.date(2027, 3, 25))
    inv.invoice_run_issue(house=scene.house, period_start=MARCH[0], period_end=MARCH[1], actor=scene.volunteer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/invoices/").json()["count"] == 2
