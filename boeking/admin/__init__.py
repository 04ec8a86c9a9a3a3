"""Django admin for the operator of the installation (SPEC §2 "admin"). UI in Dutch.

Status and money are never edited here: booking and series transitions are admin actions that call
`boeking.services`, and caps, rule settings and closures are saved through their services, so every change is
checked and audited like any other. Labels come from the models' verbose names; the admin only names what the
model does not (amounts in euros, a few read-only columns).

One module per purpose; importing them registers their admins (Django imports `boeking.admin` at start-up).
"""

from django.contrib import admin

from . import bookings, payments, people, places, rules, series  # noqa: F401 (registers the admins)
from .base import EMPTY

admin.site.empty_value_display = EMPTY
