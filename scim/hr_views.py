"""HR's page for SCIM tokens: list, create (secret shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import hr_admin_required
from scim.models import ScimToken
from scim.services import scim_token_create, scim_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=100,
        help_text=gettext_lazy("Which directory uses it, e.g. “Okta production”. Shown in the audit log."),
    )


def get_token_for_hr(pk: int) -> ScimToken:
    token = ScimToken.objects.filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


@hr_admin_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = scim_token_create(name=form.cleaned_data["name"], by=request.user)
        except ValueError as error:
            form.add_error("name", str(error))
        else:
            form = TokenForm()
    context = {
        "form": form, "secret": secret, "tokens": ScimToken.objects.select_related("created_by"),
        "base_url": request.build_absolute_uri("/scim/v2"),
    }
    return render(request, "scim/tokens.html", context)


@hr_admin_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_token_for_hr(pk)
    scim_token_revoke(token=token, by=request.user)
    messages.success(
        request, _("Token “%(name)s” revoked: the directory can no longer use it.") % {"name": token.name}
    )
    return redirect("scim:tokens")
