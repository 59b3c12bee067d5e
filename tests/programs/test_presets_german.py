"""The shipped template has a German version: an HR admin working in German starts a program whose texts
(topics, agreement, confidentiality rules, surveys, training, goals) are German. Once created they are
HR's texts and stay as they are, whoever reads them later."""

from __future__ import annotations

import pytest
from django.utils import translation

from programs import presets, services
from programs.models import Topic

pytestmark = pytest.mark.django_db


def german(msgid: str) -> str:
    with translation.override("de"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no German for {msgid!r}"
    return text


@pytest.fixture
def german_program(hr_admin):
    with translation.override("de"):
        return services.program_create_from_template(name="Reverse Mentoring 2027", actor=hr_admin)


def test_a_program_created_in_german_gets_the_german_template(german_program):
    program = german_program
    assert program.description.startswith("Jüngere Kolleg:innen begleiten erfahrene Führungskräfte")
    agreement = program.agreement_versions.get().text
    assert agreement.startswith("Unsere Mentoring-Vereinbarung\n")
    rules = list(program.confidentiality_rules.values_list("text", flat=True))
    assert rules[4] == ("Keine Seite berichtet der oder dem Vorgesetzten der anderen Seite über sie; "
                        "dies ist keine Leistungsbeurteilung.")
    assert all(rule == german(str(source)) for rule, source in zip(rules, presets.CONFIDENTIALITY_RULES,
                                                                   strict=True))
    questions = list(program.survey_questions.values_list("text", flat=True))
    assert german("How is the meeting rhythm working for you?") in questions
    resources = list(program.resources.values_list("title", flat=True))
    assert german("How reverse mentoring works") in resources
    assert german("Pairs keep meeting") in program.goals.values_list("title", flat=True)
    assert program.communication_guidelines.startswith("Vereinbaren Sie beim ersten Treffen")


def test_its_topics_and_their_session_kits_are_german(german_program):
    menu = {row.topic.name: row for row in german_program.program_topics.select_related("topic")}
    assert {"Generative KI", "Cloud-Dienste", "Branchenwissen", "Karriereentwicklung"} <= set(menu)
    assert menu["Generative KI"].topic.description == "KI-Assistenten im Arbeitsalltag gut und sicher nutzen."
    assert menu["Generative KI"].agenda.startswith("Generative KI bei der Arbeit")
    assert not any(name in menu for name in ("Generative AI", "Cloud services", "Industry knowledge"))


def test_programs_created_in_either_language_share_one_topic_catalogue(german_program, hr_admin):
    english = services.program_create_from_template(name="Reverse mentoring 2028", actor=hr_admin)
    assert Topic.objects.count() == len(presets.TOPICS)
    assert english.program_topics.filter(topic__name="Generative KI").exists()
    assert not Topic.objects.filter(name="Generative AI").exists()


def test_an_english_catalogue_is_reused_by_a_german_admin(hr_admin):
    services.program_create_from_template(name="Pilot", actor=hr_admin)
    with translation.override("de"):
        services.program_create_from_template(name="Zweiter Jahrgang", actor=hr_admin)
    assert Topic.objects.count() == len(presets.TOPICS)
    assert Topic.objects.filter(name="Generative AI").exists()


def test_the_template_s_texts_stay_as_written_whoever_reads_them(german_program):
    with translation.override("en"):
        german_program.refresh_from_db()
        assert "Führungskräfte" in german_program.description
        assert german_program.confidentiality_rules.first().text.startswith("Was in einem Treffen")
