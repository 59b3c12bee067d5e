from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pairing.models import AvailabilityWindow, Expertise, LearningInterest, Profile
from tests.factories import ProfileFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(db):
    return TopicFactory(name="Generative AI")


def test_the_profile_shows_what_hr_imported_read_only(client, mentor):
    boss = UserFactory(full_name="Mona Manager")
    mentor.job_title, mentor.manager, mentor.location = "Cloud Engineer", boss, "Berlin"
    mentor.save()
    client.force_login(mentor)

    page = client.get(reverse("pairing:profile")).content.decode()

    assert "From HR" in page
    for fact in ("Cloud Engineer", "Engineering", "Mona Manager", "Berlin", "Europe/Berlin"):
        assert fact in page
    assert 'name="job_title"' not in page and 'name="department"' not in page


def test_the_profile_is_created_lazily_and_languages_are_tidied(client, mentor):
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:profile_about"),
        {"languages": " english, German ,English,,  french ", "bio": "  Cloud person. "},
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=mentor)
    assert profile.languages == ["English", "German", "French"]
    assert profile.bio == "Cloud person."


def test_too_many_languages_are_refused_with_a_message(client, mentor):
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:profile_about"),
        {"languages": ", ".join(f"Language {i}" for i in range(11)), "bio": ""},
    )

    assert "List at most 10 languages." in response.content.decode()
    assert Profile.objects.get(user=mentor).languages == []


def test_adding_a_topic_twice_updates_it(client, mentor, topic):
    client.force_login(mentor)
    url = reverse("pairing:expertise_add")

    client.post(url, {"expertise-topic": topic.pk, "expertise-proficiency": "3", "expertise-can_teach": "on"})
    client.post(url, {"expertise-topic": topic.pk, "expertise-proficiency": "5"})

    item = Expertise.objects.get(profile__user=mentor)
    assert (item.topic, item.proficiency, item.can_teach) == (topic, 5, False)


def test_a_bad_proficiency_is_refused_and_nothing_is_saved(client, mentor, topic):
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:expertise_add"), {"expertise-topic": topic.pk, "expertise-proficiency": "9"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Expertise.objects.exists()


def test_a_learning_interest_is_added_with_its_priority(client, mentee, topic):
    client.force_login(mentee)

    client.post(reverse("pairing:interest_add"), {"interest-topic": topic.pk, "interest-priority": "1"})

    assert LearningInterest.objects.get(profile__user=mentee).priority == 1


def test_an_availability_window_is_added(client, mentor):
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:availability_add"),
        {"availability-weekday": "1", "availability-start": "09:00", "availability-end": "11:30"},
    )

    assert response.status_code == 302
    window = AvailabilityWindow.objects.get(profile__user=mentor)
    assert (window.weekday, window.start, window.end) == (1, dt.time(9), dt.time(11, 30))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("11:00", "09:00", "The window must end after it starts (same day)."),
        ("09:00", "09:00", "The window must end after it starts (same day)."),
        ("25:00", "26:00", "Enter a valid time."),
    ],
)
def test_a_window_that_does_not_make_sense_is_refused(client, mentor, start, end, message):
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:availability_add"),
        {"availability-weekday": "0", "availability-start": start, "availability-end": end},
    )

    assert message in response.content.decode()
    assert not AvailabilityWindow.objects.exists()


def test_an_overlapping_window_is_refused(client, mentor):
    profile = ProfileFactory(user=mentor)
    AvailabilityWindow.objects.create(profile=profile, weekday=0, start=dt.time(9), end=dt.time(12))
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:availability_add"),
        {"availability-weekday": "0", "availability-start": "11:00", "availability-end": "13:00"},
    )

    assert "This overlaps your window Monday 09:00–12:00." in response.content.decode()
    assert AvailabilityWindow.objects.count() == 1


def test_a_person_removes_their_own_rows(client, mentor, topic):
    profile = ProfileFactory(user=mentor)
    item = Expertise.objects.create(profile=profile, topic=topic, proficiency=4)
    interest = LearningInterest.objects.create(profile=profile, topic=topic, priority=2)
    window = AvailabilityWindow.objects.create(profile=profile, weekday=2, start=dt.time(9), end=dt.time(10))
    client.force_login(mentor)

    client.post(reverse("pairing:expertise_remove", args=[item.pk]))
    client.post(reverse("pairing:interest_remove", args=[interest.pk]))
    client.post(reverse("pairing:availability_remove", args=[window.pk]))

    assert not Expertise.objects.exists()
    assert not LearningInterest.objects.exists()
    assert not AvailabilityWindow.objects.exists()


def test_someone_elses_rows_are_not_found(client, mentor, outsider, topic):
    profile = ProfileFactory(user=mentor)
    item = Expertise.objects.create(profile=profile, topic=topic, proficiency=4)
    window = AvailabilityWindow.objects.create(profile=profile, weekday=2, start=dt.time(9), end=dt.time(10))
    client.force_login(outsider)

    assert client.post(reverse("pairing:expertise_remove", args=[item.pk])).status_code == 404
    assert client.post(reverse("pairing:availability_remove", args=[window.pk])).status_code == 404
    assert Expertise.objects.count() == 1 and AvailabilityWindow.objects.count() == 1


@pytest.mark.parametrize("name", ["profile_about", "expertise_add", "interest_add", "availability_add"])
def test_profile_post_views_answer_405_to_get(client, mentor, name):
    client.force_login(mentor)

    assert client.get(reverse(f"pairing:{name}")).status_code == 405


def test_the_profile_needs_a_signed_in_person(client):
    response = client.get(reverse("pairing:profile"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_profile_offers_an_empty_languages_box_and_saving_it_keeps_no_languages(client, mentor):
    client.force_login(mentor)

    page = client.get(reverse("pairing:profile")).content.decode()
    assert "[]" not in page
    client.post(reverse("pairing:profile_about"), {"languages": "", "bio": "Hello."})

    assert Profile.objects.get(user=mentor).languages == []


def test_a_language_name_without_letters_is_not_kept(client, mentor):
    client.force_login(mentor)

    client.post(reverse("pairing:profile_about"), {"languages": "[], English, -", "bio": ""})

    assert Profile.objects.get(user=mentor).languages == ["English"]


def test_the_migration_removes_the_saved_brackets_from_existing_profiles():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("pairing.migrations.0002_profile_languages_drop_names_without_letters")
    empty = ProfileFactory(languages=["[]"])
    mixed = ProfileFactory(languages=["[]", "English"])
    fine = ProfileFactory(languages=["English", "German"])

    migration.forwards(apps, None)

    for profile in (empty, mixed, fine):
        profile.refresh_from_db()
    assert (empty.languages, mixed.languages, fine.languages) == ([], ["English"], ["English", "German"])
