from django.contrib import admin
from django.urls import include, path

from frontend import views as pages

handler400 = "config.errors.bad_request"
handler500 = "config.errors.server_error"

admin.site.site_header = "Zaalboek beheer"
admin.site.site_title = "Zaalboek"
admin.site.index_title = "Huizen, zalen en boekingen"

urlpatterns = [
    path("healthz", pages.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("ical/", include("api.ical")),  # public and private iCalendar feeds (issue 5)
    path("gemeente/", include("frontend.gemeente")),  # the municipality's pages (issue 8)
    path("", include("frontend.privacy")),  # privacy statement, own data download and account deletion (issue 8)
    path("", include("frontend.urls")),  # residents' and volunteers' pages (issue 7)
]
