"""HR sets the commitment guard and recurring slots per program in the browser."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _commitment(**overrides) -> dict:
    data = {
        "commitment_rebook_days": "5",
        "commitment_max_cancellations": "2",
        "commitment_sponsor_name": "Dana Sponsor",
        "commitment_sponsor_email": "dana@example.com",
        "series_allowed": "",
    }
    return {**data, **overrides}


def test_the_program_page_shows_the_commitment_settings_with_an_edit_link(hr_client, draft):
    html = hr_client.get(reverse("programs:detail", args=[draft.pk])).content.decode()

    assert 'id="commitment"' in html
    assert f'href="{reverse("programs:edit", args=[draft.pk, "commitment"])}">Edit<' in html
    assert "The program leads" in html and "Pairs may agree one" in html


def test_hr_saves_the_guard_and_the_change_is_recorded(hr_client, hr_admin, draft):
    response = hr_client.post(reverse("programs:edit", args=[draft.pk, "commitment"]), _commitment())

    assert response.status_code == 302 and response.url.endswith("#commitment")
    draft.refresh_from_db()
    assert (draft.commitment_rebook_days, draft.commitment_max_cancellations, draft.series_allowed) == (
        5,
        2,
        False,
    )
    assert (draft.commitment_sponsor_name, draft.commitment_sponsor_email) == (
        "Dana Sponsor",
        "dana@example.com",
    )
    change = draft.changes.get(area="commitment")
    assert change.actor == hr_admin and change.changes["commitment_rebook_days"] == [7, 5]
    html = hr_client.get(reverse("programs:detail", args=[draft.pk])).content.decode()
    assert "Dana Sponsor (executive sponsor, dana@example.com)" in html


def test_a_sponsor_name_without_an_address_and_out_of_range_days_are_refused(hr_client, draft):
    response = hr_client.post(
        reverse("programs:edit", args=[draft.pk, "commitment"]),
        _commitment(commitment_sponsor_email="", commitment_rebook_days="0"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the sponsor&#x27;s e-mail address, or leave the name empty." in html
    assert "Ensure this value is greater than or equal to 1." in html
    draft.refresh_from_db()
    assert draft.commitment_rebook_days == 7 and not draft.changes.filter(area="commitment").exists()


def test_a_cloned_program_keeps_the_commitment_settings(hr_admin, draft):
    from programs import services

    draft.commitment_rebook_days, draft.series_allowed = 10, False
    draft.save()

    clone = services.program_clone(program=draft, actor=hr_admin, name="Next round")

    assert (clone.commitment_rebook_days, clone.series_allowed) == (10, False)
