"""The junior mentor's private pulse: planned every few weeks, sent once, answered privately, alerting HR."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pairing.models import Pair
from surveys import pulse
from surveys.models import SafetyPulse
from tests.factories import UserFactory
from tests.surveys import builders
from tests.surveys.conftest import START, sent

pytestmark = pytest.mark.django_db

# The conftest's pair started three weeks before START: its first pulse is due a week later.
FIRST_DUE = START + dt.timedelta(weeks=1)


def pulse_link(message) -> str:
    match = re.search(r"/surveys/pulse/t/([A-Za-z0-9_-]{20,100})/", message.body)
    assert match, message.body
    return match.group(0)


def test_no_pulse_before_the_first_period_has_passed(clock, pair, mailoutbox):
    clock.move_to(FIRST_DUE - dt.timedelta(seconds=1))
    outcome = pulse.safety_pulses_tick()
    assert outcome.created == 0 and not SafetyPulse.objects.exists() and mailoutbox == []


def test_the_junior_mentor_alone_gets_the_pulse_once_however_often_the_tick_runs(clock, pair, mailoutbox):
    clock.move_to(FIRST_DUE)
    first = pulse.safety_pulses_tick()
    second = pulse.safety_pulses_tick()
    clock.move_to(FIRST_DUE + dt.timedelta(days=3))
    pulse.safety_pulses_tick()

    assert first.created == 1 and second.created == 0
    row = SafetyPulse.objects.get()
    assert (row.round, row.recipient, row.enrollment) == (1, pair.mentor.user, pair.mentor)
    messages = sent(mailoutbox, "safety-pulse:")
    assert len(messages) == 1 and messages[0].to == [pair.mentor.user.email]
    assert "honest feedback" in messages[0].body
    assert not any(m.to == [pair.mentee.user.email] for m in mailoutbox)


def test_the_next_round_comes_after_the_programs_interval(clock, pair):
    clock.move_to(FIRST_DUE)
    pulse.safety_pulses_tick()
    clock.move_to(FIRST_DUE + dt.timedelta(weeks=4))
    pulse.safety_pulses_tick()
    assert list(SafetyPulse.objects.order_by("round").values_list("round", flat=True)) == [1, 2]


def test_the_program_can_switch_the_pulse_off_or_space_it(clock, running, pair):
    running.safety_pulse = False
    running.save()
    clock.move_to(FIRST_DUE)
    assert pulse.safety_pulses_tick().created == 0
    running.safety_pulse, running.safety_pulse_weeks = True, 2
    running.save()
    pulse.safety_pulses_tick()
    # Four weeks since the start at an interval of two: round 2, and no backlog of round 1.
    assert list(SafetyPulse.objects.values_list("round", flat=True)) == [2]


def test_a_pair_ended_before_sending_is_skipped(clock, pair, mailoutbox):
    clock.move_to(FIRST_DUE)
    pulse.safety_pulses_plan()
    Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.ENDED_EARLY)
    pulse.safety_pulses_tick()
    row = SafetyPulse.objects.get()
    assert row.skipped_reason == "pair_not_active" and row.sent_at is None and mailoutbox == []


def _sent_pulse(clock, pair) -> SafetyPulse:
    clock.move_to(FIRST_DUE)
    pulse.safety_pulses_tick()
    return SafetyPulse.objects.get(pair=pair)


def test_the_mentor_answers_through_the_link_and_the_thank_you_page_offers_the_exit(
    clock, client, pair, mailoutbox
):
    _sent_pulse(clock, pair)
    url = pulse_link(sent(mailoutbox, "safety-pulse:")[0])
    page = client.get(url)
    assert "How comfortable are you giving your mentee honest feedback?" in page.content.decode()

    response = client.post(url, {"score": "4", "note": "Going well."})
    assert response.status_code == 302
    row = SafetyPulse.objects.get()
    assert (row.score, row.note, row.alert) == (4, "Going well.", "")
    done = client.get(url).content.decode()
    assert "Thank you" in done
    assert reverse("pairing:exit_request", args=[pair.pk]) in done


def test_a_low_score_alerts_each_hr_admin_once_naming_the_pair_but_not_the_note(
    clock, pair, hr_admin, mailoutbox
):
    row = _sent_pulse(clock, pair)
    pulse.safety_pulse_answer(pulse=row, score=2, note="He dismisses everything I say.")
    pulse.safety_pulses_tick()  # a later tick delivers nothing twice

    row.refresh_from_db()
    assert row.alert == "low"
    alerts = sent(mailoutbox, "safety-pulse-alert:")
    assert len(alerts) == 1 and alerts[0].to == [hr_admin.email]
    assert "Aisha Rahman" in alerts[0].body and "Robert Whitfield" in alerts[0].body
    assert all("dismisses" not in m.body for m in mailoutbox)
    assert not any(m.to == [pair.mentee.user.email] for m in mailoutbox)


def test_a_drop_of_two_points_alerts_hr_even_above_the_low_mark(clock, pair, hr_admin, mailoutbox):
    first = _sent_pulse(clock, pair)
    pulse.safety_pulse_answer(pulse=first, score=5)
    clock.move_to(FIRST_DUE + dt.timedelta(weeks=4))
    pulse.safety_pulses_tick()
    second = SafetyPulse.objects.get(round=2)
    pulse.safety_pulse_answer(pulse=second, score=3)
    pulse.safety_pulses_tick()  # delivers the alert (a worker does it on commit outside tests)
    second.refresh_from_db()
    assert second.alert == "drop"
    assert len(sent(mailoutbox, "safety-pulse-alert:")) == 1


def test_a_pulse_is_answered_once_and_not_after_it_closed(clock, pair):
    row = _sent_pulse(clock, pair)
    with pytest.raises(ValidationError):
        pulse.safety_pulse_answer(pulse=row, score=6)
    pulse.safety_pulse_answer(pulse=row, score=3)
    with pytest.raises(pulse.AlreadyAnswered):
        pulse.safety_pulse_answer(pulse=row, score=1)
    assert SafetyPulse.objects.get().score == 3

    clock.move_to(FIRST_DUE + dt.timedelta(weeks=4))
    pulse.safety_pulses_tick()
    later = SafetyPulse.objects.get(round=2)
    clock.move_to(later.expires_at)
    with pytest.raises(ValidationError) as error:
        pulse.safety_pulse_answer(pulse=later, score=2)
    assert error.value.code == "expired"
    assert SafetyPulse.objects.get(round=2).score is None


def test_only_the_mentor_can_open_the_signed_in_page(clock, client, pair, hr_admin, lead):
    row = _sent_pulse(clock, pair)
    url = reverse("surveys:pulse_answer", args=[row.pk])
    for other in (pair.mentee.user, hr_admin, lead, UserFactory()):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"score": "1"}).status_code == 404
    assert SafetyPulse.objects.get().score is None
    client.force_login(pair.mentor.user)
    assert client.post(url, {"score": "5"}).status_code == 302
    assert SafetyPulse.objects.get().score == 5
    assert client.put(url).status_code == 405


def test_my_surveys_lists_the_open_pulse_for_the_mentor_only(clock, client, pair):
    _sent_pulse(clock, pair)
    client.force_login(pair.mentor.user)
    assert "A private question, just for you" in client.get(reverse("surveys:mine")).content.decode()
    client.force_login(pair.mentee.user)
    assert "A private question" not in client.get(reverse("surveys:mine")).content.decode()


def test_a_forged_link_opens_nothing(client, db):
    response = client.get(reverse("surveys:pulse_token", args=["forged-token-0123456789abcdef"]))
    assert response.status_code == 404


def test_the_pulse_round_is_counted_from_the_pairs_start(db):
    start = builders.at(2026, 1, 5, 9)
    assert pulse.round_due(activated_at=start, now=start + dt.timedelta(weeks=4, seconds=-1), weeks=4) == 0
    assert pulse.round_due(activated_at=start, now=start + dt.timedelta(weeks=4), weeks=4) == 1
    assert pulse.round_due(activated_at=start, now=start + dt.timedelta(weeks=9), weeks=4) == 2


def test_hr_switches_the_pulse_and_the_reverse_back_questions_in_the_browser(client, hr_admin, running):
    client.force_login(hr_admin)
    url = reverse("programs:edit", args=[running.pk, "surveys"])
    assert "pulse every (weeks)" in client.get(url).content.decode().lower()
    data = {"reminder_first_hours": 24, "reminder_second_hours": 1, "survey_after_session": "on",
            "survey_delay_hours": 2, "survey_mid_program": "on", "survey_end_program": "on",
            "survey_expiry_days": 14, "retention_days": 730, "safety_pulse_weeks": 13}
    assert client.post(url, data).status_code == 200  # the form again, with the error
    running.refresh_from_db()
    assert running.safety_pulse_weeks == 4  # 13 is refused: at most every 12 weeks
    response = client.post(url, {**data, "safety_pulse_weeks": 2})
    assert response.status_code == 302
    running.refresh_from_db()
    switches = (running.safety_pulse, running.safety_pulse_weeks, running.reverse_back_questions)
    assert switches == (False, 2, False)
    page = client.get(reverse("programs:detail", args=[running.pk])).content.decode()
    assert reverse("evaluation:pulse", args=[running.pk]) in page
