"""The one renderer: plain text stays plain, HTML is escaped, the program names the sender."""

from __future__ import annotations

import zoneinfo
from email.utils import parseaddr
from types import SimpleNamespace

from notifications.render import render


def _person(name: str, zone: str = "UTC"):
    return SimpleNamespace(
        first_name=name.split()[0],
        display_name=name,
        email=f"{name.split()[0].lower()}@corp.example",
        zone=zoneinfo.ZoneInfo(zone),
        time_zone=zone,
    )


def test_the_text_part_reads_ampersands_as_written_and_the_html_escapes_them():
    manager, mentor = _person("Maria Manager"), _person("Aisha <Rahman>")
    rendered = render(
        template="evaluation/emails/manager_note",
        recipient=manager,
        prefix=False,
        context={
            "program": SimpleNamespace(name="Data & AI 2026"),
            "mentor": mentor,
            "manager": manager,
            "facts": {"sessions_held": 3, "taught": ["Data & analytics tools", "Cloud <basics>"]},
        },
    )

    assert "Data & analytics tools" in rendered.text and "&amp;" not in rendered.text
    assert "Cloud <basics>" in rendered.text and "Aisha <Rahman>" in rendered.text
    assert "Data &amp; analytics tools" in rendered.html and "Aisha &lt;Rahman&gt;" in rendered.html
    assert "&amp;" not in rendered.subject
    assert rendered.to == manager.email and rendered.headers["Auto-Submitted"] == "auto-generated"


def test_a_program_brand_names_the_sender_and_prefixes_the_subject(settings):
    settings.DEFAULT_FROM_EMAIL = "Flipside <flipside@corp.example>"
    person = _person("Robert Whitfield")
    rendered = render(
        template="evaluation/emails/certificate_ready",
        recipient=person,
        brand="Data & AI",
        context={
            "enrollment": SimpleNamespace(get_role_display=lambda: "Mentor", role="mentor"),
            "program": SimpleNamespace(name="Data & AI"),
            "url": "https://x.example/c",
        },
    )

    assert rendered.subject.startswith("[Data & AI] ")
    assert parseaddr(rendered.from_email) == ("Data & AI", "flipside@corp.example")
