"""The municipality's side of the API (SPEC §6, §8): usage against caps, cap rules, rule settings, meldingen and
open-data exports. Aggregates and meldingen only: nothing here returns a resident's name, contact or free text.

| endpoint | who |
|---|---|
| GET usage/ | municipality and admins (every house), volunteers (their own houses); others 403 |
| GET usage/export.csv, usage/export.json | anyone: open data (house, district, year, kind, count, cap) |
| GET accessibility/export.csv, accessibility/export.json | anyone: accessibility screening per location |
| GET cap-rules/, rule-settings/ | anyone reads |
| PUT cap-rules/, rule-settings/ | municipality and admins |
| GET meldingen/ | municipality and admins |
| GET occupancy/, income/, auto-approval/ | municipality and admins (every house), volunteers (their own houses) |
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from boeking import access, income, occupancy, usage
from boeking.errors import InvalidInput
from boeking.models import PRIVATE_KINDS, BookingKind, CapRule, House, HouseType, Melding, RuleSettings
from boeking.services.config import cap_rules_apply, rule_settings_update

from . import permissions as perms
from .errors import ErrorSerializer
from .fields import parse_moment

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}  # 404: a page past the end
WRITE_ERRORS = {**ERRORS, 404: ErrorSerializer, 415: ErrorSerializer}
PRIVATE_KIND_CHOICES = [(k.value, k.label) for k in BookingKind if k in PRIVATE_KINDS]


# Wrapped in allOf so drf-spectacular keeps the enum inline: as a component it would collide with BookingKindEnum,
# both being fields named "kind" (a naming warning, and an arbitrary component name).
@extend_schema_field({"allOf": [{"type": "string", "enum": [k for k, _ in PRIVATE_KIND_CHOICES]}],
                      "description": "A private (capped) kind: party, koffietafel or gathering."})
class PrivateKindField(serializers.ChoiceField):
    """A private kind: party, koffietafel or gathering."""

    def __init__(self, **kwargs):
        super().__init__(choices=PRIVATE_KIND_CHOICES, **kwargs)


# --- usage -----------------------------------------------------------------------------------------------------


class UsageQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text="Calendar year (Europe/Amsterdam); default: this year.")
    district = serializers.CharField(max_length=100, required=False, help_text="District (wijk) id or slug.")
    house_type = serializers.ChoiceField(choices=HouseType.choices, required=False)
    house = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    kind = PrivateKindField(required=False)


class UsageRowSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    house_name = serializers.CharField()
    house_type = serializers.CharField()
    district = serializers.CharField()
    neighbourhood = serializers.CharField()
    kind = PrivateKindField()
    year = serializers.IntegerField()
    count = serializers.IntegerField(help_text="Approved and confirmed bookings (past ones included): what the cap counts.")
    pending = serializers.IntegerField(help_text="Requests awaiting a decision: shown, not counted.")
    cap = serializers.IntegerField(allow_null=True, help_text="The cap that applied to the year (caps keep their "
                                                              "history; see cap_on); null: no cap.")
    cap_source = serializers.ChoiceField(choices=["house", "default", "none"],
                                         help_text="house: a per-house override; default: the city-wide cap.")
    cap_reason = serializers.CharField(help_text="Why the house has its own cap (overrides only).")
    cap_from = serializers.DateField(allow_null=True, help_text="The local date the applying cap took effect "
                                                                 "(2000-01-01: always); null without a cap.")
    cap_on = serializers.DateField(help_text="The day the year is judged on: 31 December for a past year, today for "
                                             "this year, 1 January for a later year.")
    percent = serializers.IntegerField(allow_null=True, help_text="count as a percentage of cap, rounded half up "
                                                                  "to a whole number (5 of 24 → 21).")
    level = serializers.ChoiceField(choices=["ok", "near", "full", "none"],
                                    help_text="near: at least 80 % of the cap; full: cap reached.")
    remaining = serializers.IntegerField(allow_null=True)


def _usage_filters(request) -> dict:
    query = UsageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _kinds(filters: dict):
    return [filters["kind"]] if filters.get("kind") else usage.KINDS


@extend_schema(parameters=[UsageQuerySerializer], responses={200: UsageRowSerializer(many=True), **ERRORS})
class UsageView(generics.ListAPIView):
    """Usage against the caps per house and private kind in a year: counted, pending, the cap in force (default or
    the house's override, with its reason), percent and level. Aggregates only. Volunteers see their own houses."""

    serializer_class = UsageRowSerializer
    permission_classes = [perms.CanSeeUsage]
    filter_backends: list = []

    def get_queryset(self):
        filters = _usage_filters(self.request)
        house_ids = access.usage_house_ids(self.request.user)
        if filters.get("house"):
            house_ids = {filters["house"]} if house_ids is None else house_ids & {filters["house"]}
        rows = usage.usage(filters.get("year") or usage.current_year(), house_ids=house_ids,
                           district=filters.get("district"), house_type=filters.get("house_type"),
                           kinds=_kinds(filters))
        return [row.as_dict() for row in rows]


class ExportQuerySerializer(UsageQuerySerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text="One calendar year; default: every year with bookings up to this one.")


class OpenDataRowSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    house_name = serializers.CharField()
    district = serializers.CharField()
    year = serializers.IntegerField()
    kind = PrivateKindField()
    count = serializers.IntegerField()
    cap = serializers.IntegerField(allow_null=True)


def _open_data(request) -> tuple[list[dict], str]:
    query = ExportQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    filters = query.validated_data
    years = [filters["year"]] if filters.get("year") else usage.years_with_bookings()
    rows = usage.usage(years, house_ids={filters["house"]} if filters.get("house") else None,
                       district=filters.get("district"), house_type=filters.get("house_type"), kinds=_kinds(filters))
    suffix = str(filters["year"]) if filters.get("year") else "alle-jaren"
    return usage.open_data(rows), f"zaalboek-gebruik-{suffix}"


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class OpenDataView(APIView):
    permission_classes = [AllowAny]


class UsageExportCsvView(OpenDataView):
    @extend_schema(parameters=[ExportQuerySerializer], responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="house,house_name,district,year,kind,count,cap"),
        (400, "application/json"): ErrorSerializer})
    def get(self, request):
        """Open data: counted private events per house, kind and year with the cap in force, as CSV. No one's
        personal data: counts only."""
        records, filename = _open_data(request)
        return _csv(usage.to_csv(records, usage.OPEN_DATA_FIELDS), filename)


class UsageExportJsonView(OpenDataView):
    @extend_schema(parameters=[ExportQuerySerializer], responses={200: OpenDataRowSerializer(many=True),
                                                                   400: ErrorSerializer})
    def get(self, request):
        """Open data: the same figures as `export.csv`, as a JSON array."""
        records, _ = _open_data(request)
        return Response(records)


class AccessibilityRowSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    house_name = serializers.CharField()
    district = serializers.CharField()
    location = serializers.CharField()
    street = serializers.CharField()
    postcode = serializers.CharField()
    screening_status = serializers.CharField(help_text="not_screened, compliant, partial or non_compliant (NEN 9120).")
    screening_date = serializers.DateField(allow_null=True)
    step_free_entrance = serializers.BooleanField()
    threshold_max_2cm = serializers.BooleanField()
    door_width_cm = serializers.IntegerField(allow_null=True)
    lift = serializers.BooleanField()
    accessible_toilet = serializers.BooleanField()
    hearing_loop = serializers.BooleanField()
    wheelchair_accessible = serializers.BooleanField()


class AccessibilityCsvView(OpenDataView):
    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR,
                                                                  description="One row per location of a house.")})
    def get(self, request):
        """Accessibility screening status per location of every house, as CSV."""
        return _csv(usage.to_csv(usage.accessibility_rows(), usage.ACCESSIBILITY_FIELDS), "zaalboek-toegankelijkheid")


class AccessibilityJsonView(OpenDataView):
    @extend_schema(responses={200: AccessibilityRowSerializer(many=True)})
    def get(self, request):
        """Accessibility screening status per location of every house, as a JSON array."""
        return Response(usage.accessibility_rows())


# --- occupancy and own income (issue 21) ----------------------------------------------------------------------


class OccupancyQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text="Calendar year (Europe/Amsterdam); default: this year.")
    month = serializers.IntegerField(min_value=1, max_value=12, required=False, help_text="One month of the year.")
    house = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    district = serializers.CharField(max_length=100, required=False, help_text="District (wijk) id or slug.")
    house_type = serializers.ChoiceField(choices=HouseType.choices, required=False)


class OccupancyFiguresSerializer(serializers.Serializer):
    open_hours = serializers.FloatField(help_text="Opening hours minus closures, in real hours.")
    booked_hours = serializers.FloatField(help_text="Hours of approved and confirmed bookings inside open hours.")
    private_hours = serializers.FloatField(help_text="Of which parties, koffietafels and gatherings.")
    association_hours = serializers.FloatField()
    community_hours = serializers.FloatField(help_text="The house's own activities.")
    rate = serializers.FloatField(allow_null=True, help_text="booked_hours / open_hours (0..1); null: never open.")


class OccupancyMonthSerializer(OccupancyFiguresSerializer):
    month = serializers.IntegerField()
    daypart = serializers.ChoiceField(choices=list(occupancy.DAYPART_CODES),
                                      help_text="ochtend 06–12, middag 12–18, avond 18–24, nacht 00–06 (of the "
                                                "evening before).")


class OccupancyHeatSerializer(OccupancyFiguresSerializer):
    weekday = serializers.IntegerField(help_text="0 = Monday .. 6 = Sunday.")
    daypart = serializers.ChoiceField(choices=list(occupancy.DAYPART_CODES))


class OccupancyRoomSerializer(OccupancyFiguresSerializer):
    room = serializers.IntegerField()
    room_name = serializers.CharField()
    months = OccupancyMonthSerializer(many=True)


class OccupancyHouseSerializer(OccupancyFiguresSerializer):
    house = serializers.IntegerField()
    house_name = serializers.CharField()
    district = serializers.CharField()
    house_type = serializers.CharField()
    months = OccupancyMonthSerializer(many=True)
    heat = OccupancyHeatSerializer(many=True, help_text="Weekday × dagdeel over the period.")
    rooms = OccupancyRoomSerializer(many=True)


class OccupancySerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField(allow_null=True)
    city = OccupancyFiguresSerializer(help_text="All houses listed together.")
    results = OccupancyHouseSerializer(many=True, help_text="Houses from least to most used.")


def _visible_house_ids(request, house: int | None):
    house_ids = access.usage_house_ids(request.user)
    if house:
        house_ids = {house} if house_ids is None else set(house_ids) & {house}
    return house_ids


class OccupancyView(APIView):
    permission_classes = [perms.CanSeeUsage]

    @extend_schema(parameters=[OccupancyQuerySerializer], responses={200: OccupancySerializer, **ERRORS})
    def get(self, request):
        """Occupancy (bezettingsgraad) per house and room, per month and dagdeel: hours open (opening hours minus
        closures), hours booked (approved and confirmed bookings clipped to open hours; private, association,
        community) and the rate; a weekday × dagdeel heat map per house; houses ranked from least to most used.
        Aggregates only. The municipality sees every house, volunteers their own houses; others 403."""
        query = OccupancyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        year, month = data.get("year") or usage.current_year(), data.get("month")
        houses = usage.houses_for(house_ids=_visible_house_ids(request, data.get("house")),
                                  district=data.get("district"), house_type=data.get("house_type"))
        result = occupancy.occupancy(year, month=month, houses=houses)
        months = [month] if month else range(1, 13)
        return Response({"year": year, "month": month, "city": result.city().as_dict(),
                         "results": [occupancy.house_dict(h, months=months) for h, _ in result.ranking()]})


class IncomeQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text="Calendar year (Europe/Amsterdam date of each ledger line).")
    house = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


class IncomeFiguresSerializer(serializers.Serializer):
    received_cents = serializers.IntegerField(help_text="Payments received (ledger: charge).")
    refunded_cents = serializers.IntegerField(help_text="Refunds, returned deposits, and bank reversals (disputes "
                                                        "lost minus won).")
    deposit_retained_cents = serializers.IntegerField(help_text="Deposits kept (inside net; listed apart).")
    net_cents = serializers.IntegerField(help_text="received − refunded.")


class IncomeMonthSerializer(IncomeFiguresSerializer):
    month = serializers.IntegerField()
    group = serializers.ChoiceField(choices=list(income.GROUPS),
                                    help_text="private (para-commercial), association or other.")


class IncomeHouseSerializer(IncomeFiguresSerializer):
    house = serializers.IntegerField()
    house_name = serializers.CharField()
    district = serializers.CharField()
    groups = serializers.DictField(child=IncomeFiguresSerializer(), help_text="Per kind group, the year.")
    months = IncomeMonthSerializer(many=True)
    invoiced_cents = serializers.IntegerField(help_text="Association income invoiced in the year (invoices − credit "
                                                        "notes), when invoicing is used; not part of net.")


class IncomeSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    city = IncomeFiguresSerializer()
    results = IncomeHouseSerializer(many=True)


class IncomeView(APIView):
    permission_classes = [perms.CanSeeUsage]

    @extend_schema(parameters=[IncomeQuerySerializer], responses={200: IncomeSerializer, **ERRORS})
    def get(self, request):
        """A house's own income in a year from the payments ledger, per month and kind group (private, association,
        other): received, refunded, deposits retained, net. Amounts in euro cents. Aggregates only. The
        municipality sees every house, volunteers their own; others 403."""
        query = IncomeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        year = data.get("year") or usage.current_year()
        houses = usage.houses_for(house_ids=_visible_house_ids(request, data.get("house")))
        report = income.income(year, houses=houses)
        return Response({"year": year, "city": report.city().as_dict(),
                         "results": [income.house_dict(h) for h in report.houses]})


class AutoApprovalRowSerializer(serializers.Serializer):
    house = serializers.IntegerField()
    house_name = serializers.CharField()
    district = serializers.CharField()
    kinds = serializers.ListField(child=serializers.CharField(), help_text="Kinds approved at once when every rule "
                                                                           "passes; empty: the board decides each.")


class AutoApprovalView(APIView):
    permission_classes = [perms.CanSeeUsage]

    @extend_schema(responses={200: AutoApprovalRowSerializer(many=True), **ERRORS})
    def get(self, request):
        """Which houses approve which kinds automatically when every rule passes (issue 18). No personal data:
        who switched it on is not shown."""
        houses = usage.houses_for(house_ids=access.usage_house_ids(request.user))
        return Response(usage.auto_approval_rows(houses))


# --- cap rules ---------------------------------------------------------------------------------------------------


class CapRuleSerializer(serializers.ModelSerializer):
    kind = PrivateKindField(read_only=True)
    house = serializers.IntegerField(source="house_id", allow_null=True, help_text="null: the city-wide default.")
    house_name = serializers.SerializerMethodField()

    class Meta:
        model = CapRule
        fields = ["id", "kind", "house", "house_name", "cap", "reason", "effective_from", "updated_at"]
        read_only_fields = fields

    def get_house_name(self, rule) -> str | None:
        return rule.house.name if rule.house_id else None


class CapRulesInForceSerializer(serializers.Serializer):
    results = CapRuleSerializer(many=True, help_text="Every cap rule in force after the change.")


class CapRuleInputSerializer(serializers.Serializer):
    kind = PrivateKindField()
    house = serializers.PrimaryKeyRelatedField(queryset=House.objects.all(), allow_null=True, required=False,
                                               default=None, help_text="null or left out: the city-wide default.")
    cap = serializers.IntegerField(min_value=0, max_value=1000, allow_null=True,
                                   help_text="null removes the house's override (the default applies again).")
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="",
                                   help_text="Required for a house's override, e.g. 'horeca in de buurt'.")
    effective_from = serializers.DateField(required=False, default=None, allow_null=True,
                                           help_text="Local date the change takes effect; default today; not in "
                                                     "the past. Earlier values are kept for earlier dates.")


class CapRuleFilterSerializer(serializers.Serializer):
    house = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    kind = PrivateKindField(required=False)
    on = serializers.DateField(required=False, help_text="The rules in force on this local date; default today.")
    history = serializers.BooleanField(required=False, default=False,
                                       help_text="true: every version (past, current and planned), oldest first.")


_CAP_RULE_ITEM = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": [k for k, _ in PRIVATE_KIND_CHOICES]},
        "house": {"type": "integer", "format": "int64", "nullable": True,
                  "description": "null or left out: the city-wide default."},
        "cap": {"type": "integer", "minimum": 0, "maximum": 1000, "nullable": True,
                "description": "null removes the house's override (the default applies again)."},
        "reason": {"type": "string", "maxLength": 500,
                   "description": "Required for a house's override, e.g. 'horeca in de buurt'."},
        "effective_from": {"type": "string", "format": "date", "nullable": True,
                           "description": "Local date the change takes effect; default today; not in the past."},
    },
    "required": ["kind", "cap"],
}
CAP_RULE_BODY = {"oneOf": [_CAP_RULE_ITEM, {"type": "array", "items": _CAP_RULE_ITEM, "minItems": 1, "maxItems": 500}]}
NO_PAGES = [OpenApiParameter("page", exclude=True), OpenApiParameter("page_size", exclude=True)]


def _rules_in_force(*, on=None, house=None, kind=None) -> list:
    """The cap rules in force on `on` (default today), defaults first then overrides by house name."""
    from boeking.rules import CapTable

    qs = CapRule.objects.select_related("house")
    if house:
        qs = qs.filter(Q(house_id=house) | Q(house__isnull=True))
    if kind:
        qs = qs.filter(kind=kind)
    rules = CapTable(list(qs)).rules_on(on)
    if house:
        rules = [r for r in rules if r.house_id == house]
    return sorted(rules, key=lambda r: (r.house_id is not None, r.house.name if r.house_id else "", r.house_id or 0,
                                        r.kind, r.pk))


class CapRulesView(generics.ListAPIView):
    """Caps per private kind: the city-wide defaults (`house` null) and per-house overrides with their reason, as in
    force today (or on `on`), each with the date it took effect; `history=true` lists every version."""

    serializer_class = CapRuleSerializer
    filter_backends: list = []

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    def get_queryset(self):
        query = CapRuleFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if not data.get("history"):
            return _rules_in_force(on=data.get("on"), house=data.get("house"), kind=data.get("kind"))
        qs = CapRule.objects.select_related("house").order_by("house__name", "house_id", "kind", "effective_from", "pk")
        if data.get("house"):
            qs = qs.filter(house_id=data["house"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        return qs

    @extend_schema(parameters=[CapRuleFilterSerializer], responses={200: CapRuleSerializer(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"application/json": CAP_RULE_BODY},
        parameters=NO_PAGES,
        responses={200: CapRulesInForceSerializer, **WRITE_ERRORS},
        description="Set caps, all or nothing: one `{kind, house, cap, reason}` or a list of them. `house` null sets "
                    "the city-wide default; with a house it sets that house's override, which needs a `reason`; `cap` "
                    "null removes an override. `effective_from` (a date, default today, not in the past) is when the "
                    "change takes effect; earlier values stay for earlier dates, so past years keep their caps. "
                    "Effective for new requests and approvals only: approved bookings stay. "
                    "Audited. Returns every cap rule in force afterwards, as `results`. Municipality only.",
    )
    def put(self, request):
        if not access.can_set_rules(request.user):
            self.permission_denied(request, message="Alleen de gemeente stelt de maxima vast.")
        data = request.data
        items = [data] if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise InvalidInput("invalid_input", "Stuur één maximum of een lijst van maxima.")
        if len(items) > 500:
            raise InvalidInput("too_many", "Hoogstens 500 maxima tegelijk.")
        serializer = CapRuleInputSerializer(data=items, many=True)
        serializer.is_valid(raise_exception=True)
        cap_rules_apply(actor=request.user, changes=[dict(item) for item in serializer.validated_data])
        return Response({"results": CapRuleSerializer(_rules_in_force(), many=True).data})


# --- rule settings -----------------------------------------------------------------------------------------------


class RuleSettingsSerializer(serializers.ModelSerializer):
    melding_email = serializers.EmailField(allow_blank=True, required=False, max_length=254,
                                           help_text="Where meldingen are mailed (empty: the installation's "
                                                     "ZAALBOEK_MELDING_EMAIL). Shown to the municipality only.")

    class Meta:
        model = RuleSettings
        exclude = ["id"]
        read_only_fields = ["updated_at"]
        # Bounds come from the model's validators (boeking.models.bounded): one home for every door.

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not access.can_set_rules(request.user):
            data["melding_email"] = ""
        return data


class RuleSettingsView(APIView):
    """The city-wide rule parameters of SPEC §4 (notice, advance, end times, koffietafel window, durations,
    deadlines, free cancellation, the municipality's postcodes, the melding address, the anonymisation period)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    @extend_schema(responses={200: RuleSettingsSerializer, **ERRORS})
    def get(self, request):
        return Response(RuleSettingsSerializer(RuleSettings.current(), context={"request": request}).data)

    @extend_schema(request=RuleSettingsSerializer, responses={200: RuleSettingsSerializer, **WRITE_ERRORS},
                   description="Change some or all parameters (fields left out keep their value). Checked as a whole, "
                               "audited, effective for new requests and approvals only. Municipality only.")
    def put(self, request):
        if not access.can_set_rules(request.user):
            self.permission_denied(request, message="Alleen de gemeente stelt de regels vast.")
        serializer = RuleSettingsSerializer(RuleSettings.current(), data=request.data, partial=True,
                                            context={"request": request})
        unknown = sorted(set(request.data) - set(serializer.fields)) if isinstance(request.data, dict) else []
        if unknown:
            raise InvalidInput("unknown_setting", f"Onbekende instelling(en): {', '.join(unknown)}.")
        serializer.is_valid(raise_exception=True)
        settings = rule_settings_update(actor=request.user, changes=dict(serializer.validated_data))
        return Response(RuleSettingsSerializer(settings, context={"request": request}).data)


# --- meldingen ---------------------------------------------------------------------------------------------------


class MeldingSerializer(serializers.ModelSerializer):
    """An advance notice of a private event: when, where, what, how many, alcohol. No personal data."""

    house = serializers.IntegerField(source="house_id")
    house_name = serializers.CharField(source="house.name")
    district = serializers.CharField(source="house.neighbourhood.district.name")
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    status = serializers.SerializerMethodField()
    notice_days = serializers.SerializerMethodField(help_text="Whole days between the melding and the event.")
    late = serializers.SerializerMethodField(help_text="Received later before the event than the notice period.")

    class Meta:
        model = Melding
        fields = ["id", "house", "house_name", "district", "kind", "start", "end", "guests", "alcohol", "created_at",
                  "withdrawn_at", "status", "notice_days", "late"]
        read_only_fields = fields

    def get_status(self, melding) -> str:
        return "withdrawn" if melding.withdrawn_at else "active"

    def get_notice_days(self, melding) -> int:
        return (melding.start - melding.created_at).days

    def get_late(self, melding) -> bool:
        settings = self.context.get("rule_settings") or RuleSettings.current()
        return melding.start - melding.created_at < dt.timedelta(hours=settings.min_notice_hours(melding.kind))


def _moment(params, name: str) -> dt.datetime:
    """The query parameter `name` as a moment (api.fields.parse_moment: a date or datetime between 2000 and 2100)."""
    try:
        return parse_moment(params[name])
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from exc


@extend_schema(parameters=[
    OpenApiParameter("from", OpenApiTypes.STR, description="Events starting at or after this date or moment."),
    OpenApiParameter("to", OpenApiTypes.STR, description="Events starting before this date or moment."),
    OpenApiParameter("house", OpenApiTypes.INT64),
    OpenApiParameter("withdrawn", OpenApiTypes.BOOL, description="false: active meldingen only."),
], responses={200: MeldingSerializer(many=True), **ERRORS})
class MeldingenView(generics.ListAPIView):
    """Advance notices (meldingen) of parties and gatherings, made on approval and withdrawn on cancellation."""

    serializer_class = MeldingSerializer
    permission_classes = [perms.CanSeeMeldingen]
    filter_backends: list = []

    def get_queryset(self):
        params = self.request.query_params
        qs = Melding.objects.select_related("house__neighbourhood__district").order_by("start", "pk")
        if params.get("from"):
            qs = qs.filter(start__gte=_moment(params, "from"))
        if params.get("to"):
            qs = qs.filter(start__lt=_moment(params, "to"))
        if params.get("house"):
            house = params["house"]
            if not (house.isascii() and house.isdecimal()) or int(house) >= 2**63:
                raise serializers.ValidationError({"house": ["Geef het nummer van een huis."]})
            qs = qs.filter(house_id=int(house))
        if params.get("withdrawn") in ("false", "0"):
            qs = qs.filter(withdrawn_at__isnull=True)
        elif params.get("withdrawn") in ("true", "1"):
            qs = qs.filter(withdrawn_at__isnull=False)
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "rule_settings": RuleSettings.current()}


urlpatterns = [
    path("usage/", UsageView.as_view(), name="usage"),
    path("usage/export.csv", UsageExportCsvView.as_view(), name="usage-export-csv"),
    path("usage/export.json", UsageExportJsonView.as_view(), name="usage-export-json"),
    path("accessibility/export.csv", AccessibilityCsvView.as_view(), name="accessibility-export-csv"),
    path("accessibility/export.json", AccessibilityJsonView.as_view(), name="accessibility-export-json"),
    path("occupancy/", OccupancyView.as_view(), name="occupancy"),
    path("income/", IncomeView.as_view(), name="income"),
    path("auto-approval/", AutoApprovalView.as_view(), name="auto-approval"),
    path("cap-rules/", CapRulesView.as_view(), name="cap-rules"),
    path("rule-settings/", RuleSettingsView.as_view(), name="rule-settings"),
    path("meldingen/", MeldingenView.as_view(), name="meldingen"),
    path("", include("api.privacy")),
]
