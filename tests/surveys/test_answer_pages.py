from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Meeting
from pairing.models import SkillRating
from surveys import invitations, services
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.surveys import builders
from tests.surveys.conftest import START, link_token

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
FIT = "How well does your pairing fit what you hoped to learn?"


@pytest.fixture
def invited(clock, pair, mailoutbox, mentor):
    """The mentor's invitation after the pair's first held session, and its link's token."""
    builders.session(pair, START - dt.timedelta(minutes=45), status=Meeting.Status.HELD)
    clock.move_to(START + 2 * H)
    invitations.session_surveys_tick()
    message = next(m for m in mailoutbox if m.to == [mentor.email])
    return SurveyInvitation.objects.get(recipient=mentor), link_token(message)


def _fields(invitation) -> dict[str, int]:
    return {q.text: q.pk for q in invitation.program.survey_questions.filter(survey=invitation.kind)}


def _good_answers(invitation) -> dict[str, str]:
    fields = _fields(invitation)
    return {
        f"q_{fields['How useful was this session for you?']}": "5",
        f"q_{fields['What did you learn, or what did you share?']}": "How to prompt an AI assistant.",
        f"q_{fields[FIT]}": "4",
    }


def test_the_link_opens_the_survey_without_signing_in(client, invited):
    invitation, token = invited

    response = client.get(reverse("surveys:answer_token", args=[token]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<fieldset" in html and "<legend" in html
    assert "How useful was this session for you?" in html and FIT in html
    assert 'type="radio"' in html


def test_answering_through_the_link_stores_the_answers_once(client, invited):
    invitation, token = invited
    url = reverse("surveys:answer_token", args=[token])

    response = client.post(url, _good_answers(invitation))

    assert response.status_code == 302 and response.url == url
    invitation.refresh_from_db()
    assert invitation.answered_at == START + 2 * H
    answers = {
        a.question_text: (a.number, a.text)
        for a in SurveyAnswer.objects.filter(response__invitation=invitation)
    }
    assert answers == {
        "How useful was this session for you?": (5, ""),
        "What did you learn, or what did you share?": (None, "How to prompt an AI assistant."),
        FIT: (4, ""),
    }
    page = client.get(url)
    assert "Thanks, already answered" in page.content.decode()


def test_a_second_submit_stores_nothing_and_shows_the_thanks(client, invited):
    invitation, token = invited
    url = reverse("surveys:answer_token", args=[token])
    client.post(url, _good_answers(invitation))

    again = client.post(url, {**_good_answers(invitation), f"q_{_fields(invitation)[FIT]}": "1"}, follow=True)

    assert "Thanks, already answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.get(question_text=FIT).number == 4


@pytest.mark.parametrize(
    "value,message",
    [
        ("", "Please answer this question."),
        ("7", "Pick a number from 1 to 5."),
        ("abc", "Pick a number from 1 to 5."),
        ("-1", "Pick a number from 1 to 5."),
    ],
)
def test_a_bad_rating_is_shown_next_to_the_question_and_nothing_is_stored(client, invited, value, message):
    invitation, token = invited
    data = _good_answers(invitation)
    data[f"q_{_fields(invitation)['How useful was this session for you?']}"] = value

    response = client.post(reverse("surveys:answer_token", args=[token]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Please correct the highlighted fields." in response.content.decode()
    assert SurveyResponse.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_a_text_answer_that_is_too_long_is_refused_with_a_message(client, invited):
    invitation, token = invited
    data = _good_answers(invitation)
    data[f"q_{_fields(invitation)['What did you learn, or what did you share?']}"] = "x" * 2001

    response = client.post(reverse("surveys:answer_token", args=[token]), data)

    assert "Keep it under 2000 characters." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_an_optional_text_may_stay_empty(client, invited):
    invitation, token = invited
    data = _good_answers(invitation)
    data[f"q_{_fields(invitation)['What did you learn, or what did you share?']}"] = "   "

    client.post(reverse("surveys:answer_token", args=[token]), data)

    assert SurveyAnswer.objects.filter(response__invitation=invitation).count() == 2


def test_a_survey_answered_after_expiry_shows_that_it_closed_and_stores_nothing(clock, client, invited):
    invitation, token = invited
    url = reverse("surveys:answer_token", args=[token])
    assert client.get(url).status_code == 200  # opened while still open ...
    clock.move_to(invitation.expires_at)  # ... and sent exactly when it closed

    response = client.post(url, _good_answers(invitation))

    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert SurveyResponse.objects.count() == 0
    assert client.get(url).status_code == 410


def test_a_second_before_expiry_the_answers_are_still_taken(clock, client, invited):
    invitation, token = invited
    clock.move_to(invitation.expires_at - dt.timedelta(seconds=1))

    client.post(reverse("surveys:answer_token", args=[token]), _good_answers(invitation))

    assert SurveyResponse.objects.count() == 1


def test_the_service_refuses_an_expired_invitation_even_without_the_page(clock, invited):
    invitation, _token = invited
    clock.move_to(invitation.expires_at + H)

    with pytest.raises(services.ValidationError) as error:
        services.survey_response_submit(invitation=invitation, answers={})

    assert error.value.code == "expired"


@pytest.mark.parametrize("token", ["x" * 43, "not-a-token-but-long-enough-1234", "A" * 100])
def test_an_unknown_link_shows_a_clear_message(client, invited, token):
    response = client.get(reverse("surveys:answer_token", args=[token]))

    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_a_link_to_an_unsent_invitation_does_not_open_it(client, invited):
    invitation, token = invited
    SurveyInvitation.objects.filter(pk=invitation.pk).update(sent_at=None)

    assert client.get(reverse("surveys:answer_token", args=[token])).status_code == 404


def test_the_link_page_only_takes_get_and_post(client, invited):
    _invitation, token = invited

    assert client.put(reverse("surveys:answer_token", args=[token])).status_code == 405


# --- signed in ----------------------------------------------------------------------------------


def test_the_recipient_can_answer_signed_in(client, invited, mentor):
    invitation, _token = invited
    client.force_login(mentor)
    url = reverse("surveys:answer", args=[invitation.pk])

    response = client.post(url, _good_answers(invitation))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert "Thanks, already answered" in client.get(url).content.decode()


def test_someone_elses_invitation_is_not_found(client, invited, mentee, outsider):
    invitation, _token = invited
    for person in (mentee, outsider):
        client.force_login(person)
        assert client.get(reverse("surveys:answer", args=[invitation.pk])).status_code == 404
        assert (
            client.post(
                reverse("surveys:answer", args=[invitation.pk]), _good_answers(invitation)
            ).status_code
            == 404
        )
    assert SurveyResponse.objects.count() == 0


def test_the_signed_in_page_needs_signing_in_and_takes_only_get_and_post(client, invited, mentor):
    invitation, _token = invited
    url = reverse("surveys:answer", args=[invitation.pk])

    assert client.get(url).status_code == 302
    client.force_login(mentor)
    assert client.delete(url).status_code == 405


def test_my_surveys_lists_open_answered_and_closed_ones(clock, client, invited, pair, mentor):
    invitation, _token = invited
    later = builders.session(pair, START + 24 * H, status=Meeting.Status.HELD)
    clock.move_to(START + 30 * H)
    invitations.session_surveys_tick()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=START + 3 * H)
    client.force_login(mentor)

    html = client.get(reverse("surveys:mine")).content.decode()

    newer = SurveyInvitation.objects.get(recipient=mentor, meeting=later)
    assert reverse("surveys:answer", args=[newer.pk]) in html
    assert reverse("surveys:answer", args=[invitation.pk]) not in html
    assert "Answered" in html
    assert client.post(reverse("surveys:mine")).status_code == 405


def test_my_surveys_shows_nobody_elses(client, invited, outsider):
    client.force_login(outsider)

    html = client.get(reverse("surveys:mine")).content.decode()

    assert "Nothing to answer right now" in html


# --- the end-of-program survey and its skill self-assessment ----------------------------------------


@pytest.fixture
def end_invited(clock, mailoutbox, lead, mentor, mentee):
    program = builders.running_program(
        name="Ending", starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 3, 2), leads=[lead]
    )
    pair = builders.active_pair(program, mentor, mentee)
    invitations.program_surveys_tick()
    message = next(m for m in mailoutbox if m.to == [mentee.email])
    return SurveyInvitation.objects.get(recipient=mentee, kind="end_program"), link_token(message), pair


def test_the_end_survey_asks_for_skills_in_both_directions_next_to_the_enrolment_ratings(client, end_invited):
    invitation, token, _pair = end_invited

    html = client.get(reverse("surveys:answer_token", args=[token])).content.decode()

    assert "Topics you came to learn" in html and "Topics you taught" in html
    assert "At enrolment you said 2." in html
    topics = invitation.program.program_topics.count()
    assert html.count('name="skill_') >= topics * 5  # five radios for every topic


def test_the_end_survey_stores_the_self_assessment_as_end_skill_ratings(client, end_invited):
    invitation, token, pair = end_invited
    fields = _fields(invitation)
    data = {f"q_{fields['How likely are you to recommend this program to a colleague?']}": "9"}
    topics = list(invitation.program.program_topics.all())
    for pt in topics:
        data[f"skill_{pt.direction}_{pt.topic_id}"] = "4"
    data.update(rb_again="yes", rb_other_way="maybe")  # the reverse-back questions (surveys.learning)

    response = client.post(reverse("surveys:answer_token", args=[token]), data)

    assert response.status_code == 302
    ratings = SkillRating.objects.filter(enrollment=pair.mentee, phase="end")
    assert ratings.count() == len(topics)
    assert set(ratings.values_list("score", flat=True)) == {4}
    assert SurveyAnswer.objects.get(kind="recommendation").number == 9


def test_a_missing_skill_rating_is_asked_for_and_nothing_is_stored(client, end_invited):
    invitation, token, pair = end_invited
    fields = _fields(invitation)
    data = {f"q_{fields['How likely are you to recommend this program to a colleague?']}": "11"}

    response = client.post(reverse("surveys:answer_token", args=[token]), data)

    html = response.content.decode()
    assert "Pick a number from 0 to 10." in html and "Please answer this question." in html
    assert not SkillRating.objects.filter(enrollment=pair.mentee, phase="end").exists()


def test_an_absurd_invitation_number_is_not_found_rather_than_an_error(client, mentor):
    client.force_login(mentor)

    assert client.get("/surveys/invitation/99999999999999999999999/").status_code == 404
