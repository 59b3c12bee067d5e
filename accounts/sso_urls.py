from __future__ import annotations

from django.urls import path

from accounts import sso_views

app_name = "sso"
urlpatterns = [
    path("saml/", sso_views.saml_settings, name="saml_settings"),
]
