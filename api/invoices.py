"""Invoices for associations (SPEC §6, issue 22).

- GET /api/v1/invoices/, /api/v1/invoices/{id}/, /api/v1/invoices/{id}/pdf/: the association it is for and the
  house's board (volunteers, admins); never the municipality (403).
- POST /api/v1/houses/{id}/invoice-runs/ `{period_start, period_end, preview}`: the house's board; a preview (200)
  or the issued invoices (201).
- POST /api/v1/invoices/{id}/mark-paid/ `{paid_on?}` and /credit/ `{reason, bookings?}`: the house's board; the
  association sees the invoice but may not (403).

Who may is asked in `boeking.access`; what a status allows in `boeking.invoicing.services` (409 `invalid_transition`).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from boeking import access
from boeking.invoicing import services as invoicing
from boeking.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from boeking.models import House
from boeking.pricing import euro
from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

from .errors import ErrorSerializer

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class CanSeeInvoices(BasePermission):
    message = "De gemeente ziet geen facturen van verenigingen."

    def has_permission(self, request, view):
        return access.can_see_bookings(request.user)


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; errors still answer in JSON."""

    media_type = "application/pdf"
    format = "pdf"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class OctetStreamRenderer(PDFRenderer):
    """Generated clients that know no `application/pdf` read the same bytes as a file (the schema lists both)."""

    media_type = "application/octet-stream"
    format = "bin"


class InvoiceLineSerializer(serializers.ModelSerializer):
    amount = serializers.SerializerMethodField()

    class Meta:
        model = InvoiceLine
        fields = ["position", "booking", "date", "description", "price_lines", "amount_cents", "amount", "credited"]
        read_only_fields = fields

    def get_amount(self, obj) -> str:
        return euro(obj.amount_cents)


class InvoiceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=InvoiceKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, read_only=True,
                                     help_text="issued → paid (marked by the board) or credited.")
    overdue = serializers.SerializerMethodField(help_text="Derived: issued and past its due date.")
    total = serializers.SerializerMethodField()
    credited_cents = serializers.SerializerMethodField(help_text="Taken off by credit notes (positive).")
    owed_cents = serializers.SerializerMethodField(help_text="total − credited − paid; negative: a refund is due.")
    credits = serializers.SlugRelatedField(slug_field="number", read_only=True,
                                           help_text="A credit note: the number of the invoice it credits.")
    credit_notes = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    pdf_url = serializers.SerializerMethodField()
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "status", "overdue", "house", "credits", "credit_notes", "period_start",
                  "period_end", "issue_date", "due_date", "debtor_name", "debtor_address", "house_name", "iban", "kvk",
                  "vat_exempt", "vat_rate_percent", "total_cents", "total", "vat_cents", "credited_cents",
                  "paid_cents", "paid_on", "owed_cents", "payment_reference", "reason", "pdf_url", "lines"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return invoicing.is_overdue(obj)

    def get_total(self, obj) -> str:
        return euro(obj.total_cents)

    def get_credited_cents(self, obj) -> int:
        return 0 if obj.is_credit else -sum(n.total_cents for n in obj.credit_notes.all())

    def get_owed_cents(self, obj) -> int:
        return 0 if obj.is_credit else obj.total_cents - self.get_credited_cents(obj) - obj.paid_cents

    def get_pdf_url(self, obj) -> str:
        return f"/api/v1/invoices/{obj.pk}/pdf/"


class MarkPaidSerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, help_text="When the money arrived; default today.")


class CreditSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why (printed on the credit note).")
    bookings = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000,
                                     help_text="Only the lines of these bookings; default: every line not yet credited.")


class InvoiceRunSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Included.")
    preview = serializers.BooleanField(default=True, help_text="True: show what would be issued, write nothing.")


class PlannedInvoiceSerializer(serializers.Serializer):
    contact = serializers.IntegerField(source="contact.pk")
    debtor_name = serializers.CharField()
    debtor_address = serializers.CharField()
    language = serializers.CharField()
    bookings = serializers.SerializerMethodField()
    total_cents = serializers.IntegerField()

    def get_bookings(self, obj) -> list[int]:
        return [b.pk for b in obj.bookings]


class RunPreviewSerializer(serializers.Serializer):
    preview = serializers.BooleanField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    invoices = PlannedInvoiceSerializer(many=True)
    total_cents = serializers.IntegerField()
    problems = serializers.ListField(child=serializers.CharField(), help_text="What stops issuing (no IBAN).")


class RunIssuedSerializer(serializers.Serializer):
    preview = serializers.BooleanField()
    invoices = InvoiceSerializer(many=True)


@extend_schema_view(list=extend_schema(tags=["invoices"], responses={200: InvoiceSerializer(many=True), **ERRORS}),
                    retrieve=extend_schema(tags=["invoices"], responses={200: InvoiceSerializer, **ERRORS}))
@extend_schema(tags=["invoices"], responses={**ERRORS})
class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Invoices and credit notes: an association sees its own, a board those of its houses."""

    serializer_class = InvoiceSerializer
    permission_classes = [CanSeeInvoices]
    filterset_fields = ["house", "kind", "status"]

    def get_queryset(self):
        queryset = (Invoice.objects.select_related("credits").prefetch_related("lines", "credit_notes")
                    .order_by("-issue_date", "-pk"))
        visible = access.invoices_filter(self.request.user)
        return queryset if visible is None else queryset.filter(visible)

    def _managed(self, request) -> Invoice:
        invoice = self.get_object()
        if not access.can_manage_invoices(request.user, invoice.house_id):
            self.permission_denied(request, message="Alleen het bestuur van het huis beheert deze factuur.")
        return invoice

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              (200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS})
    @action(detail=True, methods=["get"], url_path="pdf", filter_backends=[], pagination_class=None,
            renderer_classes=[JSONRenderer, PDFRenderer, OctetStreamRenderer])
    def pdf(self, request, pk=None):
        """The document as issued (PDF)."""
        invoice = self.get_object()
        response = HttpResponse(bytes(invoice.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response

    @extend_schema(request=MarkPaidSerializer, responses={200: InvoiceSerializer, 409: ErrorSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="mark-paid", filter_backends=[], pagination_class=None)
    def mark_paid(self, request, pk=None):
        """The board records that the association paid (issued → paid)."""
        invoice = self._managed(request)
        serializer = MarkPaidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        paid = invoicing.invoice_mark_paid(invoice=invoice, actor=request.user,
                                           paid_on=serializer.validated_data.get("paid_on"))
        return Response(InvoiceSerializer(paid).data)

    @extend_schema(request=CreditSerializer, responses={201: InvoiceSerializer, 409: ErrorSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="credit", filter_backends=[], pagination_class=None)
    def credit(self, request, pk=None):
        """A credit note referring to this invoice (all lines not yet credited, or those of `bookings`)."""
        invoice = self._managed(request)
        serializer = CreditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = invoicing.invoice_credit(invoice=invoice, actor=request.user,
                                        reason=serializer.validated_data["reason"],
                                        booking_ids=serializer.validated_data.get("bookings"))
        return Response(InvoiceSerializer(note).data, status=status.HTTP_201_CREATED)


class InvoiceRunView(APIView):
    permission_classes = [CanSeeInvoices]

    @extend_schema(operation_id="houses_invoice_runs_create", tags=["invoices"], request=InvoiceRunSerializer,
                   responses={200: RunPreviewSerializer, 201: RunIssuedSerializer,
                              409: OpenApiResponse(ErrorSerializer, description="`already_invoiced`"), **ERRORS})
    def post(self, request, pk):
        """An invoice run for the house (its board): `preview: true` (default) shows one invoice per association with
        its confirmed association bookings of the period not yet invoiced; `preview: false` issues them (201)."""
        house = get_object_or_404(House, pk=pk)
        if not access.can_manage_invoices(request.user, house):
            self.permission_denied(request, message="Alleen het bestuur van dit huis maakt facturen.")
        serializer = InvoiceRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["preview"]:
            run = invoicing.invoice_run_preview(house=house, period_start=data["period_start"],
                                                period_end=data["period_end"], actor=request.user)
            return Response(RunPreviewSerializer({
                "preview": True, "period_start": run.period_start, "period_end": run.period_end,
                "invoices": run.invoices, "total_cents": run.total_cents, "problems": run.problems}).data)
        issued = invoicing.invoice_run_issue(house=house, period_start=data["period_start"],
                                             period_end=data["period_end"], actor=request.user)
        return Response(RunIssuedSerializer({"preview": False, "invoices": issued}).data,
                        status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("invoices", InvoiceViewSet, basename="invoice")

urlpatterns = [
    path("houses/<id:pk>/invoice-runs/", InvoiceRunView.as_view(), name="house-invoice-runs"),
    path("", include(router.urls)),
]
