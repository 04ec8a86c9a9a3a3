"""Geography (districts, neighbourhoods, postcodes) and what is booked: houses, locations, rooms, tariffs."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from boeking.models import District, Facility, House, Location, Neighbourhood, OpeningHours, PostcodeArea, Room, Tariff

from .base import EMPTY, cents

# --- geography -------------------------------------------------------------------------------------------------


class PostcodeAreaInline(admin.TabularInline):
    model = PostcodeArea
    extra = 1


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "postcodes_display")
    list_filter = ("district",)
    list_select_related = ("district",)
    search_fields = ("name", "postcodes__pc4")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("district",)
    inlines = (PostcodeAreaInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("postcodes")

    @admin.display(description=_("postcodes (PC4)"))
    def postcodes_display(self, obj):
        return ", ".join(sorted({p.pc4 for p in obj.postcodes.all()})) or EMPTY


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(admin.ModelAdmin):
    list_display = ("pc4", "neighbourhood")
    list_filter = ("neighbourhood__district",)
    list_select_related = ("neighbourhood",)
    search_fields = ("pc4", "neighbourhood__name")
    autocomplete_fields = ("neighbourhood",)


# --- houses, locations, rooms ----------------------------------------------------------------------------------


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    fieldsets = (
        (None, {"fields": ("name", ("street", "postcode", "city"))}),
        (_("Toegankelijkheid (NEN 9120)"), {"fields": (
            ("step_free_entrance", "threshold_max_2cm", "door_width_cm"),
            ("lift", "accessible_toilet", "hearing_loop"),
            ("disabled_parking_distance_m", "public_transport_distance_m"),
            ("screening_status", "screening_date"),
        )}),
    )


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ("name", "house_type", "operator_type", "neighbourhood", "discount_percent",
                    "neighbourhood_residents_only", "active")
    list_filter = ("house_type", "operator_type", "active", "neighbourhood_residents_only", "neighbourhood__district")
    list_select_related = ("neighbourhood",)
    search_fields = ("name", "operator_name", "neighbourhood__name", "locations__street")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("neighbourhood",)
    inlines = (LocationInline, OpeningHoursInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "house_type", "neighbourhood", "description", "house_rules", "active")}),
        (_("Beheer en contact"), {"fields": ("operator_type", "operator_name", "email", "phone", "bank_account")}),
        (_("Regels en prijs"), {"fields": ("discount_percent", "neighbourhood_residents_only")}),
    )


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("house", "weekday", "opens", "closes")
    list_filter = ("weekday", "house")
    list_select_related = ("house",)
    search_fields = ("house__name",)
    autocomplete_fields = ("house",)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "house", "street", "postcode", "wheelchair_display", "screening_status", "screening_date")
    list_filter = ("screening_status", "step_free_entrance", "lift", "accessible_toilet", "hearing_loop", "house")
    list_select_related = ("house",)
    search_fields = ("name", "street", "postcode", "house__name")
    autocomplete_fields = ("house",)
    fieldsets = ((None, {"fields": ("house",)}),) + LocationInline.fieldsets

    @admin.display(description=_("rolstoeltoegankelijk"), boolean=True)
    def wheelchair_display(self, obj):
        return obj.wheelchair_accessible


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name_nl", "name_en", "code")
    search_fields = ("name_nl", "name_en", "code")
    prepopulated_fields = {"code": ("name_nl",)}


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 0


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "house", "location", "capacity", "area_m2", cents("deposit_cents", _("borg")),
                    "private_events_allowed", "active")
    list_filter = ("active", "private_events_allowed", "house", "facilities")
    list_select_related = ("house", "location")
    search_fields = ("name", "house__name", "location__name")
    autocomplete_fields = ("location",)
    filter_horizontal = ("facilities",)
    readonly_fields = ("house",)  # follows from the location
    inlines = (TariffInline,)
    fieldsets = (
        (None, {"fields": ("location", "house", "name", "description", "active")}),
        (_("Ruimte"), {"fields": ("capacity", "area_m2", "facilities")}),
        (_("Verhuur"), {"fields": ("private_events_allowed", "deposit_cents", "cleaning_fee_cents",
                                   "buffer_minutes")}),
    )


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("room", "tier", "unit", cents("amount_cents", _("bedrag")))
    list_filter = ("tier", "unit", "room__house")
    list_select_related = ("room__house",)
    search_fields = ("room__name", "room__house__name")
    autocomplete_fields = ("room",)
