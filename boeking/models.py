"""The Zaalboek domain (SPEC §3). Money is integer euro cents; datetimes are aware and stored in UTC.

No business logic lives here: state changes are in `boeking.services`, rules in `boeking.rules`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _
from recurrence.fields import RecurrenceField

from .bounds import MAX_BUFFER_MINUTES
from .constraints import PostgresExclusionConstraint, PostgresGistIndex
from .identifiers import IBANField, PostcodeField
from .querysets import BookingQuerySet, ClosureQuerySet, SeriesQuerySet

# --- geography -------------------------------------------------------------------------------------------------


class District(models.Model):
    """A wijk (district) of the municipality."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("URL-naam"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A buurt within a district, with the PC4 postcodes that (mostly) lie in it."""

    district = models.ForeignKey(District, verbose_name=_("wijk"), on_delete=models.PROTECT, related_name="neighbourhoods")
    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("URL-naam"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")

    def __str__(self) -> str:
        return self.name


class PostcodeArea(models.Model):
    """A PC4 postcode and a neighbourhood it covers (one PC4 may span several buurten)."""

    pc4 = models.CharField(_("postcode (PC4)"), max_length=4)
    neighbourhood = models.ForeignKey(Neighbourhood, verbose_name=_("buurt"), on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        ordering = ["pc4"]
        constraints = [models.UniqueConstraint(fields=["pc4", "neighbourhood"], name="unique_pc4_per_neighbourhood")]
        verbose_name = _("postcodegebied")
        verbose_name_plural = _("postcodegebieden")

    def __str__(self) -> str:
        return f"{self.pc4} ({self.neighbourhood})"


# --- houses, locations, rooms -----------------------------------------------------------------------------------


class HouseType(models.TextChoices):
    GEMEENSCHAPSHUIS = "gemeenschapshuis", _("Gemeenschapshuis")
    ONTMOETINGSCENTRUM = "ontmoetingscentrum", _("Ontmoetingscentrum")
    HUIS_VAN_DE_WIJK = "huis_van_de_wijk", _("Huis van de Wijk")
    KLEINSCHALIG = "kleinschalig", _("Kleinschalige ontmoetingsplek")


class OperatorType(models.TextChoices):
    VOLUNTEER_BOARD = "volunteer_board", _("Vrijwilligersbestuur")
    PROFESSIONAL = "professional", _("Professionele organisatie")


class House(models.Model):
    name = models.CharField(_("naam"), max_length=150)
    slug = models.SlugField(_("URL-naam"), unique=True)
    house_type = models.CharField(_("soort"), max_length=30, choices=HouseType.choices)
    operator_type = models.CharField(_("beheerder"), max_length=30, choices=OperatorType.choices)
    operator_name = models.CharField(_("naam beheerder"), max_length=150, blank=True)
    neighbourhood = models.ForeignKey(Neighbourhood, verbose_name=_("buurt"), on_delete=models.PROTECT, related_name="houses")
    description = models.TextField(_("beschrijving"), blank=True)
    house_rules = models.TextField(_("huisregels"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    discount_percent = models.PositiveSmallIntegerField(
        _("korting (%)"), default=0, help_text=_("Korting op de huur, bv. in buurten waar de gemeente extra investeert.")
    )
    neighbourhood_residents_only = models.BooleanField(
        _("alleen buurtbewoners"),
        default=False,
        help_text=_("Privé-bijeenkomsten alleen voor bewoners met een postcode in de eigen buurt."),
    )
    bank_account = IBANField(_("IBAN"), blank=True, help_text=_("Voor betaalinstructies; wordt gecontroleerd."))
    payment_mode = models.CharField(
        _("betaalwijze"), max_length=10, blank=True, choices=[("offline", _("Ter plaatse of per overschrijving")),
                                                              ("stripe", _("Online (iDEAL, kaart)"))],
        help_text=_("Leeg: de betaalwijze van de installatie."),
    )
    active = models.BooleanField(_("actief"), default=True)
    # Kept by OpeningHours (its save, delete and queryset writes call `refresh_weekly_hours`), never edited:
    # searches judge every house with the same hours once, and select rooms by this text (availability.load_answers).
    weekly_hours = models.TextField(
        _("openingstijden per week"), blank=True, editable=False,
        help_text=_("Afgeleid van de openingstijden: weekdag,open,dicht per regel, gescheiden door ';'."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("huis")
        verbose_name_plural = _("huizen")

    def __str__(self) -> str:
        return self.name


def weekly_hours_text(rows) -> str:
    """`House.weekly_hours` of `(weekday, opens, closes)` rows (weekday 0 = Monday; `datetime.time`s): each row as
    `weekday,opens,closes` (ISO times, e.g. `5,08:00:00,01:00:00`), sorted, joined by `;`; "" without rows.
    Parsed by `boeking.availability.parse_weekly_hours`."""
    return ";".join(f"{weekday},{opens.isoformat()},{closes.isoformat()}" for weekday, opens, closes in sorted(rows))


def refresh_weekly_hours(house_ids) -> dict[int, str]:
    """Write `House.weekly_hours` of the houses `house_ids` from their `OpeningHours` rows: two queries and one
    UPDATE per house whose text changed. The one place that text is written; every OpeningHours write calls it.
    Returns `{house_id: weekly_hours}` of the houses that exist."""
    house_ids = {house_id for house_id in house_ids if house_id is not None}
    if not house_ids:
        return {}
    rows: dict[int, list] = {house_id: [] for house_id in house_ids}
    for house_id, weekday, opens, closes in (OpeningHours.objects.filter(house_id__in=house_ids).order_by()
                                             .values_list("house_id", "weekday", "opens", "closes")):
        rows[house_id].append((weekday, opens, closes))
    stored = dict(House.objects.filter(pk__in=house_ids).values_list("pk", "weekly_hours"))
    texts = {house_id: weekly_hours_text(rows[house_id]) for house_id in stored}
    for house_id, text in texts.items():
        if stored[house_id] != text:
            House.objects.filter(pk=house_id).update(weekly_hours=text)
    return texts


class OpeningHoursQuerySet(models.QuerySet):
    """Queryset writes that bypass `save()` keep `House.weekly_hours` too (deletes go through the `post_delete`
    receiver in `boeking.apps`, which also covers cascades)."""

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        texts = refresh_weekly_hours(obj.house_id for obj in created)
        for obj in created:
            if OpeningHours.house.is_cached(obj) and obj.house_id in texts:
                obj.house.weekly_hours = texts[obj.house_id]
        return created

    def bulk_update(self, objs, *args, **kwargs):
        objs = list(objs)
        houses = {obj.house_id for obj in objs} | {obj._loaded_house_id for obj in objs
                                                  if getattr(obj, "_loaded_house_id", None)}
        updated = super().bulk_update(objs, *args, **kwargs)
        refresh_weekly_hours(houses)
        return updated

    def update(self, **kwargs):
        houses = set(self.order_by().values_list("house_id", flat=True))
        updated = super().update(**kwargs)
        if "house" in kwargs or "house_id" in kwargs:
            houses.add(getattr(kwargs.get("house"), "pk", kwargs.get("house_id", kwargs.get("house"))))
        refresh_weekly_hours(houses)
        return updated


class OpeningHours(models.Model):
    """One opening interval of a house on a weekday (0 = Monday). `closes` ≤ `opens` means after midnight.
    Every write keeps its house's `weekly_hours` (`refresh_weekly_hours`)."""

    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekdag"),
        choices=[(0, _("maandag")), (1, _("dinsdag")), (2, _("woensdag")), (3, _("donderdag")),
                 (4, _("vrijdag")), (5, _("zaterdag")), (6, _("zondag"))],
    )
    opens = models.TimeField(_("open"))
    closes = models.TimeField(_("dicht"), help_text=_("Vóór of gelijk aan 'open' betekent: na middernacht."))

    objects = OpeningHoursQuerySet.as_manager()

    class Meta:
        ordering = ["house", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(weekday__lte=6), name="openinghours_weekday_0_6")]
        verbose_name = _("openingstijd")
        verbose_name_plural = _("openingstijden")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        texts = refresh_weekly_hours({self.house_id, getattr(self, "_loaded_house_id", None)})
        self._loaded_house_id = self.house_id
        if OpeningHours.house.is_cached(self) and self.house_id in texts:
            self.house.weekly_hours = texts[self.house_id]  # the caller's House object is not left behind

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        row = super().from_db(db, field_names, values, **kwargs)
        row._loaded_house_id = row.__dict__.get("house_id")  # a row moved to another house refreshes both
        return row

    @property
    def crosses_midnight(self) -> bool:
        return self.closes <= self.opens


class ScreeningStatus(models.TextChoices):
    NOT_SCREENED = "not_screened", _("Nog niet geschouwd")
    COMPLIANT = "compliant", _("Voldoet")
    PARTIAL = "partial", _("Voldoet gedeeltelijk")
    NON_COMPLIANT = "non_compliant", _("Voldoet niet")


class Location(models.Model):
    """An address of a house, with an accessibility profile inspired by NEN 9120."""

    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("naam"), max_length=150)
    street = models.CharField(_("straat en huisnummer"), max_length=150)
    postcode = PostcodeField(_("postcode"))
    city = models.CharField(_("plaats"), max_length=80, default="Maastricht")
    step_free_entrance = models.BooleanField(_("drempelvrije entree"), default=False)
    threshold_max_2cm = models.BooleanField(_("drempels ≤ 2 cm"), default=False)
    door_width_cm = models.PositiveSmallIntegerField(_("deurbreedte (cm)"), null=True, blank=True)
    lift = models.BooleanField(_("lift"), default=False)
    accessible_toilet = models.BooleanField(_("invalidentoilet"), default=False)
    disabled_parking_distance_m = models.PositiveIntegerField(
        _("afstand invalidenparkeerplaats (m)"), null=True, blank=True
    )
    public_transport_distance_m = models.PositiveIntegerField(_("afstand openbaar vervoer (m)"), null=True, blank=True)
    hearing_loop = models.BooleanField(_("ringleiding"), default=False)
    screening_date = models.DateField(_("schouwdatum"), null=True, blank=True)
    screening_status = models.CharField(
        _("schouwstatus"), max_length=20, choices=ScreeningStatus.choices, default=ScreeningStatus.NOT_SCREENED
    )
    # WGS 84 (EPSG:4326), for the map on the search and house pages; empty: the location is listed, not mapped.
    latitude = models.DecimalField(_("breedtegraad"), max_digits=8, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(_("lengtegraad"), max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        ordering = ["house", "name"]
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")

    def __str__(self) -> str:
        return f"{self.house} – {self.name}"

    @property
    def wheelchair_accessible(self) -> bool:
        """Step-free (or ≤ 2 cm) entrance, a door of at least 85 cm (NEN 9120) and an accessible toilet."""
        return (
            (self.step_free_entrance or self.threshold_max_2cm)
            and (self.door_width_cm or 0) >= 85
            and self.accessible_toilet
        )


class Facility(models.Model):
    code = models.SlugField(_("code"), unique=True)
    name_nl = models.CharField(_("naam (nl)"), max_length=80)
    name_en = models.CharField(_("naam (en)"), max_length=80)

    class Meta:
        ordering = ["name_nl"]
        verbose_name = _("voorziening")
        verbose_name_plural = _("voorzieningen")

    def __str__(self) -> str:
        """The name in the active language (a facility checkbox on an English page reads "Kitchen")."""
        from django.utils import translation

        english = (translation.get_language() or "nl").startswith("en")
        return (self.name_en if english and self.name_en else self.name_nl)


class Room(models.Model):
    location = models.ForeignKey(Location, verbose_name=_("locatie"), on_delete=models.PROTECT, related_name="rooms")
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.PROTECT, related_name="rooms", editable=False)
    name = models.CharField(_("naam"), max_length=150)
    description = models.TextField(_("beschrijving"), blank=True)
    capacity = models.PositiveIntegerField(_("capaciteit (personen)"))
    area_m2 = models.PositiveIntegerField(_("oppervlakte (m²)"), null=True, blank=True)
    facilities = models.ManyToManyField(Facility, blank=True, related_name="rooms", verbose_name=_("voorzieningen"))
    deposit_cents = models.PositiveIntegerField(_("borg (cent)"), default=0)
    cleaning_fee_cents = models.PositiveIntegerField(_("schoonmaakkosten (cent)"), default=0)
    buffer_minutes = models.PositiveIntegerField(
        _("buffer na boeking (min)"), default=30, validators=[MaxValueValidator(MAX_BUFFER_MINUTES)],
        help_text=_("Tijd voor schoonmaken na elke boeking (hoogstens 240 minuten)."),
    )
    private_events_allowed = models.BooleanField(_("privé-bijeenkomsten toegestaan"), default=True)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["house", "name"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
                       models.CheckConstraint(condition=Q(buffer_minutes__lte=MAX_BUFFER_MINUTES),
                                              name="room_buffer_bounded")]
        verbose_name = _("zaal")
        verbose_name_plural = _("zalen")

    def __str__(self) -> str:
        return f"{self.house} – {self.name}"

    def save(self, *args, **kwargs):
        # Denormalised for per-house locks and queries; always follows the location.
        self.house_id = self.location.house_id
        super().save(*args, **kwargs)


class TariffTier(models.TextChoices):
    PRIVATE = "private", _("Privé (bewoners)")
    ASSOCIATION = "association", _("Vereniging")
    OTHER = "other", _("Overig")


class TariffUnit(models.TextChoices):
    HOUR = "hour", _("per uur")
    DAYPART = "daypart", _("per dagdeel")


class Tariff(models.Model):
    room = models.ForeignKey(Room, verbose_name=_("zaal"), on_delete=models.CASCADE, related_name="tariffs")
    tier = models.CharField(_("tarief"), max_length=20, choices=TariffTier.choices)
    unit = models.CharField(_("eenheid"), max_length=10, choices=TariffUnit.choices)
    amount_cents = models.PositiveIntegerField(_("bedrag (cent)"))

    class Meta:
        ordering = ["room", "tier", "unit"]
        constraints = [models.UniqueConstraint(fields=["room", "tier", "unit"], name="unique_tariff")]
        verbose_name = _("tarief")
        verbose_name_plural = _("tarieven")

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.get_unit_display()}: € {self.amount_cents / 100:.2f}"


# --- people ----------------------------------------------------------------------------------------------------


class Role(models.TextChoices):
    RESIDENT = "resident", _("Bewoner")
    ASSOCIATION = "association", _("Vereniging")
    VOLUNTEER = "volunteer", _("Bestuurslid")
    MUNICIPALITY = "municipality", _("Gemeente")
    ADMIN = "admin", _("Applicatiebeheerder")


def new_feed_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    postcode = PostcodeField(_("postcode"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    organisation = models.CharField(_("organisatie"), max_length=150, blank=True)
    adult_declared = models.BooleanField(_("verklaart 18 jaar of ouder te zijn"), default=False)
    feed_token = models.CharField(_("agenda-sleutel"), max_length=64, unique=True, default=new_feed_token, editable=False)
    language = models.CharField(_("taal"), max_length=5, default="nl", choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("profiel")
        verbose_name_plural = _("profielen")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def pc4(self) -> str:
        return "".join(ch for ch in self.postcode if ch.isdigit())[:4]


class Membership(models.Model):
    """A user volunteering for (on the board of, or operating) a house."""

    class MemberRole(models.TextChoices):
        BOARD = "board", _("Bestuurslid")
        OPERATOR = "operator", _("Beheerder")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("gebruiker"), on_delete=models.CASCADE, related_name="memberships")
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=20, choices=MemberRole.choices, default=MemberRole.BOARD)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "house"], name="unique_membership")]
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")

    def __str__(self) -> str:
        return f"{self.user} – {self.house}"


# --- rules as data ---------------------------------------------------------------------------------------------


class BookingKind(models.TextChoices):
    PARTY = "party", _("Feest")
    KOFFIETAFEL = "koffietafel", _("Koffietafel")
    GATHERING = "gathering", _("Andere bijeenkomst")
    ASSOCIATION = "association", _("Verenigingsactiviteit")
    COMMUNITY = "community", _("Activiteit van het huis")

    @classmethod
    def private_kinds(cls) -> frozenset[str]:
        """Para-commercial, resident-only, capped."""
        return frozenset({cls.PARTY, cls.KOFFIETAFEL, cls.GATHERING})


PRIVATE_KINDS = BookingKind.private_kinds()


def kind_group(kind: str) -> str:
    """The municipality's groups of use (occupancy, income): "private" (the para-commercial kinds, `PRIVATE_KINDS`),
    "association", or "community" (the house's own activities)."""
    if kind in PRIVATE_KINDS:
        return "private"
    return "association" if kind == BookingKind.ASSOCIATION else "community"


class AutoApproval(models.Model):
    """A house's board chose "approve at once when every rule passes" for one kind of booking (e.g. koffietafels,
    whose notice is 24 hours). Without a row the board decides every request itself (the default)."""

    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.CASCADE, related_name="auto_approvals")
    kind = models.CharField(_("soort"), max_length=20, choices=BookingKind.choices)
    created_at = models.DateTimeField(_("aangezet op"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("aangezet door"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["house", "kind"]
        constraints = [models.UniqueConstraint(fields=["house", "kind"], name="unique_auto_approval")]
        verbose_name = _("automatische goedkeuring")
        verbose_name_plural = _("automatische goedkeuringen")

    def __str__(self) -> str:
        return f"{self.house}: {self.get_kind_display()}"


CAPS_ALWAYS = dt.date(2000, 1, 1)  # `effective_from` of a cap created without a date: it has always applied


class CapRule(models.Model):
    """One version of how many bookings of a private kind a house may host per calendar year.

    `house` empty: the city-wide default. With a house: an override for that house, which needs a reason.
    Caps keep their history: a change adds a version with the date it takes effect (`effective_from`, a local date);
    earlier versions stay, so a past year is judged against the cap that applied then (`rules.CapTable`). A house
    version with `cap` empty ends that house's override from its date (the city default applies again). Versions
    created without a date have always applied (`CAPS_ALWAYS`); the migration dated existing caps from when they
    were last saved.
    """

    kind = models.CharField(_("soort"), max_length=20, choices=[(k.value, k.label) for k in BookingKind
                                                                  if k in PRIVATE_KINDS])
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.CASCADE, null=True, blank=True, related_name="cap_rules")
    cap = models.PositiveIntegerField(_("maximum per jaar"), validators=[MaxValueValidator(1000)], null=True, blank=True,
                                      help_text=_("Leeg bij een huis: het eigen maximum vervalt vanaf de ingangsdatum."))
    reason = models.TextField(_("reden"), blank=True)
    effective_from = models.DateField(_("geldt vanaf"), default=CAPS_ALWAYS, db_index=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        ordering = ["house", "kind", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], condition=Q(house__isnull=True),
                                    name="unique_default_cap_version"),
            models.UniqueConstraint(fields=["kind", "house", "effective_from"], condition=Q(house__isnull=False),
                                    name="unique_house_cap_version"),
            models.CheckConstraint(condition=Q(house__isnull=True) | ~Q(reason="") | Q(cap__isnull=True),
                                   name="cap_override_needs_reason"),
            models.CheckConstraint(condition=Q(house__isnull=False) | Q(cap__isnull=False),
                                   name="default_cap_has_number"),
        ]
        verbose_name = _("maximum (cap)")
        verbose_name_plural = _("maxima (caps)")

    def __str__(self) -> str:
        scope = self.house or _("hele gemeente")
        value = "–" if self.cap is None else self.cap
        return f"{self.get_kind_display()} – {scope}: {value} ({self.effective_from:%d-%m-%Y})"


def bounded(low: int, high: int) -> list:
    """Validators for a number that must lie in `[low, high]`: forms, the admin and DRF show them; the service
    (`rule_settings_update`) refuses values outside them with `invalid_setting`."""
    return [MinValueValidator(low), MaxValueValidator(high)]


class RuleSettings(models.Model):
    """The city-wide rule parameters of SPEC §4 (one row, `RuleSettings.current()`); caps are `CapRule`s."""

    min_notice_party_hours = models.PositiveIntegerField(
        _("minimale aanvraagtermijn feest (uur)"), default=14 * 24, validators=bounded(0, 8760))
    min_notice_gathering_hours = models.PositiveIntegerField(
        _("minimale aanvraagtermijn bijeenkomst (uur)"), default=14 * 24, validators=bounded(0, 8760))
    min_notice_koffietafel_hours = models.PositiveIntegerField(
        _("minimale aanvraagtermijn koffietafel (uur)"), default=24, validators=bounded(0, 8760))
    min_notice_other_hours = models.PositiveIntegerField(
        _("minimale aanvraagtermijn overig (uur)"), default=48, validators=bounded(0, 8760))
    max_advance_days = models.PositiveIntegerField(
        _("maximaal vooruit boeken (dagen)"), default=365, validators=bounded(1, 730))
    private_end_weeknight = models.TimeField(_("privé eindtijd zo–do-nacht"), default=dt.time(0, 0))
    private_end_weekend = models.TimeField(_("privé eindtijd vr/za-nacht"), default=dt.time(1, 0))
    koffietafel_earliest = models.TimeField(_("koffietafel vanaf"), default=dt.time(9, 0))
    koffietafel_latest = models.TimeField(_("koffietafel tot"), default=dt.time(18, 0))
    private_min_minutes = models.PositiveIntegerField(
        _("minimale duur privé (min)"), default=60, validators=bounded(1, 2880))
    private_max_minutes = models.PositiveIntegerField(
        _("maximale duur privé (min)"), default=12 * 60, validators=bounded(1, 2880))
    decision_days = models.PositiveIntegerField(_("beslistermijn (dagen)"), default=7, validators=bounded(1, 60))
    payment_days = models.PositiveIntegerField(_("betaaltermijn (dagen)"), default=7, validators=bounded(1, 60))
    free_cancellation_days = models.PositiveIntegerField(
        _("kosteloos annuleren tot (dagen vooraf)"), default=14, validators=bounded(0, 365))
    max_open_requests = models.PositiveIntegerField(
        _("maximaal openstaande aanvragen per account"), default=5, validators=bounded(1, 100),
        help_text=_("Aanvragen waarover het bestuur nog niet besliste; het bestuur van een huis telt niet mee."))
    melding_email = models.EmailField(
        _("e-mailadres voor meldingen"), blank=True,
        help_text=_("Leeg: het adres dat de beheerder van de installatie heeft ingesteld."),
    )
    anonymise_after_months = models.PositiveIntegerField(
        _("persoonsgegevens anonimiseren na (maanden)"), default=12, validators=bounded(1, 120),
        help_text=_("Na afloop van de boeking; bedragen en datums blijven bewaard."),
    )
    resident_postcodes = models.CharField(
        _("postcodes van de gemeente (PC4)"),
        max_length=500,
        default="6211-6229",
        help_text=_("Bereiken en losse PC4-codes, gescheiden door komma's, bv. 6211-6229."),
    )
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("regelinstellingen")
        verbose_name_plural = _("regelinstellingen")

    def __str__(self) -> str:
        return str(_("Regels van de gemeente"))

    @classmethod
    def current(cls) -> RuleSettings:
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            # Two first requests at once must not make two rows: get_or_create retries the read on a pk clash.
            obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def min_notice_hours(self, kind: str) -> int:
        return {
            BookingKind.PARTY: self.min_notice_party_hours,
            BookingKind.GATHERING: self.min_notice_gathering_hours,
            BookingKind.KOFFIETAFEL: self.min_notice_koffietafel_hours,
        }.get(kind, self.min_notice_other_hours)

    def postcode_in_municipality(self, pc4: str) -> bool:
        if len(pc4) != 4 or not pc4.isdigit():
            return False
        for part in self.resident_postcodes.split(","):
            part = part.strip()
            if "-" in part:
                low, high = (p.strip() for p in part.split("-", 1))
                if low <= pc4 <= high:
                    return True
            elif part == pc4:
                return True
        return False


# --- bookings --------------------------------------------------------------------------------------------------


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("Aangevraagd")
    APPROVED = "approved", _("Goedgekeurd (wacht op betaling)")
    CONFIRMED = "confirmed", _("Bevestigd")
    REJECTED = "rejected", _("Afgewezen")
    CANCELLED = "cancelled", _("Geannuleerd")
    EXPIRED = "expired", _("Verlopen")


# Tuples, not sets: their order ends up in migrations and must be stable.
BookingStatus.HOLDING = (BookingStatus.REQUESTED, BookingStatus.APPROVED, BookingStatus.CONFIRMED)
BookingStatus.COUNTING = (BookingStatus.APPROVED, BookingStatus.CONFIRMED)
# Which status may follow which: the only place that says so. Services check every change against it.
BookingStatus.TRANSITIONS = {
    BookingStatus.REQUESTED: frozenset(
        {BookingStatus.APPROVED, BookingStatus.CONFIRMED, BookingStatus.REJECTED, BookingStatus.CANCELLED,
         BookingStatus.EXPIRED}
    ),
    BookingStatus.APPROVED: frozenset({BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED}),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.CANCELLED}),
    BookingStatus.REJECTED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
}


class PaymentMode(models.TextChoices):
    OFFLINE = "offline", _("Ter plaatse of per overschrijving")
    STRIPE = "stripe", _("Online (iDEAL, kaart)")


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used inside the exclusion constraint


class Booking(models.Model):
    room = models.ForeignKey(Room, verbose_name=_("zaal"), on_delete=models.PROTECT, related_name="bookings")
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.PROTECT, related_name="bookings", editable=False)
    kind = models.CharField(_("soort"), max_length=20, choices=BookingKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.REQUESTED, editable=False
    )
    start = models.DateTimeField(_("begin"))
    end = models.DateTimeField(_("einde"))
    blocked_until = models.DateTimeField(
        _("bezet tot"), editable=False, help_text=_("Einde plus de schoonmaakbuffer van de zaal.")
    )
    local_year = models.PositiveSmallIntegerField(
        editable=False, help_text="Calendar year of the local (Europe/Amsterdam) start: the year a cap counts in."
    )
    guests = models.PositiveIntegerField(_("aantal gasten"))
    alcohol = models.BooleanField(_("alcohol"), default=False)
    title = models.CharField(_("omschrijving"), max_length=200, blank=True)
    notes = models.TextField(_("opmerkingen"), blank=True, max_length=2000)

    # Personal data: copied from the booker at request time, anonymised 12 months after the event.
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings",
        verbose_name=_("aanvrager"),
    )
    booker_name = models.CharField(_("naam"), max_length=150, blank=True)
    booker_email = models.EmailField(_("e-mail"), blank=True)
    booker_phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    booker_postcode = PostcodeField(_("postcode"), blank=True)
    organisation = models.CharField(_("organisatie"), max_length=150, blank=True)
    anonymised_at = models.DateTimeField(_("geanonimiseerd op"), null=True, blank=True, editable=False)

    # Price snapshot (boeking.pricing), integer cents.
    price_lines = models.JSONField(_("prijsregels"), default=list, editable=False)
    rental_cents = models.PositiveIntegerField(_("huur (cent)"), default=0, editable=False)
    deposit_cents = models.PositiveIntegerField(_("borg (cent)"), default=0, editable=False)
    total_cents = models.PositiveIntegerField(_("totaal (cent)"), default=0, editable=False)
    payment_mode = models.CharField(_("betaalwijze"), max_length=10, choices=PaymentMode.choices, default=PaymentMode.OFFLINE)
    paid_cents = models.PositiveIntegerField(_("betaald (cent)"), default=0, editable=False)
    refunded_cents = models.PositiveIntegerField(_("terugbetaald (cent)"), default=0, editable=False)
    cancellation_fee_cents = models.PositiveIntegerField(_("annuleringskosten (cent)"), default=0, editable=False)
    deposit_retained_cents = models.PositiveIntegerField(_("borg ingehouden (cent)"), default=0, editable=False)
    deposit_settled_at = models.DateTimeField(_("borg afgehandeld op"), null=True, blank=True, editable=False)

    rule_results = models.JSONField(_("regeluitkomsten"), default=list, editable=False)
    decision_reason = models.TextField(_("reden besluit"), blank=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt op"), editable=False)
    updated_at = models.DateTimeField(_("gewijzigd op"), editable=False)
    decision_deadline = models.DateTimeField(_("beslissen vóór"), editable=False)
    payment_deadline = models.DateTimeField(_("betalen vóór"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("besloten door"),
    )
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(_("volgnummer (iCalendar)"), default=0, editable=False, help_text="iCalendar SEQUENCE")
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=100, blank=True, editable=False)
    series = models.ForeignKey("Series", verbose_name=_("reeks"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="occurrences",
                               editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["room", "start"], name="booking_room_start"),
            models.Index(fields=["house", "kind", "local_year", "status"], name="booking_cap_count"),
            models.Index(fields=["status", "decision_deadline"], name="booking_status_deadline"),
            # Bookings holding a slot that overlap a period, in every room at once (find a room for a date at national
            # scale: `BookingQuerySet.holding_during`). The exclusion constraint's index leads with the room.
            PostgresGistIndex(TsTzRange("start", "blocked_until"), name="booking_holding_period",
                              condition=Q(status__in=[s.value for s in BookingStatus.HOLDING]),
                              sqlite_fields=["start", "blocked_until"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="booking_start_before_end"),
            models.CheckConstraint(condition=Q(end__lte=F("blocked_until")), name="booking_blocked_after_end"),
            models.CheckConstraint(condition=Q(guests__gte=1), name="booking_guests_positive"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in BookingStatus]), name="booking_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in BookingKind]), name="booking_kind_valid"),
            # PostgreSQL only (ignored elsewhere): no two bookings that hold a slot overlap, buffers included.
            PostgresExclusionConstraint(
                name="booking_no_overlap",
                expressions=[(F("room"), RangeOperators.EQUAL),
                             (TsTzRange("start", "blocked_until"), RangeOperators.OVERLAPS)],
                condition=Q(status__in=[s.value for s in BookingStatus.HOLDING]),
            ),
        ]
        verbose_name = _("boeking")
        verbose_name_plural = _("boekingen")

    def __str__(self) -> str:
        from .clock import format_local

        return f"#{self.pk} {self.get_kind_display()} {self.room} {format_local(self.start)}"

    @property
    def is_private(self) -> bool:
        return self.kind in PRIVATE_KINDS

    @property
    def holds_slot(self) -> bool:
        return self.status in BookingStatus.HOLDING

    @property
    def refund_pending_cents(self) -> int:
        """Cents a cancellation owes the booker that are not paid back yet: what the house still holds minus the
        cancellation fee, for a cancelled booking (0 otherwise). The refund is a job (`boeking.jobs.tasks.
        refund_cancellation`) that pays it through Stripe or records the house's bank transfer; this is 0 once it
        ran."""
        if self.status != BookingStatus.CANCELLED:
            return 0
        return max(self.paid_cents - self.refunded_cents - self.deposit_retained_cents - self.cancellation_fee_cents, 0)


class AuditEntry(models.Model):
    """Who changed what, when, from which state to which, and why. Written by services only; never edited."""

    at = models.DateTimeField(_("tijdstip"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("door"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    action = models.CharField(_("actie"), max_length=50)
    booking = models.ForeignKey(Booking, verbose_name=_("boeking"), on_delete=models.CASCADE, null=True, blank=True,
                                related_name="audit_entries")
    object_type = models.CharField(_("soort object"), max_length=50)
    object_id = models.CharField(_("object"), max_length=50)
    from_status = models.CharField(_("van status"), max_length=20, blank=True)
    to_status = models.CharField(_("naar status"), max_length=20, blank=True)
    reason = models.TextField(_("reden"), blank=True)
    data = models.JSONField(_("gegevens"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("auditregel")
        verbose_name_plural = _("audittrail")

    def __str__(self) -> str:
        from .clock import local

        return f"{local(self.at):%d-%m-%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


class Closure(models.Model):
    """A period a whole house (room empty) or one room is closed: holidays, maintenance."""

    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.CASCADE, related_name="closures")
    room = models.ForeignKey(Room, verbose_name=_("zaal"), on_delete=models.CASCADE, null=True, blank=True, related_name="closures")
    start = models.DateTimeField(_("van"))
    end = models.DateTimeField(_("tot"))
    reason = models.CharField(_("reden"), max_length=200)

    objects = ClosureQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(start__lt=F("end")), name="closure_start_before_end")]
        verbose_name = _("sluiting")
        verbose_name_plural = _("sluitingen")

    def __str__(self) -> str:
        return f"{self.room or self.house}: {self.reason}"


class RoomVersion(models.Model):
    """How often what a room's availability is computed from has changed: written only by database triggers
    (migration 0014) on every insert, delete or relevant update of its bookings (status, start, blocked_until,
    room) and closures (a house's closures count for all its rooms), its house's `weekly_hours` and its own
    `buffer_minutes` or house. No row: version 0. Never written by Django, so no save() can set it back."""

    # No foreign key in the database: a trigger may write a row for a room during that room's own deletion (when
    # its closures go after its version row); such a row is harmless (ids are never reused) and removed with it.
    room = models.OneToOneField(Room, verbose_name=_("zaal"), on_delete=models.CASCADE, primary_key=True,
                                db_constraint=False, related_name="availability_version")
    version = models.PositiveBigIntegerField(_("versie"), default=0)

    class Meta:
        verbose_name = _("beschikbaarheidsversie")
        verbose_name_plural = _("beschikbaarheidsversies")

    def __str__(self) -> str:
        return f"{self.room_id}: {self.version}"


class RoomDay(models.Model):
    """What the search for a date knows about a room on one local day, computed by `boeking.search` from the
    room's availability (bookings, closures, weekly hours, buffer) as of `version` (its `RoomVersion`): whether it
    has free time that day (`free`, not only the tail of the evening before) and whether each dagdeel
    (`pricing.DAYPARTS`) is free as a whole. A row whose version is behind the room's is out of date and is
    computed again by the next search of that day; rows of past days are removed nightly (`prune_jobs`)."""

    # No foreign key in the database: a search may write a row while the room is being deleted (derived data).
    room = models.ForeignKey(Room, verbose_name=_("zaal"), on_delete=models.CASCADE, db_constraint=False,
                             related_name="days")
    day = models.DateField(_("dag"))
    version = models.PositiveBigIntegerField(_("versie"))
    free = models.BooleanField(_("vrije tijd"))
    free_morning = models.BooleanField(_("ochtend vrij"))
    free_afternoon = models.BooleanField(_("middag vrij"))
    free_evening = models.BooleanField(_("avond vrij"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "room"], name="roomday_one_per_room_and_day")]
        verbose_name = _("zaaldag")
        verbose_name_plural = _("zaaldagen")

    def __str__(self) -> str:
        return f"{self.room_id} {self.day}"


class Melding(models.Model):
    """An advance notice to the municipality of a private event. Holds no personal data."""

    booking = models.OneToOneField(Booking, verbose_name=_("boeking"), on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="melding")
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.PROTECT, related_name="meldingen")
    kind = models.CharField(_("soort"), max_length=20, choices=BookingKind.choices)
    start = models.DateTimeField(_("begin"))
    end = models.DateTimeField(_("einde"))
    guests = models.PositiveIntegerField(_("aantal gasten"))
    alcohol = models.BooleanField(_("alcohol"))
    created_at = models.DateTimeField(_("aangemaakt op"))
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("melding")
        verbose_name_plural = _("meldingen")

    def __str__(self) -> str:
        from .clock import format_local

        return f"{self.house} {self.get_kind_display()} {format_local(self.start)}"


# --- series (recurring bookings) --------------------------------------------------------------------------------


class SeriesStatus(models.TextChoices):
    REQUESTED = "requested", _("Aangevraagd")
    APPROVED = "approved", _("Goedgekeurd")
    REJECTED = "rejected", _("Afgewezen")
    CANCELLED = "cancelled", _("Geannuleerd")
    EXPIRED = "expired", _("Verlopen (niet op tijd beslist)")


class Series(models.Model):
    """A recurring booking of an association or the house itself. Its occurrences are ordinary `Booking`s.

    The rule is kept as an RRULE (django-recurrence) without DTSTART; occurrences are expanded from
    `first_date` at `start_time` in Europe/Amsterdam, so the wall-clock time holds across DST changes.
    """

    room = models.ForeignKey(Room, verbose_name=_("zaal"), on_delete=models.PROTECT, related_name="series")
    house = models.ForeignKey(House, verbose_name=_("huis"), on_delete=models.PROTECT, related_name="series", editable=False)
    kind = models.CharField(_("soort"), max_length=20, choices=[(BookingKind.ASSOCIATION.value,
                                                                  BookingKind.ASSOCIATION.label),
                                                                 (BookingKind.COMMUNITY.value,
                                                                  BookingKind.COMMUNITY.label)])
    status = models.CharField(_("status"), max_length=20, choices=SeriesStatus.choices,
                              default=SeriesStatus.REQUESTED, editable=False)
    recurrence = RecurrenceField(include_dtstart=False, verbose_name=_("herhaling"))
    start_time = models.TimeField(_("begintijd"))
    end_time = models.TimeField(_("eindtijd"), help_text=_("Vóór of gelijk aan de begintijd betekent: na middernacht."))
    first_date = models.DateField(_("eerste datum"))
    until = models.DateField(_("tot en met"), null=True, blank=True)
    guests = models.PositiveIntegerField(_("aantal deelnemers"))
    title = models.CharField(_("omschrijving"), max_length=200, blank=True)
    booker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("aanvrager"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="series")
    booker_name = models.CharField(_("naam"), max_length=150, blank=True)
    booker_email = models.EmailField(_("e-mail"), blank=True)
    booker_phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    organisation = models.CharField(_("organisatie"), max_length=150, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("voortgekomen uit"), on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="splits",
                               help_text=_("De reeks waarvan deze is afgesplitst."))
    decision_reason = models.TextField(_("reden besluit"), blank=True, editable=False)
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("besloten door"), on_delete=models.SET_NULL,
                                   null=True, blank=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(_("aangemaakt op"), editable=False)
    updated_at = models.DateTimeField(_("gewijzigd op"), editable=False)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=F("first_date")),
                                   name="series_until_after_first"),
        ]
        verbose_name = _("reeks")
        verbose_name_plural = _("reeksen")

    def __str__(self) -> str:
        return f"{self.title or self.organisation or self.get_kind_display()} – {self.room}"


class SkipReason(models.TextChoices):
    CONFLICT = "conflict", _("Al bezet")
    CLOSURE = "closure", _("Gesloten")
    OPENING_HOURS = "opening_hours", _("Buiten de openingstijden")
    NONEXISTENT_TIME = "nonexistent_local_time", _("Tijdstip bestaat niet of komt twee keer voor (klok verzet)")
    NOTICE = "notice", _("Te kort van tevoren")
    ADVANCE = "max_advance", _("Te ver vooruit")
    NOT_APPROVED = "not_approved", _("Niet goedgekeurd door het bestuur")
    OTHER = "other", _("Overig")


class SeriesSkip(models.Model):
    """A date of a series that could not be booked, with the reason. Kept so nothing is silently dropped."""

    series = models.ForeignKey(Series, verbose_name=_("reeks"), on_delete=models.CASCADE, related_name="skips")
    date = models.DateField(_("datum"))
    reason = models.CharField(_("reden"), max_length=30, choices=SkipReason.choices)
    detail = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["series", "date"], name="unique_series_skip")]
        verbose_name = _("overgeslagen datum")
        verbose_name_plural = _("overgeslagen datums")

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y}: {self.get_reason_display()}"


# --- payments --------------------------------------------------------------------------------------------------


class LedgerKind(models.TextChoices):
    CHARGE = "charge", _("Betaling")
    REFUND = "refund", _("Terugbetaling")
    DEPOSIT_REFUND = "deposit_refund", _("Borg terugbetaald")
    DEPOSIT_RETAINED = "deposit_retained", _("Borg ingehouden")
    FAILURE = "failure", _("Mislukte betaling")
    DISPUTE = "dispute", _("Betwist (teruggeboekt door de bank)")
    DISPUTE_REINSTATED = "dispute_reinstated", _("Betwisting gewonnen (teruggestort)")


class PaymentEntry(models.Model):
    """One line of a booking's payments ledger: money in, money out, deposit kept. Amounts are positive cents."""

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("boeking"))
    kind = models.CharField(_("soort"), max_length=20, choices=LedgerKind.choices)
    method = models.CharField(_("betaalwijze"), max_length=10, choices=PaymentMode.choices)
    amount_cents = models.PositiveIntegerField(_("bedrag (cent)"))
    stripe_id = models.CharField(_("Stripe-kenmerk"), max_length=100, blank=True)
    reason = models.CharField(_("reden"), max_length=300, blank=True)
    at = models.DateTimeField(_("tijdstip"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("door"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["booking", "at"], name="payment_booking_at")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in LedgerKind]), name="payment_kind_valid"),
            # A Stripe object (charge or refund) is booked once, whatever the webhook replays.
            models.UniqueConstraint(fields=["kind", "stripe_id"], condition=~Q(stripe_id=""),
                                    name="payment_stripe_once"),
        ]
        verbose_name = _("betaling")
        verbose_name_plural = _("betalingen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} € {self.amount_cents / 100:.2f}"


class StripeEvent(models.Model):
    """A webhook event received from Stripe: its id makes handling idempotent.

    `handled`: the event was Zaalboek's and was acted on (`note` says how). Otherwise `ignored` holds why, as a code
    (`boeking.services.payments.IGNORED`), and nothing was changed."""

    event_id = models.CharField(_("Stripe-gebeurtenis"), max_length=100, unique=True)
    type = models.CharField(_("soort"), max_length=100)
    received_at = models.DateTimeField(_("ontvangen op"))
    handled = models.BooleanField(_("verwerkt"), default=False)
    ignored = models.CharField(_("genegeerd omdat"), max_length=30, blank=True, db_index=True)
    note = models.CharField(_("notitie"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe-gebeurtenis")
        verbose_name_plural = _("Stripe-gebeurtenissen")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
