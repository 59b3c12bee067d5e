from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import privacy
from accounts.models import User
from accounts.roles import hr_admin_required


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """Explain what is kept; a POST downloads all of it as JSON (audited)."""
    if request.method == "GET":
        return render(request, "accounts/my_data.html")
    data = privacy.person_export(user=request.user, request=request)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False),
                            content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="flipside-my-data-{stamp}.json"'
    return response


class EraseForm(forms.Form):
    confirm_email = forms.CharField(
        label=gettext_lazy("Type the person's e-mail address to confirm"), max_length=254)

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm_email(self) -> str:
        value = self.cleaned_data["confirm_email"].strip().lower()
        if value != self.person.email.lower():
            raise forms.ValidationError(_("That is not this person's e-mail address."))
        return value


@hr_admin_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    erasable = User.objects.filter(is_active=True, is_superuser=False).exclude(pk=request.user.pk)
    person = get_object_or_404(erasable, pk=pk)
    form = EraseForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        privacy.person_erase(user=person, actor=request.user, request=request)
        messages.success(request, _("The person was erased. Their name and e-mail address are gone."))
        return redirect("programs:people")
    return render(request, "accounts/erase_confirm.html", {"person": person, "form": form})
