from django.contrib import admin
from django.urls import path

admin.site.site_header = "Zaalboek beheer"
admin.site.site_title = "Zaalboek"

urlpatterns = [
    path("admin/", admin.site.urls),
]
