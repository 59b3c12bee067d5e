from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.demo import DEMO_LOGINS
from accounts.models import User
from accounts.roles import is_hr_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_seed_demo_creates_a_realistic_organisation_with_known_logins(debug_on, settings):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    people = User.objects.filter(email__endswith="@flipside.example")
    assert 75 <= people.count() <= 100
    assert people.values("department").distinct().count() >= 6
    assert people.exclude(manager=None).count() >= people.count() - 3
    assert people.values("time_zone").distinct().count() >= 4
    for login in DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(settings.DEMO_PASSWORD)
        assert user.emailaddress_set.get().verified
    assert is_hr_admin(User.objects.get(email="hr@flipside.example"))
    assert not is_hr_admin(User.objects.get(email="mentor@flipside.example"))
    assert User.objects.get(email="admin@flipside.example").is_superuser


def test_seed_demo_is_idempotent(debug_on):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    before = list(User.objects.order_by("email").values_list("email", "manager__email", "level"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = list(User.objects.order_by("email").values_list("email", "manager__email", "level"))
    assert before == after


def test_the_demo_manager_tree_has_no_cycles(debug_on):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    managers = dict(User.objects.values_list("id", "manager_id"))
    for start in managers:
        seen, node = set(), start
        while node is not None:
            assert node not in seen
            seen.add(node)
            node = managers.get(node)


def test_seed_demo_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_can_write_the_demo_programs_in_german(debug_on):
    from django.utils import translation

    from programs.models import Program, Topic

    call_command("seed_demo", language="de", stdout=open("/dev/null", "w"))  # noqa: SIM115
    program = Program.objects.order_by("pk").first()
    agreement = program.agreement_versions.order_by("version").first()
    assert agreement.text.startswith("Unsere Mentoring-Vereinbarung")
    assert Topic.objects.filter(name="Generative KI").exists()
    assert translation.get_language() == "en"  # the command leaves the process's language as it was
