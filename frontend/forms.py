"""Forms of the web pages. Labels and errors in Dutch (gettext; English via the language switch).

Times are typed as the wall clock in Europe/Amsterdam: a date, a start time and an end time. An end time at or
before the start time means the next day (an evening party until 01:00). Each moment is judged by the domain's own
bound (`boeking.bounds.check_moment`): a date outside 2000–2100, a time in the spring DST gap or in the repeated
autumn hour is refused at its field with the code and the words the API answers with.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from boeking import access, bounds, identifiers
from boeking.clock import TZ
from boeking.errors import InvalidInput
from boeking.models import PRIVATE_KINDS, BookingKind, Facility, Room
from boeking.pricing import DAYPARTS

DAYPART_LABELS = [_("Ochtend"), _("Middag"), _("Avond")]
# format_lazy: the label is translated when the form is shown, in the visitor's language (not at import, in Dutch).
DAYPART_CHOICES = [("", _("Eigen tijden"))] + [
    (nl, format_lazy("{} ({}–{})", label, f"{start:%H:%M}", f"{end:%H:%M}"))
    for (nl, _en, start, end), label in zip(DAYPARTS, DAYPART_LABELS, strict=True)
]
SEARCH_DAYPART_CHOICES = [("", _("Hele dag"))] + DAYPART_CHOICES[1:]
DAYPART_TIMES = {nl: (start, end) for nl, _en, start, end in DAYPARTS}

ACCESSIBILITY_CHOICES = [
    ("step_free", _("Drempelvrije entree")),
    ("wheelchair", _("Rolstoeltoegankelijk (entree, deur en toilet)")),
    ("lift", _("Lift")),
    ("accessible_toilet", _("Invalidentoilet")),
    ("hearing_loop", _("Ringleiding")),
]


def local_moment(day: dt.date, clock_time: dt.time, *, field: str) -> dt.datetime:
    """The instant Amsterdam's wall clock shows `clock_time` on `day`, as the domain bounds it
    (`boeking.bounds.check_moment`); raises its `InvalidInput` (`invalid_date`, `nonexistent_local_time`,
    `ambiguous_local_time`). Built without arithmetic, so no date near year 1 or 9999 can overflow first."""
    return bounds.check_moment(dt.datetime.combine(day, clock_time.replace(tzinfo=None), tzinfo=TZ), field=field)


def domain_error(exc: InvalidInput) -> forms.ValidationError:
    """A domain refusal as a form error with the same words and code as the API's."""
    return forms.ValidationError(exc.detail, code=exc.code)


def _moment_field(exc: InvalidInput, *, date_field: str, time_field: str) -> str:
    return date_field if exc.code == "invalid_date" else time_field


class SearchForm(forms.Form):
    """Find a room (frontend.views.home). A date in the past is refused at its field (code `date_in_past`); a dagdeel
    needs a date and finds rooms free for the whole dagdeel."""

    date = forms.DateField(label=_("Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    daypart = forms.ChoiceField(label=_("Dagdeel"), choices=SEARCH_DAYPART_CHOICES, required=False)
    guests = forms.IntegerField(label=_("Aantal gasten"), required=False, min_value=1, max_value=1000)
    facilities = forms.ModelMultipleChoiceField(
        label=_("Voorzieningen"), required=False, queryset=Facility.objects.all(), to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    access = forms.MultipleChoiceField(label=_("Toegankelijkheid"), required=False, choices=ACCESSIBILITY_CHOICES,
                                       widget=forms.CheckboxSelectMultiple)

    def clean_date(self):
        from boeking.clock import today

        day = self.cleaned_data.get("date")
        if day is not None and day < today():
            raise forms.ValidationError(_("Deze datum is al voorbij. Kies vandaag of een latere datum."),
                                        code="date_in_past")
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("daypart") and not cleaned.get("date") and "date" not in self.errors:
            self.add_error("date", forms.ValidationError(_("Kies een datum om op dagdeel te zoeken."),
                                                         code="date_required"))
        return cleaned


class TimeFieldsMixin:
    """Shared cleaning of date + start + end (+ optional dagdeel) into aware `start`/`end` in cleaned_data."""

    def clean_period(self, cleaned: dict) -> None:
        day, start_time, end_time = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        part = cleaned.get("daypart")
        if part:
            start_time, end_time = DAYPART_TIMES[part]
            cleaned["start_time"], cleaned["end_time"] = start_time, end_time
            self.errors.pop("start_time", None)
            self.errors.pop("end_time", None)
        if day is None or start_time is None or end_time is None:
            return
        if start_time == end_time:
            # An earlier end time is the next day, so on this form only equal times end "not after" the start.
            self.add_error("end_time", forms.ValidationError(_("De eindtijd moet verschillen van de begintijd."),
                                                             code="end_before_start"))
            return
        try:
            start = local_moment(day, start_time, field="start")
        except InvalidInput as exc:
            self.add_error(_moment_field(exc, date_field="date", time_field="start_time"), domain_error(exc))
            return
        end_day = day + dt.timedelta(days=1) if end_time <= start_time else day
        try:
            cleaned["start"], cleaned["end"] = start, local_moment(end_day, end_time, field="end")
        except InvalidInput as exc:
            self.add_error(_moment_field(exc, date_field="date", time_field="end_time"), domain_error(exc))


class BookingForm(TimeFieldsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Soort bijeenkomst"))
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    daypart = forms.ChoiceField(label=_("Dagdeel"), choices=DAYPART_CHOICES, required=False)
    start_time = forms.TimeField(label=_("Begintijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 required=False)
    end_time = forms.TimeField(label=_("Eindtijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                               required=False,
                               help_text=_("Een eindtijd vóór de begintijd betekent: de volgende dag (na middernacht)."))
    # At least one; the upper bound is the domain's (`invalid_guests`), shown at this field in its words.
    guests = forms.IntegerField(label=_("Aantal gasten"), min_value=1)
    alcohol = forms.BooleanField(label=_("Er wordt alcohol geschonken"), required=False)
    title = forms.CharField(label=_("Omschrijving (alleen voor het bestuur)"), max_length=200, required=False)
    notes = forms.CharField(label=_("Opmerkingen voor het bestuur"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, room: Room, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room
        allowed = access.bookable_kinds(user, room.house_id) or PRIVATE_KINDS  # anonymous: what residents book
        kinds = [k for k in BookingKind if k in allowed]
        if not room.private_events_allowed:
            kinds = [k for k in kinds if k not in PRIVATE_KINDS] or kinds
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["guests"].widget.attrs["max"] = room.capacity

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("daypart"):
            for name in ("start_time", "end_time"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Vul een tijd in (uu:mm) of kies een dagdeel."))
        self.clean_period(cleaned)
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Goedkeuren")), ("reject", _("Afwijzen"))])
    reason = forms.CharField(label=_("Reden (verplicht bij afwijzen)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Geef een reden voor de afwijzing."))
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reden (optioneel)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RefundDepositForm(forms.Form):
    retain = forms.DecimalField(label=_("In te houden bedrag (euro)"), min_value=0, decimal_places=2, max_digits=9,
                                initial=0)
    reason = forms.CharField(label=_("Reden (verplicht bij inhouden)"), required=False, max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("retain") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Geef een reden als u een deel van de borg inhoudt."))
        return cleaned


class ClosureForm(TimeFieldsMixin, forms.Form):
    room = forms.ModelChoiceField(label=_("Zaal"), queryset=Room.objects.none(), required=False,
                                  empty_label=_("Het hele huis"))
    date = forms.DateField(label=_("Van (datum)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("Van (tijd)"), initial=dt.time(0),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_date = forms.DateField(label=_("Tot en met (datum)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_time = forms.TimeField(label=_("Tot (tijd)"), initial=dt.time(23, 59),
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    reason = forms.CharField(label=_("Reden"), max_length=200)

    def __init__(self, *args, house, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(house=house, active=True)

    def clean(self):
        cleaned = super().clean()
        day, end_day = cleaned.get("date"), cleaned.get("end_date")
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        if None in (day, end_day, start_time, end_time):
            return cleaned
        try:
            cleaned["start"] = local_moment(day, start_time, field="start")
        except InvalidInput as exc:
            self.add_error(_moment_field(exc, date_field="date", time_field="start_time"), domain_error(exc))
            return cleaned
        try:
            cleaned["end"] = local_moment(end_day, end_time, field="end")
        except InvalidInput as exc:
            self.add_error(_moment_field(exc, date_field="end_date", time_field="end_time"), domain_error(exc))
            return cleaned
        if cleaned["end"] <= cleaned["start"]:
            self.add_error("end_date", forms.ValidationError(
                _("Het einde van de sluiting moet na het begin liggen."), code="end_before_start"))
        return cleaned


class SignupForm(forms.Form):
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    email = forms.EmailField(label=_("E-mailadres"))
    # Normalised and checked by the domain (boeking.identifiers): '6221-ab', '6221 AB' with a no-break space or
    # full-width digits all become '6221 AB'; what is not a Dutch postcode is refused at the field.
    postcode = identifiers.PostcodeFormField(label=_("Postcode"), max_length=23,
                                             validators=[identifiers.validate_postcode],
                                             help_text=_("Bijvoorbeeld 6221 AB."))
    phone = forms.CharField(label=_("Telefoon (optioneel)"), max_length=30, required=False)
    password = forms.CharField(label=_("Wachtwoord"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    adult = forms.BooleanField(label=_("Ik verklaar dat ik 18 jaar of ouder ben."),
                               error_messages={"required": _("U moet 18 jaar of ouder zijn om een zaal te huren.")})

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("Er bestaat al een account met dit e-mailadres. Log in."))
        return email

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            user = get_user_model()(username=cleaned.get("email", ""), email=cleaned.get("email", ""),
                                    first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", ""))
            try:
                validate_password(cleaned["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


# --- series (recurring bookings) requested on the web (issue 18) -------------------------------------------------

SERIES_WEEKDAYS = [("MO", _("maandag")), ("TU", _("dinsdag")), ("WE", _("woensdag")), ("TH", _("donderdag")),
                   ("FR", _("vrijdag")), ("SA", _("zaterdag")), ("SU", _("zondag"))]
SERIES_PATTERNS = [("weekly", _("Elke week of om de zoveel weken")),
                   ("first", _("De eerste … van de maand")),
                   ("last", _("De laatste … van de maand"))]


class SeriesForm(forms.Form):
    """A series as a person describes it: weekday(s), every n weeks or the first/last weekday of the month, times,
    first date and an end (a date or a number of times). `cleaned_data["rrule"]` is the RRULE the services read
    (`boeking.occurrences.parse_rule`); it is never shown. The domain checks the rest (horizon, 200 dates, rules)."""

    kind = forms.ChoiceField(label=_("Soort activiteit"))
    pattern = forms.ChoiceField(label=_("Hoe vaak"), choices=SERIES_PATTERNS, initial="weekly",
                                widget=forms.RadioSelect)
    weekdays = forms.MultipleChoiceField(label=_("Op welke dag(en)"), choices=SERIES_WEEKDAYS,
                                         widget=forms.CheckboxSelectMultiple)
    interval = forms.IntegerField(label=_("Om de hoeveel weken"), min_value=1, max_value=12, initial=1,
                                  required=False, help_text=_("1 = elke week, 2 = om de week. Alleen bij een wekelijkse reeks."))
    start_time = forms.TimeField(label=_("Begintijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Eindtijd"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                               help_text=_("Een eindtijd vóór de begintijd betekent: de volgende dag (na middernacht)."))
    first_date = forms.DateField(label=_("Eerste datum"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("Laatste datum (tot en met)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            help_text=_("Vul een laatste datum óf een aantal keer in."))
    count = forms.IntegerField(label=_("Of: aantal keer"), required=False, min_value=1, max_value=200)
    guests = forms.IntegerField(label=_("Aantal deelnemers"), min_value=1)
    title = forms.CharField(label=_("Naam van de activiteit (bv. koorrepetitie)"), max_length=200, required=False)

    def __init__(self, *args, room: Room, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room
        allowed = access.series_kinds(user, room.house_id)
        self.fields["kind"].choices = [(k.value, k.label) for k in BookingKind if k in allowed] or [
            (BookingKind.ASSOCIATION.value, BookingKind.ASSOCIATION.label)]
        self.fields["guests"].widget.attrs["max"] = room.capacity

    def clean(self):
        cleaned = super().clean()
        for name in ("first_date", "until"):
            if cleaned.get(name) is not None:
                try:
                    bounds.check_date(cleaned[name], field=name)
                except InvalidInput as exc:
                    self.add_error(name, domain_error(exc))
        until, count = cleaned.get("until"), cleaned.get("count")
        if "until" not in self.errors and "count" not in self.errors:
            if until is None and count is None:
                self.add_error("until", forms.ValidationError(_("Vul een laatste datum of een aantal keer in."),
                                                              code="until_required"))
            elif until is not None and count is not None:
                self.add_error("count", forms.ValidationError(_("Vul een laatste datum óf een aantal keer in, niet "
                                                                "allebei."), code="until_and_count"))
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        if start_time is not None and start_time == end_time:
            self.add_error("end_time", forms.ValidationError(_("De eindtijd moet verschillen van de begintijd."),
                                                             code="end_before_start"))
        days, pattern = cleaned.get("weekdays"), cleaned.get("pattern")
        if days and pattern and not self.errors:
            ordered = [code for code, _label in SERIES_WEEKDAYS if code in days]
            if pattern == "weekly":
                interval = cleaned.get("interval") or 1
                rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(ordered)}"
            else:
                prefix = "+1" if pattern == "first" else "-1"
                rule = f"FREQ=MONTHLY;BYDAY={','.join(prefix + code for code in ordered)}"
            if count is not None:
                rule += f";COUNT={count}"
            cleaned["rrule"] = rule
        return cleaned


class SeriesCancelForm(forms.Form):
    """Cancel from a series: one date (`booking`), this date and all following (`from_date`), or the whole series."""

    scope = forms.ChoiceField(choices=[("date", "date"), ("following", "following"), ("all", "all")])
    booking = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    from_date = forms.DateField(required=False)
    reason = forms.CharField(label=_("Reden (optioneel)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        if scope == "date" and not cleaned.get("booking"):
            self.add_error(None, _("Kies de datum die u wilt annuleren."))
        if scope == "following" and not cleaned.get("from_date"):
            self.add_error(None, _("Kies de datum vanaf wanneer u wilt annuleren."))
        return cleaned


class SeriesTimeForm(forms.Form):
    """Change the time of a series from a date on (`services.series_split`)."""

    from_date = forms.ChoiceField(label=_("Vanaf"))
    start_time = forms.TimeField(label=_("Nieuwe begintijd"),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Nieuwe eindtijd"),
                               widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    reason = forms.CharField(label=_("Toelichting (optioneel)"), required=False, max_length=1000)

    def __init__(self, *args, dates: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_date"].choices = dates

    def clean_from_date(self):
        return dt.date.fromisoformat(self.cleaned_data["from_date"])


class SeriesRestoreForm(forms.Form):
    date = forms.DateField()
