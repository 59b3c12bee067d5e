"""HR's page for single sign-on with SAML 2.0: the identity provider, and Flipside's own SP details."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import saml, services
from accounts.roles import hr_admin_required
from accounts.sso_forms import SAMLConnectionForm, initial_from_settings


def _service_provider_urls(request: HttpRequest) -> dict[str, str]:
    slug = settings.SAML_ORGANIZATION_SLUG
    metadata = request.build_absolute_uri(reverse("saml_metadata", args=[slug]))
    return {
        "metadata_url": metadata,
        # allauth uses the metadata URL as the SP entity ID unless one is configured.
        "entity_id": metadata,
        "acs_url": request.build_absolute_uri(reverse("saml_acs", args=[slug])),
        "login_url": request.build_absolute_uri(reverse("saml_login", args=[slug])),
    }


@hr_admin_required
@require_http_methods(["GET", "POST"])
def saml_settings(request: HttpRequest) -> HttpResponse:
    from_environment = bool(settings.SOCIALACCOUNT_PROVIDERS.get("saml", {}).get("APPS"))
    app = SocialApp.objects.filter(provider=saml.PROVIDER_ID,
                                   client_id=settings.SAML_ORGANIZATION_SLUG).first()
    initial = initial_from_settings(app.settings) | {"name": app.name} if app else None
    form = SAMLConnectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and not from_environment and form.is_valid():
        services.saml_connection_save(actor=request.user, name=form.cleaned_data["name"],
                                      idp=form.cleaned_data["idp"],
                                      attribute_mapping=form.cleaned_data["attribute_mapping"],
                                      request=request)
        messages.success(request, _("Single sign-on with SAML is saved."))
        return redirect("sso:saml_settings")
    return render(request, "accounts/saml_settings.html", {
        "form": form, "app": app, "from_environment": from_environment, "sp": _service_provider_urls(request),
    })
