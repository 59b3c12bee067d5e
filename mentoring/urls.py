from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from mentoring import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("programs/", include("programs.urls")),
    path("mentoring/", include("pairing.urls")),
    path("admin/", admin.site.urls),
]
