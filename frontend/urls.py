"""The residents' and volunteers' pages (SPEC §7). Included at "/" last in config/urls.py."""

from django.urls import path

from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

from . import account, bestuur, invoices, series, views

urlpatterns = [
    path("", views.home, name="home"),
    path("huizen/<slug:slug>/", views.house_detail, name="house"),
    path("huizen/<slug:slug>/agenda.json", views.house_agenda, name="house-agenda"),
    path("zalen/<id:pk>/", views.room_detail, name="room"),
    path("zalen/<id:pk>/agenda.json", views.room_agenda, name="room-agenda"),
    path("zalen/<id:pk>/prijs/", views.room_quote, name="room-quote"),
    # Series on the web (issue 18): request from a room, follow and change as its owner
    path("zalen/<id:pk>/reeks/", series.series_new, name="room-series"),
    path("zalen/<id:pk>/reeks/datums/", series.series_preview, name="room-series-preview"),
    path("mijn/reeksen/<id:pk>/", series.series_detail, name="mijn-series"),
    path("mijn/reeksen/<id:pk>/annuleren/", series.series_cancel, name="mijn-series-cancel"),
    path("mijn/reeksen/<id:pk>/tijd/", series.series_change_time, name="mijn-series-time"),
    path("mijn/reeksen/<id:pk>/herstellen/", series.series_restore, name="mijn-series-restore"),
    # Account
    # Account (issue 17): allauth's views under the site's own addresses; the rest of allauth at /account/
    path("inloggen/", account.login_view, name="login"),
    path("uitloggen/", account.logout_view, name="logout"),
    path("aanmelden/", account.signup, name="signup"),
    path("taal/", account.set_language, name="set_language"),
    # Resident
    path("mijn/", account.mijn, name="mijn"),
    path("mijn/boekingen/<id:pk>/", account.booking_detail, name="mijn-booking"),
    path("mijn/boekingen/<id:pk>/annuleren/", account.booking_cancel, name="mijn-cancel"),
    path("mijn/boekingen/<id:pk>/betalen/", account.booking_pay, name="mijn-pay"),
    # Volunteer
    path("bestuur/", bestuur.inbox, name="bestuur"),
    path("bestuur/boekingen/<id:pk>/", bestuur.booking_detail, name="bestuur-booking"),
    path("bestuur/boekingen/<id:pk>/besluit/", bestuur.decide, name="bestuur-decide"),
    path("bestuur/boekingen/<id:pk>/betaald/", bestuur.mark_paid, name="bestuur-mark-paid"),
    path("bestuur/boekingen/<id:pk>/borg/", bestuur.refund_deposit, name="bestuur-refund-deposit"),
    path("bestuur/boekingen/<id:pk>/annuleren/", bestuur.cancel, name="bestuur-cancel"),
    path("bestuur/huizen/<slug:slug>/agenda/", bestuur.house_calendar, name="bestuur-calendar"),
    path("bestuur/huizen/<slug:slug>/sluitingen/", bestuur.closures, name="bestuur-closures"),
    path("bestuur/huizen/<slug:slug>/sluitingen/<id:pk>/verwijderen/", bestuur.closure_delete,
         name="bestuur-closure-delete"),
    path("bestuur/huizen/<slug:slug>/sluitingen/<id:pk>/boekingen-annuleren/", bestuur.closure_cancel_bookings,
         name="bestuur-closure-cancel-bookings"),
    path("bestuur/niet-te-boeken/annuleren/", bestuur.unavailable_cancel, name="bestuur-unavailable-cancel"),
    path("bestuur/huizen/<slug:slug>/reeksen/", bestuur.series_list, name="bestuur-series"),
    path("bestuur/huizen/<slug:slug>/instellingen/", bestuur.house_settings, name="bestuur-settings"),
    path("bestuur/huizen/<slug:slug>/reeksen/<id:pk>/besluit/", bestuur.series_decide, name="bestuur-series-decide"),
    # Invoices for associations (issue 22): the association's, and the board's (its treasurer's)
    path("mijn/facturen/", invoices.mijn_invoices, name="mijn-invoices"),
    path("mijn/facturen/<id:pk>/pdf/", invoices.mijn_invoice_pdf, name="mijn-invoice-pdf"),
    path("bestuur/huizen/<slug:slug>/facturen/", invoices.board_invoices, name="bestuur-invoices"),
    path("bestuur/huizen/<slug:slug>/facturen/maken/", invoices.board_issue, name="bestuur-invoices-issue"),
    path("bestuur/huizen/<slug:slug>/facturen/instellingen/", invoices.board_settings, name="bestuur-invoice-settings"),
    path("bestuur/huizen/<slug:slug>/facturen/export.<str:fmt>", invoices.board_export, name="bestuur-invoices-export"),
    path("bestuur/huizen/<slug:slug>/facturen/<id:pk>/", invoices.board_invoice, name="bestuur-invoice"),
    path("bestuur/huizen/<slug:slug>/facturen/<id:pk>/pdf/", invoices.board_invoice_pdf, name="bestuur-invoice-pdf"),
    path("bestuur/huizen/<slug:slug>/facturen/<id:pk>/betaald/", invoices.board_mark_paid, name="bestuur-invoice-paid"),
]
