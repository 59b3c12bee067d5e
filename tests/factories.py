"""factory_boy factories shared by every test folder."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from programs.models import AgreementVersion, Program, Topic

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    time_zone = "Europe/London"
    department = "Engineering"
    level = 5
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        # Real sign-ins go through allauth, which wants a verified primary address.
        if create:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True})


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Reverse mentoring {n}")
    description = "Juniors mentor seniors on digital topics; seniors share industry knowledge."
    mentor_responsibilities = "Prepare each session; share what you know."
    mentee_responsibilities = "Be curious; share your experience back."
    # The out-of-hours guard (meetings.hours) is on for real programs; tests that book at arbitrary
    # hours would trip it, so tests of the guard switch it on themselves.
    hours_guard = False

    @factory.post_generation
    def leads(self, create, extracted, **kwargs):
        if create and extracted:
            self.leads.add(*extracted)


class AgreementVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementVersion

    program = factory.SubFactory(ProgramFactory)
    version = 1
    text = "We meet every two weeks, keep what we share confidential, and either of us may end without blame."


# --- pairing ----------------------------------------------------------------------------------
# Models are named as strings so this section needs no imports of its own (appended section).


def _now():
    from django.utils import timezone

    return timezone.now()


def _published_agreement(program):
    current = program.current_agreement()
    return current or PublishedAgreementFactory(program=program)


class PublishedAgreementFactory(AgreementVersionFactory):
    published_at = factory.LazyFunction(_now)


class ProgramTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.ProgramTopic"

    program = factory.SubFactory(ProgramFactory)
    topic = factory.SubFactory(TopicFactory)
    direction = "junior_teaches"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Resource"

    program = factory.SubFactory(ProgramFactory)
    title = factory.Sequence(lambda n: f"Training {n}")
    body = "How reverse mentoring works."
    audience = "both"
    required_before_matching = True


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pairing.Profile"
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    languages = factory.LazyFunction(lambda: ["English"])


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pairing.Enrollment"

    program = factory.SubFactory(ProgramFactory)
    user = factory.SubFactory(UserFactory)
    role = "mentor"
    status = "approved"
    agreement_version = factory.LazyAttribute(lambda o: _published_agreement(o.program))
    agreement_accepted_at = factory.LazyFunction(_now)
    learn_goals = "Learn how the business really works."
    teach_goals = "Teach practical digital tools."
    capacity = 1


class MentorEnrollmentFactory(EnrollmentFactory):
    role = "mentor"
    user = factory.SubFactory(UserFactory, level=3, department="Engineering")


class MenteeEnrollmentFactory(EnrollmentFactory):
    role = "mentee"
    user = factory.SubFactory(UserFactory, level=10, department="Sales")


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pairing.Pair"

    program = factory.SubFactory(ProgramFactory)
    mentor = factory.SubFactory(MentorEnrollmentFactory, program=factory.SelfAttribute("..program"))
    mentee = factory.SubFactory(MenteeEnrollmentFactory, program=factory.SelfAttribute("..program"))
    status = "proposed"
    score = 5.0
    explanation = "Aisha can teach Robert Cloud services; different departments."
    parts = factory.LazyFunction(lambda: {"mentor_teaches": 3.0, "availability": 1.0})


# --- meetings ---------------------------------------------------------------------------------
# Appended section; models named as strings like the pairing section above.


def _hours_from_now(hours: int):
    """A whole hour some time ahead (UTC), for meetings that must lie in the future."""
    from datetime import timedelta

    return _now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)


def _minutes(n: int):
    from datetime import timedelta

    return timedelta(minutes=n)


def _clock(hour: int, minute: int = 0):
    from datetime import time

    return time(hour, minute)


class ActivePairFactory(PairFactory):
    """A published pair both people accepted: it books and logs sessions."""

    status = "active"
    published_at = factory.LazyFunction(_now)
    mentor_response = "accepted"
    mentee_response = "accepted"
    activated_at = factory.LazyFunction(_now)


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pairing.AvailabilityWindow"

    profile = factory.SubFactory(ProfileFactory)
    weekday = 0
    start = factory.LazyFunction(lambda: _clock(9))
    end = factory.LazyFunction(lambda: _clock(17))


class MeetingFactory(factory.django.DjangoModelFactory):
    """A confirmed session a week ahead, with both attendees' time taken (bypasses the services)."""

    class Meta:
        model = "meetings.Meeting"
        skip_postgeneration_save = True

    pair = factory.SubFactory(ActivePairFactory)
    status = "confirmed"
    starts_at = factory.LazyFunction(lambda: _hours_from_now(7 * 24))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _minutes(45))
    mode = "video"
    video_link = "https://meet.example.com/pair"
    proposed_by = factory.LazyAttribute(lambda o: o.pair.mentor.user)

    @factory.post_generation
    def attendances(self, create, extracted, **kwargs):
        from meetings.models import MeetingAttendance

        if create and self.starts_at and self.status != "proposed":
            for user in (self.pair.mentor.user, self.pair.mentee.user):
                MeetingAttendance.objects.create(meeting=self, user=user, starts_at=self.starts_at,
                                                 ends_at=self.ends_at, active=self.status != "cancelled")
