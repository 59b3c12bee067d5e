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
