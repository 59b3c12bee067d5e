from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from api.urls import urls as api_urls
from mentoring import views

# The back-office signs in through allauth too: same rate limits, two-factor and audit trail.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Flipside back-office"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Django's set_language (POST only): the footer's language switcher for people not signed in.
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("privacy/", include("accounts.privacy_urls")),
    path("notifications/", include("notifications.urls")),
    path("sso/", include("accounts.sso_urls")),
    path("programs/", include("programs.urls")),
    path("mentoring/", include("pairing.urls")),
    path("sessions/", include("meetings.urls")),
    path("circles/", include("circles.urls")),
    path("surveys/", include("surveys.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("", include("scim.urls")),
    path("me/api-tokens/", include("api.page_urls")),
    path("api/", api_urls),
    path("admin/", admin.site.urls),
]
