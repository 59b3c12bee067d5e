"""Pages of the chat channels: HR's Settings → Chat, and a person's Account → Notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import hr_admin_required
from notifications import selectors, services
from notifications.forms import ChannelPreferencesForm, ChatSettingsForm
from notifications.models import ChatSettings


@hr_admin_required
@require_http_methods(["GET", "POST"])
def chat_settings(request: HttpRequest) -> HttpResponse:
    current = selectors.chat_settings_get()
    state = selectors.chat_secret_state(current)
    form = ChatSettingsForm(request.POST or None, current=current, secret_state=state)
    if request.method == "POST" and form.is_valid():
        services.chat_settings_update(actor=request.user, provider=form.cleaned_data["provider"],
                                      secret=form.cleaned_data["secret"])
        messages.success(request, _("The chat settings are saved. Send a test message to check them."))
        return redirect("notifications:chat_settings")
    return render(request, "notifications/chat_settings.html", {
        "form": form, "current": current, "secret": state,
        "ready": selectors.chat_config(current).ready,
        "failures": selectors.chat_failures_recent(),
    })


@hr_admin_required
@require_POST
def chat_test(request: HttpRequest) -> HttpResponse:
    outcome = services.chat_test_send(actor=request.user)
    if outcome.ok:
        messages.success(request, _("Test message sent to you: %(detail)s") % {"detail": outcome.detail})
    else:
        messages.error(request, _("The test message did not arrive: %(detail)s") % {"detail": outcome.detail})
    return redirect("notifications:chat_settings")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.channel_preferences_of(request.user)
    form = ChannelPreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.channel_preferences_update(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    config = selectors.chat_config()
    return render(request, "notifications/preferences.html", {
        "form": form, "chat_ready": config.ready,
        "provider": dict(ChatSettings.Provider.choices).get(config.provider, ""),
    })
