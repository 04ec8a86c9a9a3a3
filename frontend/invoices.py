"""Invoice pages (issue 22). The association: /mijn/facturen/ (its invoices, PDFs, its invoice address). The board
(its treasurer): /bestuur/huizen/<slug>/facturen/ — preview a run, issue it, download, mark paid, credit, export the
books — and the house's invoice settings. Who may is asked in `boeking.access`; writes go through
`boeking.invoicing.services`; other people's invoices are 404."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from boeking import access
from boeking.clock import today
from boeking.errors import DomainError
from boeking.invoicing import books
from boeking.invoicing import services as invoicing
from boeking.invoicing.models import AssociationAddress, Invoice
from boeking.models import House, Role

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    van = forms.DateField(label=gettext_lazy("Van"), widget=DATE_WIDGET)
    tot = forms.DateField(label=gettext_lazy("Tot en met"), widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("van") and data.get("tot"):
            try:
                invoicing.check_period(data["van"], data["tot"])
            except DomainError as exc:
                raise forms.ValidationError(exc.detail, code=exc.code) from exc
        return data


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Betaald op"), widget=DATE_WIDGET)


class CreditForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reden"), max_length=500,
                             help_text=gettext_lazy("Staat op de creditnota, bv. 'verkeerd tarief'."))


class AddressForm(forms.ModelForm):
    class Meta:
        model = AssociationAddress
        fields = ["name", "street", "postcode", "city"]


class SettingsForm(forms.Form):
    prefix = forms.CharField(label=gettext_lazy("Voorvoegsel factuurnummer"), max_length=10,
                             help_text=gettext_lazy("Hoofdletters en cijfers, bv. KAS: KAS-2027-0001."))
    legal_name = forms.CharField(label=gettext_lazy("Naam op de factuur"), max_length=150, required=False,
                                 help_text=gettext_lazy("Bv. Stichting Buurthuis De Kastanje. Leeg: de naam van het huis."))
    address = forms.CharField(label=gettext_lazy("Adres op de factuur"), max_length=200, required=False)
    iban = forms.CharField(label=gettext_lazy("IBAN voor facturen"), max_length=50, required=False,
                           help_text=gettext_lazy("Leeg: het IBAN van het huis."))
    kvk = forms.CharField(label=gettext_lazy("KvK-nummer"), max_length=8, required=False)
    vat_exempt = forms.BooleanField(label=gettext_lazy("Vrijgesteld van btw"), required=False)
    vat_rate_percent = forms.IntegerField(label=gettext_lazy("Btw-tarief (%)"), min_value=0, max_value=30)
    vat_number = forms.CharField(label=gettext_lazy("Btw-identificatienummer"), max_length=20, required=False)
    payment_term_days = forms.IntegerField(label=gettext_lazy("Betaaltermijn (dagen)"), min_value=1, max_value=120)


def presets(on: dt.date) -> list[dict]:
    """Quick choices for a run: last month, this month, last quarter, this quarter."""
    first = on.replace(day=1)
    last_month_end = first - dt.timedelta(days=1)
    quarter_start = dt.date(on.year, 3 * ((on.month - 1) // 3) + 1, 1)
    next_quarter = dt.date(quarter_start.year + (quarter_start.month == 10), (quarter_start.month + 2) % 12 + 1, 1)
    last_quarter_start = dt.date(quarter_start.year - (quarter_start.month == 1), (quarter_start.month - 4) % 12 + 1, 1)
    next_month = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return [
        {"label": _("Vorige maand"), "van": last_month_end.replace(day=1), "tot": last_month_end},
        {"label": _("Deze maand"), "van": first, "tot": next_month - dt.timedelta(days=1)},
        {"label": _("Vorig kwartaal"), "van": last_quarter_start, "tot": quarter_start - dt.timedelta(days=1)},
        {"label": _("Dit kwartaal"), "van": quarter_start, "tot": next_quarter - dt.timedelta(days=1)},
    ]


def _row(invoice: Invoice) -> dict:
    return {"invoice": invoice, "overdue": invoicing.is_overdue(invoice), "owed": invoicing.owed_cents(invoice),
            "can_pay": invoicing.can_mark_paid(invoice), "can_credit": invoicing.can_credit(invoice)}


# --- the association -------------------------------------------------------------------------------------------------


@login_required
def mijn_invoices(request: HttpRequest) -> HttpResponse:
    if not access.can_see_bookings(request.user):
        raise Http404
    is_association = access.role_of(request.user) == Role.ASSOCIATION
    current = AssociationAddress.objects.filter(user=request.user).first()
    form = AddressForm(request.POST or None, instance=current) if is_association else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            invoicing.association_address_set(user=request.user, name=data["name"], street=data["street"],
                                               postcode=data["postcode"], city=data["city"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Uw factuuradres is opgeslagen; het staat op uw volgende facturen."))
            return redirect("mijn-invoices")
    rows = [_row(i) for i in Invoice.objects.filter(contact=request.user).select_related("house", "credits")
            .prefetch_related("credit_notes").order_by("-issue_date", "-pk")]
    return render(request, "frontend/invoices/mijn.html", {"rows": rows, "form": form})


@login_required
def mijn_invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice, pk=pk)
    if not access.can_see_invoice(request.user, invoice):
        raise Http404
    return _pdf(invoice)


def _pdf(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response


# --- the board -------------------------------------------------------------------------------------------------------


def _house(request: HttpRequest, slug: str) -> House:
    house = get_object_or_404(House, slug=slug)
    if not access.can_manage_invoices(request.user, house):
        raise Http404
    return house


def _invoice(house: House, pk: int) -> Invoice:
    return get_object_or_404(Invoice.objects.select_related("house", "credits"), pk=pk, house=house)


@login_required
def board_invoices(request: HttpRequest, slug: str) -> HttpResponse:
    """The run (period → preview → issue), open and overdue invoices, everything issued this year, the books."""
    house = _house(request, slug)
    period = PeriodForm(request.GET if "van" in request.GET else None)
    preview = None
    if period.is_bound and period.is_valid():
        preview = invoicing.invoice_run_preview(house=house, period_start=period.cleaned_data["van"],
                                                period_end=period.cleaned_data["tot"], actor=request.user)
    year = today().year
    documents = [_row(i) for i in invoicing.invoices_for_board(house).filter(year=year)
                 .prefetch_related("credit_notes")]
    open_rows = [_row(i) for i in invoicing.open_invoices([house]).prefetch_related("credit_notes")]
    start_of_year = dt.date(year, 1, 1)
    return render(request, "frontend/invoices/board.html", {
        "house": house, "period": period, "preview": preview, "presets": presets(today()),
        "open_rows": open_rows, "overdue_count": sum(1 for r in open_rows if r["overdue"]),
        "documents": documents, "year": year, "totals": invoicing.totals(house, year=year),
        "paid_form": PaidForm(initial={"paid_on": today()}),
        "export": PeriodForm(initial={"van": start_of_year, "tot": today()}, prefix="export"),
        "settings": invoicing.settings_for(house),
        "cancelled": list(invoicing.cancelled_but_invoiced(house)),
    })


@login_required
@require_POST
def board_issue(request: HttpRequest, slug: str) -> HttpResponse:
    house = _house(request, slug)
    period = PeriodForm(request.POST)
    if not period.is_valid():
        messages.error(request, _("Kies een geldige periode."))
        return redirect("bestuur-invoices", slug=slug)
    try:
        issued = invoicing.invoice_run_issue(house=house, period_start=period.cleaned_data["van"],
                                             period_end=period.cleaned_data["tot"], actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if issued:
            messages.success(request, _("%(n)s facturen gemaakt en verstuurd: %(numbers)s.") % {
                "n": len(issued), "numbers": ", ".join(i.number for i in issued)})
        else:
            messages.info(request, _("Er was niets meer te factureren in deze periode."))
    return redirect("bestuur-invoices", slug=slug)


@login_required
def board_invoice(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One invoice or credit note: its lines, payments and credit notes; credit it with a reason."""
    house = _house(request, slug)
    invoice = _invoice(house, pk)
    if request.method == "POST" and request.POST.get("action") == "cancelled":
        # Bookings of this invoice cancelled without a credit note (with their series, by a closure).
        try:
            notes = invoicing.credit_cancelled_bookings(house=house, actor=request.user, invoice=invoice)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Creditnota %(number)s gemaakt en verstuurd.") % {
                "number": ", ".join(n.number for n in notes) or "—"})
        return redirect("bestuur-invoice", slug=slug, pk=invoice.pk)
    form = CreditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = invoicing.invoice_credit(invoice=invoice, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Creditnota %(number)s gemaakt en verstuurd.") % {"number": note.number})
            return redirect("bestuur-invoice", slug=slug, pk=invoice.pk)
    return render(request, "frontend/invoices/detail.html", {
        "house": house, "row": _row(invoice), "lines": invoice.lines.select_related("booking").order_by("position"),
        "notes": invoice.credit_notes.order_by("pk"), "form": form,
        "paid_form": PaidForm(initial={"paid_on": today()}), "credited": invoicing.credited_cents(invoice),
        "cancelled": list(invoicing.cancelled_but_invoiced(house).filter(invoice=invoice))})


@login_required
def board_invoice_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _pdf(_invoice(_house(request, slug), pk))


@login_required
@require_POST
def board_mark_paid(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    house = _house(request, slug)
    invoice = _invoice(house, pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul de datum van de betaling in."))
    else:
        try:
            invoicing.invoice_mark_paid(invoice=invoice, actor=request.user, paid_on=form.cleaned_data["paid_on"])
        except DomainError as exc:
            messages.error(request, f"{invoice.number}: {exc.detail}")
        else:
            messages.success(request, _("Factuur %(number)s is betaald.") % {"number": invoice.number})
    back = request.POST.get("next") == "detail"
    return redirect("bestuur-invoice", slug=slug, pk=pk) if back else redirect("bestuur-invoices", slug=slug)


@login_required
def board_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The books for a period: `xlsx` (invoices and payments), or `csv` with `tabel=facturen|betalingen`."""
    house = _house(request, slug)
    form = PeriodForm(request.GET, prefix="export")
    if not form.is_valid():
        messages.error(request, _("Kies een geldige periode voor de export."))
        return redirect("bestuur-invoices", slug=slug)
    start, end = form.cleaned_data["van"], form.cleaned_data["tot"]
    if fmt == "xlsx":
        response = HttpResponse(books.xlsx(house, start, end),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = books.filename(house, start, end, "xlsx")
    else:
        table = "betalingen" if request.GET.get("tabel") == "betalingen" else "facturen"
        response = HttpResponse(books.csv_text(house, start, end, table), content_type="text/csv; charset=utf-8")
        name = books.filename(house, start, end, "csv", table)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def board_settings(request: HttpRequest, slug: str) -> HttpResponse:
    house = _house(request, slug)
    current = invoicing.settings_for(house)
    initial = {name: getattr(current, name) for name in SettingsForm.base_fields}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invoicing.invoice_settings_update(house=house, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Factuurinstellingen opgeslagen."))
            return redirect("bestuur-invoices", slug=slug)
    return render(request, "frontend/invoices/settings.html", {"house": house, "form": form})

