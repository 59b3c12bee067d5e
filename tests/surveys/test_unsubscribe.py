from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from accounts.models import User
from meetings import nudges

pytestmark = pytest.mark.django_db


def _url(user) -> str:
    return reverse("surveys:unsubscribe", args=[nudges.unsubscribe_token(user)])


def test_opening_the_link_asks_first_and_changes_nothing(client, mentor):
    response = client.get(_url(mentor))

    assert response.status_code == 200
    assert "Stop nudge e-mails?" in response.content.decode()
    mentor.refresh_from_db()
    assert not mentor.nudges_opt_out


def test_the_one_click_post_switches_nudges_off_without_signing_in(client, mentor):
    response = client.post(_url(mentor))

    assert response.status_code == 200
    assert "Nudges switched off" in response.content.decode()
    assert User.objects.get(pk=mentor.pk).nudges_opt_out is True


def test_a_mail_client_one_click_post_works_without_a_csrf_token(mentor):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(_url(mentor), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert User.objects.get(pk=mentor.pk).nudges_opt_out is True


@pytest.mark.parametrize(
    "token",
    [
        "not-a-signed-value",
        signing.dumps({"u": 1}, salt="another-purpose"),
        signing.dumps({"u": "1"}, salt=nudges.UNSUBSCRIBE_SALT),
    ],
    # Fixed ids: signed values carry a timestamp, and pytest-xdist refuses to run when its workers
    # collected the same test under different names (one second apart).
    ids=["not-signed", "other-salt", "user-id-as-text"],
)
def test_a_forged_or_mangled_link_is_refused_with_a_message(client, mentor, token):
    response = client.post(reverse("surveys:unsubscribe", args=[token]))

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert not User.objects.filter(nudges_opt_out=True).exists()


def test_a_link_for_someone_who_left_is_refused(client, mentor):
    url = _url(mentor)
    User.objects.filter(pk=mentor.pk).update(is_active=False)

    assert client.post(url).status_code == 404


def test_the_unsubscribe_link_takes_only_get_and_post(client, mentor):
    assert client.put(_url(mentor)).status_code == 405
