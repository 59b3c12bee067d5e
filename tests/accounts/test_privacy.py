"""A person downloads all their data; HR erases a person and their name and e-mail are gone."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.services import user_set_hr_admin
from programs.models import EmployeeImport, ProgramChange
from tests.factories import MeetingFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
NAME, EMAIL = "Zelda Quarrington", "zelda.quarrington@example.com"


@pytest.fixture
def zelda_with_history(hr_admin):
    """A mentee who did everything: profile, pair, a held session with logs, an audit trail,
    a stored CSV import and a change-history entry naming her."""
    from meetings.models import ActionItem, PrivateReflection, SessionLog
    from pairing.models import ExitRequest

    zelda = UserFactory(email=EMAIL, full_name=NAME, level=11, department="Sales")
    ProfileFactory(user=zelda, bio=f"I am {NAME}.")
    meeting = MeetingFactory(pair__mentee__user=zelda, status="held")
    pair = meeting.pair
    log = SessionLog.objects.create(meeting=meeting, shared_summary=f"{NAME} explained pricing.")
    PrivateReflection.objects.create(log=log, author=zelda, text="ZELDA-OWN-REFLECTION")
    PrivateReflection.objects.create(log=log, author=pair.mentor.user, text="PARTNER-SECRET-REFLECTION")
    ActionItem.objects.create(pair=pair, log=log, text="Read the AI primer", owner=zelda)
    ExitRequest.objects.create(pair=pair, requested_by=zelda, kind="exit", reason="Personal reasons")
    AuditEvent.objects.create(kind="sign_in", actor=zelda, summary=f"{EMAIL} signed in")
    AuditEvent.objects.create(kind="sign_in_failed", summary=f"Failed sign-in for {EMAIL.upper()}")
    EmployeeImport.objects.create(raw_text=f"name,email\n{NAME},{EMAIL}\nOther,other@example.com\n")
    ProgramChange.objects.create(program=pair.program, actor=hr_admin, area="leads",
                                 summary=f"Added {NAME} as lead", changes={"leads": [[], [NAME]]})
    return zelda


def tables_mentioning(*needles: str) -> list[str]:
    """Every text or JSON column of every table that still contains one of the strings."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            qs = model._default_manager.annotate(_t=Cast(field.name, models.TextField()))
            for needle in needles:
                if qs.filter(_t__icontains=needle).exists():
                    found.append(f"{model._meta.label}.{field.name} ~ {needle}")
    return found


def test_a_person_downloads_all_their_data_but_not_their_partners_reflections(client, zelda_with_history):
    client.force_login(zelda_with_history)
    assert client.get(reverse("privacy:my_data")).status_code == 200
    response = client.post(reverse("privacy:my_data"))
    assert response["Content-Disposition"].startswith('attachment; filename="flipside-my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == EMAIL
    assert "password" not in data["account"]
    assert data["pairing"]["profile"]["bio"] == f"I am {NAME}."
    assert data["meetings"]["my_private_reflections"][0]["text"] == "ZELDA-OWN-REFLECTION"
    assert "PARTNER-SECRET-REFLECTION" not in response.content.decode()
    assert AuditEvent.objects.filter(kind="export", data__user_id=zelda_with_history.pk).exists()


def test_the_data_download_needs_a_post(client, mentor):
    client.force_login(mentor)
    assert client.put(reverse("privacy:my_data")).status_code == 405
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_hr_erases_a_person_and_their_name_and_email_appear_nowhere(client, hr_admin, zelda_with_history):
    assert tables_mentioning(NAME, EMAIL)  # the fixture really does spread them around
    client.force_login(hr_admin)
    url = reverse("privacy:erase", args=[zelda_with_history.pk])
    assert NAME in client.get(url).content.decode()
    response = client.post(url, {"confirm_email": EMAIL})
    assert response.status_code == 302

    assert tables_mentioning(NAME, EMAIL) == []
    zelda = User.objects.get(pk=zelda_with_history.pk)
    assert not zelda.is_active
    assert not zelda.has_usable_password()
    from meetings.models import PrivateReflection

    assert list(PrivateReflection.objects.values_list("text", flat=True)) == ["PARTNER-SECRET-REFLECTION"]
    event = AuditEvent.objects.get(kind="erasure")
    assert event.actor == hr_admin
    assert event.summary == f"Person #{zelda.pk} erased"


def test_an_erased_person_can_no_longer_sign_in(client, zelda_with_history, hr_admin, password):
    from accounts.privacy import person_erase

    person_erase(user=zelda_with_history, actor=hr_admin)
    client.post(reverse("account_login"), {"login": EMAIL, "password": password})
    assert not client.get(reverse("home")).context["user"].is_authenticated


def test_erasure_needs_the_email_typed_and_changes_nothing_otherwise(client, hr_admin, zelda_with_history):
    client.force_login(hr_admin)
    response = client.post(reverse("privacy:erase", args=[zelda_with_history.pk]), {"confirm_email": "nope"})
    assert response.status_code == 200
    assert "That is not this person" in response.content.decode()
    assert User.objects.get(pk=zelda_with_history.pk).full_name == NAME


def test_only_hr_admins_can_erase(client, mentor, outsider):
    client.force_login(mentor)
    response = client.post(reverse("privacy:erase", args=[outsider.pk]), {"confirm_email": outsider.email})
    assert response.status_code == 404
    assert User.objects.get(pk=outsider.pk).is_active


def test_hr_cannot_erase_themselves_or_a_superuser(client, hr_admin, django_user_model):
    root = django_user_model.objects.create_superuser("root@example.com", "pw-long-enough-1")
    other_hr = UserFactory(email="hr2@example.com")
    user_set_hr_admin(user=other_hr, is_hr_admin=True)
    client.force_login(hr_admin)
    assert client.get(reverse("privacy:erase", args=[hr_admin.pk])).status_code == 404
    assert client.get(reverse("privacy:erase", args=[root.pk])).status_code == 404
    assert client.get(reverse("privacy:erase", args=[other_hr.pk])).status_code == 200


def test_the_download_names_topics_and_an_erased_manager_reads_as_a_former_employee(client, hr_admin):
    from accounts.privacy import person_erase
    from pairing.models import Expertise, LearningInterest
    from tests.factories import TopicFactory

    boss = UserFactory(full_name="Mona Manager")
    person = UserFactory(manager=boss)
    profile = ProfileFactory(user=person)
    Expertise.objects.create(profile=profile, topic=TopicFactory(name="Generative AI"), proficiency=4)
    industry = TopicFactory(name="Industry knowledge")
    LearningInterest.objects.create(profile=profile, topic=industry, priority=1)
    client.force_login(person)

    before = json.loads(client.post(reverse("privacy:my_data")).content)
    person_erase(user=boss, actor=hr_admin)
    after = json.loads(client.post(reverse("privacy:my_data")).content)
    page = client.get(reverse("pairing:profile")).content.decode()

    assert before["account"]["manager"] == "Mona Manager"
    assert before["pairing"]["expertise"][0]["topic"] == "Generative AI"
    assert before["pairing"]["learning_interests"][0]["topic"] == "Industry knowledge"
    assert after["account"]["manager"] == "Former employee"
    assert "Former employee" in page and "erased-" not in page
