from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.demo import seed_people
from pairing.demo import seed_pairing
from pairing.models import Enrollment, Pair, Profile
from pairing.selectors import participant_home
from programs.demo import seed_programs
from programs.models import Program
from tests.factories import PairFactory, UserFactory
from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def test_the_home_page_invites_an_eligible_employee_to_apply(client, mentor, enrolling_program):
    client.force_login(mentor)

    page = client.get(reverse("home")).content.decode()

    assert f"{enrolling_program.name}</strong> is open for enrolment" in page
    assert reverse("pairing:apply", args=[enrolling_program.pk]) in page


def test_the_home_page_puts_a_pending_offer_first(client, matching_program):
    offer = PairFactory(program=matching_program, published_at=timezone.now())
    client.force_login(offer.mentee.user)

    page = client.get(reverse("home")).content.decode()

    assert f"HR proposes <strong>{offer.mentor.user.display_name}</strong> as your mentor." in page


def test_someone_with_nothing_to_do_sees_the_empty_state(client, outsider):
    client.force_login(outsider)

    assert "You are not in a program yet." in client.get(reverse("home")).content.decode()


def test_the_home_panel_costs_the_same_queries_for_one_or_many_pairs(django_assert_num_queries):
    person = UserFactory(level=3)
    counts = []
    for n in (1, 8):
        while Enrollment.objects.filter(user=person).count() < n:
            program = Program.objects.create(name=f"P{Program.objects.count()}", status="running")
            PairFactory(
                program=program, mentor=enrol(program, person), published_at=timezone.now(), status="active"
            )
        with django_assert_num_queries(4):
            data = participant_home(person)
        counts.append(len(data["pairing"]["active_pairs"]))

    assert counts == [1, 8]


def test_the_lifecycle_waits_for_published_pairs_before_running(matching_program):
    assert "Run matching and publish the pairs" in matching_program.missing_for_next_step()

    PairFactory(program=matching_program, published_at=timezone.now())

    assert "Run matching and publish the pairs" not in matching_program.missing_for_next_step()


def test_the_demo_has_profiles_enrolments_and_active_pairs_and_seeds_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    people = seed_people()
    programs = seed_programs(people)

    first = seed_pairing(people, programs)
    second = seed_pairing(people, programs)

    running = programs["running"]
    assert first["pairs"] >= 9 and second == {"pairs": 0, "enrollments": 0}
    assert Enrollment.objects.filter(program=running, role="mentor", status="approved").count() == 12
    assert Enrollment.objects.filter(program=running, role="mentee", status="approved").count() == 12
    assert Enrollment.objects.filter(program=programs["enrolling"], status="applied").count() >= 3
    assert Profile.objects.filter(expertise__isnull=False).distinct().count() >= 25
    aisha_robert = Pair.objects.get(program=running, mentor__user=people["mentor"])
    assert aisha_robert.mentee.user == people["mentee"]
    assert aisha_robert.status == Pair.Status.ACTIVE and aisha_robert.explanation
    assert Pair.objects.filter(program=running, status="active").count() >= 9
    assert Pair.objects.filter(program=running, status="proposed", published_at__isnull=False).count() == 1
