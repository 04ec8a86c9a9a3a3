from django.contrib import admin
from django.urls import include, path

from frontend import views as pages

admin.site.site_header = "Zaalboek beheer"
admin.site.site_title = "Zaalboek"
admin.site.index_title = "Huizen, zalen en boekingen"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
]
