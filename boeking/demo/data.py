"""The static part of the Maastricht demo (`manage.py seed_demo`): geography, houses, rooms, people, series.

Geography is real: the seven CBS wijken of Maastricht and a selection of their buurten. The PC4 → buurt mapping
below is APPROXIMATE and for the demo only: real PC4 areas do not follow buurt borders, and several buurten share a
PC4. Houses, their addresses, phone numbers and all people are fictional; e-mail addresses use example.org.
Booking dates are not here: `boeking.demo.seed` places them around today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from boeking.models import HouseType, OperatorType, Role, ScreeningStatus

DEMO_PASSWORD = "demo"
RANDOM_SEED = 4025  # council proposal 40-2025; any fixed number keeps the demo the same for the same day

# --- geography ---------------------------------------------------------------------------------------------------
# (wijk, [(buurt, [PC4, ...]), ...]). Approximate PC4 mapping, demo only (see the module docstring).
DISTRICTS: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("Maastricht-Centrum", [
        ("Binnenstad", ["6211"]),
        ("Jekerkwartier", ["6211"]),
        ("Kommelkwartier", ["6211"]),
        ("Statenkwartier", ["6211"]),
        ("Wyck", ["6221"]),
        ("Céramique", ["6221"]),
    ]),
    ("Maastricht-Zuidwest", [
        ("Sint Pieter", ["6212"]),
        ("Villapark", ["6212"]),
        ("Jekerdal", ["6212"]),
        ("Campagne", ["6213"]),
        ("Biesland", ["6213"]),
        ("Wolder", ["6213"]),
    ]),
    ("Maastricht-West", [
        ("Belfort", ["6214"]),
        ("Dousberg-Hazendans", ["6214"]),
        ("Daalhof", ["6215"]),
        ("Pottenberg", ["6216"]),
        ("Caberg", ["6216", "6218"]),
        ("Mariaberg", ["6217"]),
        ("Brusselsepoort", ["6217"]),
        ("Malberg", ["6218"]),
        ("Malpertuis", ["6218"]),
    ]),
    ("Maastricht-Noordwest", [
        ("Frontenkwartier", ["6219"]),
        ("Boschpoort", ["6219"]),
        ("Lanakerveld", ["6219"]),
        ("Belvédère", ["6219"]),
    ]),
    ("Maastricht-Noordoost", [
        ("Meerssenhoven", ["6222"]),
        ("Borgharen", ["6223"]),
        ("Itteren", ["6223"]),
    ]),
    ("Maastricht-Oost", [
        ("Limmel", ["6222"]),
        ("Nazareth", ["6222"]),
        ("Wittevrouwenveld", ["6224"]),
        ("Wyckerpoort", ["6224"]),
        ("Scharn", ["6225"]),
        ("Amby", ["6226"]),
        ("Heugemerveld", ["6221", "6229"]),
    ]),
    ("Maastricht-Zuidoost", [
        ("Heer", ["6227"]),
        ("De Heeg", ["6228"]),
        ("Vroendaal", ["6228"]),
        ("Randwyck", ["6229"]),
        ("Heugem", ["6229"]),
    ]),
]

APPROXIMATE_NOTICE = (
    "Let op: de koppeling van PC4-postcodes aan buurten is bij benadering en alleen bedoeld voor de demo "
    "(the PC4-to-neighbourhood mapping is approximate, demo only)."
)

# --- facilities --------------------------------------------------------------------------------------------------
FACILITIES: list[tuple[str, str, str]] = [
    ("keuken", "Keuken", "Kitchen"),
    ("bar", "Bar", "Bar"),
    ("beamer", "Beamer en scherm", "Projector and screen"),
    ("geluid", "Geluidsinstallatie", "Sound system"),
    ("podium", "Podium", "Stage"),
    ("wifi", "Wifi", "Wi-Fi"),
    ("piano", "Piano", "Piano"),
]

# --- people ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str
    role: str
    postcode: str = ""
    phone: str = ""
    organisation: str = ""
    language: str = "nl"
    superuser: bool = False


# Two-factor for the demo's municipality and admin accounts (issue 17: required for them): this TOTP secret
# (base32), printed by `seed_demo`; add it to an authenticator app or run `oathtool --totp -b <secret>`. Demo only.
DEMO_TOTP_SECRET = "ZAALBOEKDEMOTOTPZAALBOEKDEMOTOTP"

# SPEC §9: the five demo accounts, password `demo`. Order is the order of the printed table.
DEMO_ACCOUNTS: list[Person] = [
    Person("bewoner@example.org", "Anouk", "Janssen", Role.RESIDENT, "6221 AB", "06-12345601"),
    Person("bestuur@example.org", "Marij", "Lemmens", Role.VOLUNTEER, "6224 BC", "06-12345602"),
    Person("vereniging@example.org", "Huub", "Wetzels", Role.ASSOCIATION, "6224 CD", "06-12345603",
           organisation="Gemengd Koor Maasklanken"),
    Person("gemeente@example.org", "Eva", "Moonen", Role.MUNICIPALITY, phone="043-1234560",
           organisation="Gemeente Maastricht"),
    Person("admin@example.org", "Beheer", "Zaalboek", Role.ADMIN, superuser=True),
]

# Residents who book the private events of the demo year (fictional; postcodes within 6211–6229).
RESIDENTS: list[Person] = [
    Person("jos.hermans@example.org", "Jos", "Hermans", Role.RESIDENT, "6224 GH", "06-12345611"),
    Person("maud.schreurs@example.org", "Maud", "Schreurs", Role.RESIDENT, "6213 AK", "06-12345612"),
    Person("ricardo.pinas@example.org", "Ricardo", "Pinas", Role.RESIDENT, "6217 HB", "06-12345613"),
    Person("fatima.elamrani@example.org", "Fatima", "El Amrani", Role.RESIDENT, "6218 BN", "06-12345614"),
    Person("wim.vliegen@example.org", "Wim", "Vliegen", Role.RESIDENT, "6226 CA", "06-12345615"),
    Person("marleen.dassen@example.org", "Marleen", "Dassen", Role.RESIDENT, "6226 EP", "06-12345616"),
    Person("sjef.brouwers@example.org", "Sjef", "Brouwers", Role.RESIDENT, "6212 NR", "06-12345617"),
    Person("priya.ramdin@example.org", "Priya", "Ramdin", Role.RESIDENT, "6229 ER", "06-12345618", language="en"),
    Person("lotte.meijers@example.org", "Lotte", "Meijers", Role.RESIDENT, "6216 EJ", "06-12345619"),
    Person("hanneke.pluijmen@example.org", "Hanneke", "Pluijmen", Role.RESIDENT, "6227 AX", "06-12345620"),
    Person("bart.smeets@example.org", "Bart", "Smeets", Role.RESIDENT, "6215 RD", "06-12345621"),
    Person("noor.debie@example.org", "Noor", "de Bie", Role.RESIDENT, "6222 VT", "06-12345622"),
    Person("twan.vanderhorst@example.org", "Twan", "van der Horst", Role.RESIDENT, "6225 XB", "06-12345623"),
    Person("yvonne.lardinois@example.org", "Yvonne", "Lardinois", Role.RESIDENT, "6211 JG", "06-12345624"),
]

# Contacts of the associations with weekly bookings (vereniging@example.org is the choir's).
ASSOCIATION_CONTACTS: list[Person] = [
    Person("schaakclub@example.org", "Frans", "Ramakers", Role.ASSOCIATION, "6217 KL", "06-12345631",
           organisation="Schaakclub De Witte Dame"),
    Person("senioren.amby@example.org", "Mia", "Bemelmans", Role.ASSOCIATION, "6226 BB", "06-12345632",
           organisation="Seniorenvereniging Amby"),
    Person("yoga.daalhof@example.org", "Karin", "Stassen", Role.ASSOCIATION, "6215 AL", "06-12345633",
           organisation="Yogagroep Daalhof"),
]

# --- houses ------------------------------------------------------------------------------------------------------


def _t(hhmm: str) -> dt.time:
    hours, minutes = hhmm.split(":")
    return dt.time(int(hours), int(minutes))


def week(mon_thu: str | None, fri: str | None, sat: str | None, sun: str | None) -> dict[int, tuple[dt.time, dt.time]]:
    """Opening hours per weekday from `"09:00-23:00"` strings (None: closed). A close ≤ open is after midnight."""
    days: dict[int, tuple[dt.time, dt.time]] = {}
    for weekdays, span in (((0, 1, 2, 3), mon_thu), ((4,), fri), ((5,), sat), ((6,), sun)):
        if span:
            opens, closes = span.split("-")
            for weekday in weekdays:
                days[weekday] = (_t(opens), _t(closes))
    return days


@dataclass(frozen=True)
class RoomData:
    name: str
    capacity: int
    area_m2: int
    facilities: tuple[str, ...]
    # Tariffs in cents: private per hour and per dagdeel (None: hourly only), association and other per hour.
    private_hour: int
    private_daypart: int | None
    association_hour: int
    other_hour: int
    deposit: int
    cleaning: int
    buffer: int = 30
    private_events_allowed: bool = True
    description: str = ""


@dataclass(frozen=True)
class LocationData:
    name: str
    street: str
    postcode: str
    step_free_entrance: bool
    threshold_max_2cm: bool
    door_width_cm: int | None
    lift: bool
    accessible_toilet: bool
    disabled_parking_distance_m: int | None
    public_transport_distance_m: int | None
    hearing_loop: bool
    screening_date: dt.date | None
    screening_status: str
    rooms: tuple[RoomData, ...]


@dataclass(frozen=True)
class HouseData:
    slug: str
    name: str
    house_type: str
    operator_type: str
    operator_name: str
    neighbourhood: str
    description: str
    house_rules: str
    email: str
    phone: str
    hours: dict[int, tuple[dt.time, dt.time]]
    locations: tuple[LocationData, ...]
    volunteer: Person
    discount_percent: int = 0
    neighbourhood_residents_only: bool = False
    party_cap_override: tuple[int, str] | None = None
    activity: float = 1.0  # how busy the house is with private events (scales the weekly chances)


STANDARD_RULES = (
    "Na afloop laat u de zaal bezemschoon achter. Muziek zacht na 23:00 uur. Roken alleen buiten. "
    "Alcohol wordt alleen via de bar van het huis geschonken."
)

# The first house is the one bestuur@example.org volunteers for (SPEC §9); its name also sorts first.
HOUSES: list[HouseData] = [
    HouseData(
        slug="de-kastanje", name="Buurthuis De Kastanje", house_type=HouseType.GEMEENSCHAPSHUIS,
        operator_type=OperatorType.VOLUNTEER_BOARD, operator_name="Stichting Buurthuis De Kastanje",
        neighbourhood="Wittevrouwenveld",
        description="Het buurthuis van Wittevrouwenveld, al veertig jaar gerund door vrijwilligers. Grote zaal met "
                    "podium, een gezellige soos met bar en een vergaderkamer.",
        house_rules=STANDARD_RULES, email="info@dekastanje.example.org", phone="043-1234501",
        hours=week("09:00-23:00", "09:00-01:00", "09:00-01:00", "10:00-18:00"),
        volunteer=DEMO_ACCOUNTS[1], activity=1.4,
        locations=(
            LocationData("De Kastanje", "Kastanjeplein 4", "6224 KP", True, True, 95, False, True, 15, 120, True,
                         dt.date(2025, 9, 16), ScreeningStatus.COMPLIANT, rooms=(
                RoomData("Grote zaal", 120, 140, ("keuken", "bar", "podium", "geluid", "beamer", "wifi", "piano"),
                         4000, 11000, 1750, 5500, deposit=15000, cleaning=3500,
                         description="Lichte zaal met podium en dansvloer; keuken en bar ernaast."),
                RoomData("Soos", 50, 60, ("bar", "keuken", "wifi"), 2750, 7000, 1200, 3500, deposit=7500,
                         cleaning=2000, description="Huiskamer van de buurt, met bar en terras."),
                RoomData("Vergaderkamer", 16, 28, ("beamer", "wifi"), 1500, None, 750, 2500, deposit=0, cleaning=0,
                         description="Voor vergaderingen en kleine bijeenkomsten."),
            )),
        ),
    ),
    HouseData(
        slug="ambyerhof", name="Gemeenschapshuis Ambyerhof", house_type=HouseType.GEMEENSCHAPSHUIS,
        operator_type=OperatorType.VOLUNTEER_BOARD, operator_name="Vereniging Gemeenschapshuis Amby",
        neighbourhood="Amby",
        description="Het gemeenschapshuis van het dorp Amby. Voor feesten en bijeenkomsten van Ambyenaren.",
        house_rules=STANDARD_RULES + " Privé-bijeenkomsten alleen voor inwoners van Amby.",
        email="info@ambyerhof.example.org", phone="043-1234502",
        hours=week("09:00-00:00", "09:00-01:00", "09:00-01:00", "10:00-22:00"),
        volunteer=Person("thei.curfs@example.org", "Thei", "Curfs", Role.VOLUNTEER, "6226 AD", "06-12345641"),
        neighbourhood_residents_only=True, activity=0.9,
        locations=(
            LocationData("Ambyerhof", "Dorpsstraat 51", "6226 DS", False, True, 85, False, True, 40, 250, False,
                         dt.date(2025, 11, 4), ScreeningStatus.PARTIAL, rooms=(
                RoomData("Grote zaal", 160, 200, ("keuken", "bar", "podium", "geluid", "wifi"), 4500, 12000, 2000,
                         6000, deposit=20000, cleaning=4500, buffer=60,
                         description="De feestzaal van Amby; een uur tussen boekingen voor op- en afbouw."),
                RoomData("Kleine zaal", 45, 55, ("bar", "wifi"), 2500, 6500, 1000, 3500, deposit=7500, cleaning=2000),
                RoomData("Bestuurskamer", 12, 20, ("wifi",), 1250, None, 600, 2000, deposit=0, cleaning=0),
            )),
        ),
    ),
    HouseData(
        slug="de-mergel", name="Gemeenschapshuis De Mergel", house_type=HouseType.GEMEENSCHAPSHUIS,
        operator_type=OperatorType.VOLUNTEER_BOARD, operator_name="Stichting De Mergel Sint Pieter",
        neighbourhood="Sint Pieter",
        description="Onder aan de Sint-Pietersberg, met een gewelfkelder uit mergel. Op maandag gesloten.",
        house_rules=STANDARD_RULES, email="info@demergel.example.org", phone="043-1234503",
        hours={**week(None, "09:00-01:00", "09:00-01:00", "10:00-20:00"),
               **{d: (_t("09:00"), _t("23:00")) for d in (1, 2, 3)}},
        volunteer=Person("marlies.ummels@example.org", "Marlies", "Ummels", Role.VOLUNTEER, "6212 PA", "06-12345642"),
        activity=0.8,
        locations=(
            LocationData("De Mergel", "Mergelweg 8", "6212 MW", False, False, 80, False, False, 150, 300, False,
                         None, ScreeningStatus.NOT_SCREENED, rooms=(
                RoomData("Zaal", 90, 110, ("keuken", "bar", "geluid", "wifi"), 3500, 9000, 1500, 5000, deposit=10000,
                         cleaning=3000),
                RoomData("Gewelfkelder", 35, 45, ("bar",), 2500, None, 1100, 3500, deposit=7500, cleaning=2000,
                         description="Sfeervolle mergelkelder, alleen via een trap bereikbaar."),
            )),
        ),
    ),
    HouseData(
        slug="de-wolderhof", name="Gemeenschapshuis De Wolderhof", house_type=HouseType.GEMEENSCHAPSHUIS,
        operator_type=OperatorType.VOLUNTEER_BOARD, operator_name="Stichting Wolderhof",
        neighbourhood="Wolder",
        description="Gemeenschapshuis aan de rand van Wolder, met een grote feestzaal en een clublokaal.",
        house_rules=STANDARD_RULES, email="info@dewolderhof.example.org", phone="043-1234504",
        hours=week("13:00-23:00", "13:00-01:00", "10:00-01:00", "10:00-18:00"),
        volunteer=Person("jo.vluggen@example.org", "Jo", "Vluggen", Role.VOLUNTEER, "6213 WA", "06-12345643"),
        activity=1.0,
        locations=(
            LocationData("De Wolderhof", "Wolderweg 112", "6213 WH", True, True, 90, False, True, 10, 200, True,
                         dt.date(2025, 10, 2), ScreeningStatus.COMPLIANT, rooms=(
                RoomData("Feestzaal", 110, 130, ("keuken", "bar", "podium", "geluid", "wifi"), 3750, 10000, 1600,
                         5200, deposit=12500, cleaning=3500),
                RoomData("Clublokaal", 30, 40, ("bar", "beamer", "wifi"), 2000, 5500, 900, 3000, deposit=5000,
                         cleaning=1500),
            )),
        ),
    ),
    HouseData(
        slug="de-trichter", name="Huis van de Wijk De Trichter", house_type=HouseType.HUIS_VAN_DE_WIJK,
        operator_type=OperatorType.PROFESSIONAL, operator_name="Stichting Welzijn Maastricht-West",
        neighbourhood="Mariaberg",
        description="Huis van de Wijk voor Mariaberg en Malberg, op twee locaties. De gemeente investeert hier extra: "
                    "bewoners krijgen 20% korting op de huur.",
        house_rules=STANDARD_RULES, email="detrichter@welzijnwest.example.org", phone="043-1234505",
        hours=week("08:30-22:30", "08:30-22:30", "10:00-01:00", "12:00-18:00"),
        volunteer=Person("samira.bouzian@example.org", "Samira", "Bouzian", Role.VOLUNTEER, "6217 BA", "06-12345644",
                         organisation="Stichting Welzijn Maastricht-West"),
        discount_percent=20, activity=1.0,
        locations=(
            LocationData("De Trichter (Mariaberg)", "Trichterplein 2", "6217 TP", True, True, 100, True, True, 5, 50,
                         True, dt.date(2026, 2, 10), ScreeningStatus.COMPLIANT, rooms=(
                RoomData("Trichterzaal", 90, 100, ("keuken", "beamer", "geluid", "wifi"), 3000, 8000, 1250, 4500,
                         deposit=10000, cleaning=2500),
                RoomData("Atelier", 20, 35, ("keuken", "wifi"), 1500, 4000, 700, 2500, deposit=2500, cleaning=1000),
                RoomData("Spreekkamer", 6, 12, ("wifi",), 1000, None, 500, 1500, deposit=0, cleaning=0,
                         private_events_allowed=False,
                         description="Voor spreekuren en kleine overleggen; niet te huur voor privé-bijeenkomsten."),
            )),
            LocationData("Dependance Malberg", "Malbergsingel 30", "6218 MS", True, False, 85, False, True, 25, 100,
                         False, dt.date(2026, 2, 10), ScreeningStatus.PARTIAL, rooms=(
                RoomData("Malbergzaal", 60, 75, ("keuken", "bar", "wifi"), 2750, 7000, 1100, 4000, deposit=7500,
                         cleaning=2000),
            )),
        ),
    ),
    HouseData(
        slug="de-kleine-brug", name="Ontmoetingscentrum De Kleine Brug", house_type=HouseType.ONTMOETINGSCENTRUM,
        operator_type=OperatorType.VOLUNTEER_BOARD, operator_name="Stichting De Kleine Brug",
        neighbourhood="Wyck",
        description="Ontmoetingscentrum in Wyck, vlak bij de Maas. Veel horeca in de straat: de gemeente staat hier "
                    "minder feesten toe.",
        house_rules=STANDARD_RULES + " Gasten verlaten het pand rustig; denk aan de buren.",
        email="info@dekleinebrug.example.org", phone="043-1234506",
        hours=week("10:00-00:00", "10:00-01:00", "10:00-01:00", "10:00-00:00"),
        volunteer=Person("pieter.lardinois@example.org", "Pieter", "Lardinois", Role.VOLUNTEER, "6221 CE",
                         "06-12345645"),
        party_cap_override=(6, "Horeca in de buurt: in de Rechtstraat en omgeving zitten veel cafés en restaurants."),
        activity=0.9,
        locations=(
            LocationData("De Kleine Brug", "Maaskade 17", "6221 MK", True, True, 90, True, True, 120, 300, True,
                         dt.date(2025, 12, 1), ScreeningStatus.COMPLIANT, rooms=(
                RoomData("Maaszaal", 70, 85, ("keuken", "bar", "beamer", "geluid", "wifi"), 4250, 11500, 1800, 6000,
                         deposit=15000, cleaning=3000),
                RoomData("Bovenzaal", 25, 35, ("beamer", "wifi"), 2000, 5000, 900, 3000, deposit=5000, cleaning=1500),
            )),
        ),
    ),
    HouseData(
        slug="het-kamerke", name="Ontmoetingsplek Het Kamerke", house_type=HouseType.KLEINSCHALIG,
        operator_type=OperatorType.VOLUNTEER_BOARD, operator_name="Buurtnetwerk Heer",
        neighbourhood="Heer",
        description="Kleinschalige ontmoetingsplek in een voormalige winkel in Heer: een huiskamer voor de buurt.",
        house_rules="Maximaal 25 personen. Muziek zacht. De sleutel haalt u op bij de vrijwilliger van dienst.",
        email="hetkamerke@example.org", phone="06-12345650",
        hours=week("10:00-22:00", "10:00-22:00", "10:00-22:00", None),
        volunteer=Person("ria.kleijnen@example.org", "Ria", "Kleijnen", Role.VOLUNTEER, "6227 BR", "06-12345646"),
        activity=0.5,
        locations=(
            LocationData("Het Kamerke", "Heerderweg 210", "6227 HK", True, True, 85, False, False, None, 80, False,
                         dt.date(2026, 3, 18), ScreeningStatus.NON_COMPLIANT, rooms=(
                RoomData("Huiskamer", 25, 40, ("keuken", "wifi"), 1500, 3500, 600, 2000, deposit=2500, cleaning=1000),
                RoomData("Tuinkamer", 12, 18, ("wifi",), 1000, None, 500, 1500, deposit=0, cleaning=500),
            )),
        ),
    ),
    HouseData(
        slug="de-linde", name="Wijkcentrum De Linde", house_type=HouseType.ONTMOETINGSCENTRUM,
        operator_type=OperatorType.PROFESSIONAL, operator_name="Stichting Wijkwerk Daalhof",
        neighbourhood="Daalhof",
        description="Wijkcentrum van Daalhof met een grote zaal, een gymzaal en twee cursusruimtes. Zondag gesloten.",
        house_rules=STANDARD_RULES, email="delinde@wijkwerk.example.org", phone="043-1234508",
        hours=week("08:30-22:00", "08:30-22:00", "09:00-00:00", None),
        volunteer=Person("dennis.hameleers@example.org", "Dennis", "Hameleers", Role.VOLUNTEER, "6215 DH",
                         "06-12345647", organisation="Stichting Wijkwerk Daalhof"),
        activity=0.8,
        locations=(
            LocationData("De Linde", "Lindenkruis 5", "6215 LK", True, True, 110, True, True, 10, 60, True,
                         dt.date(2025, 8, 27), ScreeningStatus.COMPLIANT, rooms=(
                RoomData("Lindezaal", 100, 120, ("keuken", "bar", "podium", "geluid", "beamer", "wifi"), 3500, 9500,
                         1500, 5000, deposit=12500, cleaning=3000),
                RoomData("Gymzaal", 60, 200, ("geluid",), 2500, None, 1000, 4000, deposit=5000, cleaning=1500),
                RoomData("Cursusruimte 1", 20, 35, ("beamer", "wifi"), 1500, 4000, 600, 2500, deposit=0, cleaning=0),
                RoomData("Cursusruimte 2", 20, 35, ("wifi",), 1500, 4000, 600, 2500, deposit=0, cleaning=0),
            )),
        ),
    ),
]

# Where each demo location lies (WGS 84 latitude, longitude) for the map: a real spot in the house's own
# neighbourhood, near the (partly fictional) street. Approximate: good for a map of the city, not for navigation.
LOCATION_COORDINATES: dict[str, tuple[float, float]] = {
    "De Kastanje": (50.857400, 5.705300),  # Wittevrouwenveld
    "Ambyerhof": (50.861900, 5.732600),  # Amby, the old village centre
    "De Mergel": (50.838600, 5.687900),  # Sint Pieter, below the Sint-Pietersberg
    "De Wolderhof": (50.831500, 5.662300),  # Wolder
    "De Trichter (Mariaberg)": (50.860200, 5.680900),  # Mariaberg
    "Dependance Malberg": (50.865600, 5.664500),  # Malberg
    "De Kleine Brug": (50.849700, 5.695600),  # Wyck, along the Maas
    "Het Kamerke": (50.840700, 5.728800),  # Heer
    "De Linde": (50.856200, 5.655400),  # Daalhof
}

# City-wide default caps (SPEC §4), set by the municipality.
DEFAULT_CAPS: dict[str, int] = {"party": 12, "koffietafel": 24, "gathering": 12}

# The house whose party count this calendar year ends one below its cap, with one more party request pending.
NEAR_CAP_HOUSE = "de-kastanje"


@dataclass(frozen=True)
class SeriesData:
    """A weekly association booking for a season: a series, `weeks_back` weeks already past and `weeks_ahead` to come."""

    house: str
    room: str
    contact: str
    weekday: int
    start: dt.time
    end: dt.time
    guests: int
    title: str
    weeks_back: int
    weeks_ahead: int


SERIES: list[SeriesData] = [
    SeriesData("de-kastanje", "Grote zaal", "vereniging@example.org", 1, _t("19:30"), _t("21:30"), 35,
               "Repetitie Gemengd Koor Maasklanken", 12, 8),
    SeriesData("de-trichter", "Atelier", "schaakclub@example.org", 3, _t("19:30"), _t("22:00"), 16,
               "Clubavond Schaakclub De Witte Dame", 10, 8),
    SeriesData("ambyerhof", "Kleine zaal", "senioren.amby@example.org", 2, _t("14:00"), _t("16:30"), 30,
               "Soos Seniorenvereniging Amby", 12, 8),
    SeriesData("de-linde", "Cursusruimte 1", "yoga.daalhof@example.org", 0, _t("19:00"), _t("20:30"), 14,
               "Yogales", 8, 8),
]

TITLES: dict[str, list[str]] = {
    "party": ["Verjaardag (50 jaar)", "Verjaardag (40 jaar)", "Kinderfeestje", "25 jaar getrouwd", "40 jaar getrouwd",
              "Communiefeest", "Afstudeerfeest", "Pensioenfeest", "Verlovingsfeest", "Verjaardag (18 jaar)",
              "Bruiloftsfeest", "Verjaardag (70 jaar)", "Housewarming"],
    "gathering": ["Reünie", "Babyshower", "Familiedag", "Bridgemiddag met vrienden", "Nieuwjaarsbijeenkomst familie",
                  "Herdenkingsbijeenkomst", "Afscheid van de buurvrouw", "Kookmiddag met vrienden"],
    "koffietafel": ["Koffietafel na de uitvaart", "Koffietafel", "Condoleance en koffietafel"],
}

REJECTION_REASONS = [
    "De zaal is die dag nodig voor een activiteit van het huis.",
    "Er is die avond geen vrijwilliger beschikbaar voor de sleuteloverdracht.",
    "Het aantal gasten is te groot voor een doordeweekse avond in deze straat.",
]
CANCELLATION_REASONS = ["Het feest gaat niet door.", "Andere locatie gevonden.", "Ziekte in de familie.",
                        "Datum verzet."]
