"""The demo organisation: about 80 employees over departments with a manager tree.

Deterministic (a seeded random generator) and idempotent (keyed by e-mail), so running
``seed_demo`` twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from accounts.services import user_set_hr_admin

DOMAIN = "flipside.example"

DEPARTMENTS = [
    ("Engineering", "Europe/Berlin"),
    ("Marketing", "Europe/London"),
    ("Sales", "America/New_York"),
    ("Operations", "Europe/Madrid"),
    ("People", "Europe/London"),
    ("Customer Success", "Asia/Singapore"),
]
FIRST = ["Aisha", "Robert", "Mei", "Lukas", "Sofia", "Omar", "Priya", "Jonas", "Chloe", "Mateo",
         "Hana", "Daniel", "Amara", "Felix", "Yara", "Noah", "Ines", "Kwame", "Lena", "Ravi",
         "Elena", "Tom", "Zara", "Hugo", "Nia", "Sven", "Leila", "Arjun", "Maya", "Oscar"]
LAST = ["Khan", "Whitfield", "Chen", "Bauer", "Rossi", "Haddad", "Patel", "Berg", "Martin",
        "Garcia", "Sato", "Okafor", "Novak", "Schmidt", "Costa", "Mensah", "Larsen", "Ali",
        "Dubois", "Silva", "Kowalski", "Nguyen", "Brown", "Moreau", "Fischer", "Ivanova"]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


# The accounts README and `make run` print. Same password for all: settings.DEMO_PASSWORD.
DEMO_LOGINS = [
    DemoLogin(f"hr@{DOMAIN}", "HR admin"),
    DemoLogin(f"lead@{DOMAIN}", "Program lead"),
    DemoLogin(f"mentor@{DOMAIN}", "Junior mentor"),
    DemoLogin(f"mentee@{DOMAIN}", "Senior mentee"),
    DemoLogin(f"admin@{DOMAIN}", "Django superuser (back-office)"),
]


@transaction.atomic
def seed_people() -> dict[str, User]:
    """Create (or find) the demo organisation. Returns the named demo accounts by role key."""
    rng = random.Random(20261122)  # noqa: S311 - demo data, not security
    password = make_password(settings.DEMO_PASSWORD)
    existing = {u.email: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}

    def person(email: str, name: str, title: str, dept: str, level: int, zone: str,
               manager: User | None) -> User:
        user = existing.get(email)
        if user is None:
            user = User(email=email, password=password)
        user.full_name, user.job_title, user.department = name, title, dept
        user.level, user.time_zone, user.manager = level, zone, manager
        user.location = zone.split("/")[-1].replace("_", " ")
        user.save()
        existing[email] = user
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    names = iter(rng.sample([f"{f} {ln}" for f in FIRST for ln in LAST], 120))
    ceo = person(f"ceo@{DOMAIN}", "Margaret Olsen", "Chief Executive", "Leadership", 14,
                 "Europe/London", None)
    named: dict[str, User] = {}
    for d_index, (dept, zone) in enumerate(DEPARTMENTS):
        slug = dept.lower().replace(" ", "-")
        head = person(f"{slug}.head@{DOMAIN}", next(names), f"Head of {dept}", dept, 12, zone, ceo)
        for m in range(2):
            manager = person(f"{slug}.manager{m + 1}@{DOMAIN}", next(names), f"{dept} Manager",
                             dept, rng.choice([9, 10]), zone, head)
            for s in range(2):
                person(f"{slug}.senior{m + 1}{s + 1}@{DOMAIN}", next(names), f"Senior {dept} Lead",
                       dept, rng.choice([7, 8]), zone, manager)
            for j in range(3):
                person(f"{slug}.junior{m + 1}{j + 1}@{DOMAIN}", next(names), f"{dept} Associate",
                       dept, rng.choice([2, 3, 4]), zone, manager)
        if d_index == 0:
            named["mentor"] = person(f"mentor@{DOMAIN}", "Aisha Rahman", "Cloud Engineer",
                                     dept, 3, zone, manager)
        if d_index == 2:
            named["mentee"] = person(f"mentee@{DOMAIN}", "Robert Whitfield", "VP Sales",
                                     dept, 11, zone, head)
    named["hr"] = person(f"hr@{DOMAIN}", "Hannah Reyes", "HR Business Partner", "People", 8,
                         "Europe/London", existing[f"people.head@{DOMAIN}"])
    named["lead"] = person(f"lead@{DOMAIN}", "Leonard Brooks", "Chief People Officer", "People", 13,
                           "Europe/London", ceo)
    admin = person(f"admin@{DOMAIN}", "Site Administrator", "IT Operations", "Operations", 6,
                   "UTC", None)
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    named["admin"] = admin
    named["ceo"] = ceo
    user_set_hr_admin(user=named["hr"], is_hr_admin=True)
    return named
