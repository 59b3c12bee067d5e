"""Account → API tokens: make one (shown once), list them, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api.forms import TokenForm
from api.tokens import api_token_create, api_token_revoke, get_token_for_user, tokens_of


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _token, secret = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["access"] == "read",
            expires_days=form.cleaned_data["expires_days"],
            request=request,
        )
        form = TokenForm()
    # The secret is rendered in this one response and never again (only its hash is stored).
    response = render(
        request, "api/tokens.html", {"form": form, "secret": secret, "tokens": tokens_of(request.user)}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_token_for_user(request.user, pk)
    api_token_revoke(token=token, by=request.user, request=request)
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("api_tokens:list")
