"""Learning measured both ways: the start self-assessment, and the end survey's reverse-back questions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from pairing.models import LearningInterest, Profile, SkillRating
from programs.models import Direction, Program
from surveys import invitations, learning
from surveys.models import ReturnIntent, SurveyInvitation, SurveyResponse
from tests.surveys import builders
from tests.surveys.conftest import link_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def unrated_pair(running, mentor, mentee):
    """A pair whose people skipped the optional self-assessment on the application form."""
    pair = builders.active_pair(running, mentor, mentee)
    SkillRating.objects.all().delete()
    return pair


def _topics(program, direction):
    return list(program.program_topics.filter(direction=direction).select_related("topic"))


def test_each_side_rates_the_topics_it_came_to_learn(unrated_pair):
    program = unrated_pair.program
    senior = learning.learning_topics(unrated_pair.mentee)
    junior = learning.learning_topics(unrated_pair.mentor)
    assert {t.topic_id for t in senior} == {pt.topic_id for pt in _topics(program, Direction.JUNIOR_TEACHES)}
    assert {t.topic_id for t in junior} == {pt.topic_id for pt in _topics(program, Direction.SENIOR_TEACHES)}


def test_learning_interests_narrow_the_topics_to_rate(unrated_pair):
    wanted = _topics(unrated_pair.program, Direction.JUNIOR_TEACHES)[0]
    profile = Profile.objects.create(user=unrated_pair.mentee.user)
    LearningInterest.objects.create(profile=profile, topic=wanted.topic, priority=1)
    assert [t.topic_id for t in learning.learning_topics(unrated_pair.mentee)] == [wanted.topic_id]


def test_my_surveys_asks_for_the_missing_start_and_the_page_stores_it(client, unrated_pair):
    senior = unrated_pair.mentee
    client.force_login(senior.user)
    url = reverse("surveys:learning_start", args=[senior.pk])
    assert url in client.get(reverse("surveys:mine")).content.decode()

    topics = _topics(unrated_pair.program, Direction.JUNIOR_TEACHES)
    response = client.post(url, {f"learn_{pt.topic_id}": "2" for pt in topics[:2]})

    assert response.status_code == 302
    rows = SkillRating.objects.filter(enrollment=senior, phase="enrolment")
    assert {(r.topic_id, r.direction, r.score) for r in rows} == {
        (pt.topic_id, Direction.JUNIOR_TEACHES, 2) for pt in topics[:2]}
    assert url not in client.get(reverse("surveys:mine")).content.decode()


def test_the_start_page_is_the_persons_own(client, unrated_pair):
    url = reverse("surveys:learning_start", args=[unrated_pair.mentee.pk])
    client.force_login(unrated_pair.mentor.user)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert client.put(url).status_code == 405
    assert not SkillRating.objects.exists()


def test_a_topic_one_does_not_learn_or_a_score_out_of_range_is_refused(unrated_pair):
    taught = _topics(unrated_pair.program, Direction.SENIOR_TEACHES)[0]
    learned = _topics(unrated_pair.program, Direction.JUNIOR_TEACHES)[0]
    with pytest.raises(ValidationError):
        learning.learning_start_save(enrollment=unrated_pair.mentee, scores={taught.topic_id: 3})
    with pytest.raises(ValidationError):
        learning.learning_start_save(enrollment=unrated_pair.mentee, scores={learned.topic_id: 6})
    assert not SkillRating.objects.exists()


def test_the_start_can_no_longer_change_once_the_end_rating_exists(unrated_pair):
    learned = _topics(unrated_pair.program, Direction.JUNIOR_TEACHES)[0]
    SkillRating.objects.create(enrollment=unrated_pair.mentee, topic_id=learned.topic_id,
                               direction=learned.direction, phase="end", score=4)
    with pytest.raises(ValidationError):
        learning.learning_start_save(enrollment=unrated_pair.mentee, scores={learned.topic_id: 1})
    assert not SkillRating.objects.filter(phase="enrolment").exists()


# --- reverse-back -----------------------------------------------------------------------------------


@pytest.fixture
def end_survey(clock, mailoutbox, lead, mentor, mentee):
    program = builders.running_program(
        name="Ending", starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 3, 2), leads=[lead])
    pair = builders.active_pair(program, mentor, mentee)
    invitations.program_surveys_tick()
    tokens = {m.to[0]: link_token(m) for m in mailoutbox}
    return program, pair, tokens


def _end_answers(program, enrollment) -> dict[str, str]:
    data = {}
    for question in program.survey_questions.filter(survey="end_program", required=True):
        if question.kind == "recommendation":
            data[f"q_{question.pk}"] = "9"
        elif question.kind == "rating":
            data[f"q_{question.pk}"] = "4"
        elif question.kind == "choice":
            data[f"q_{question.pk}"] = question.choices[0]
        elif question.kind == "text":
            data[f"q_{question.pk}"] = "Fine."
    for pt in program.program_topics.all():
        data[f"skill_{pt.direction}_{pt.topic_id}"] = "4"
    return data


def test_the_senior_is_asked_whether_they_would_mentor_the_other_way(client, end_survey, mentee, mentor):
    program, _pair, tokens = end_survey
    senior = client.get(reverse("surveys:answer_token", args=[tokens[mentee.email]])).content.decode()
    junior = client.get(reverse("surveys:answer_token", args=[tokens[mentor.email]])).content.decode()
    assert "Would you take part in reverse mentoring again?" in senior
    assert "would you mentor a junior colleague the other way?" in senior
    assert "would you like to be mentored the other way, by a senior colleague?" in junior


def test_the_reverse_back_answers_are_stored_with_the_response(client, end_survey, mentee):
    program, pair, tokens = end_survey
    data = {**_end_answers(program, pair.mentee), "rb_again": "yes", "rb_other_way": "maybe"}
    response = client.post(reverse("surveys:answer_token", args=[tokens[mentee.email]]), data)
    assert response.status_code == 302
    intent = ReturnIntent.objects.get()
    assert (intent.enrollment, intent.program, intent.again, intent.other_way) == (
        pair.mentee, program, "yes", "maybe")
    assert intent.response == SurveyResponse.objects.get()


def test_a_missing_reverse_back_answer_is_asked_for_and_nothing_is_stored(client, end_survey, mentee):
    program, pair, tokens = end_survey
    data = {**_end_answers(program, pair.mentee), "rb_again": "yes"}
    response = client.post(reverse("surveys:answer_token", args=[tokens[mentee.email]]), data)
    assert response.status_code == 200
    assert "Please answer this question." in response.content.decode()
    assert not ReturnIntent.objects.exists() and not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get(recipient=mentee).answered_at is None


def test_a_program_can_leave_the_reverse_back_questions_out(client, end_survey, mentee):
    program, pair, tokens = end_survey
    Program.objects.filter(pk=program.pk).update(reverse_back_questions=False)
    url = reverse("surveys:answer_token", args=[tokens[mentee.email]])
    assert "take part in reverse mentoring again" not in client.get(url).content.decode()
    assert client.post(url, _end_answers(program, pair.mentee)).status_code == 302
    assert SurveyResponse.objects.count() == 1 and not ReturnIntent.objects.exists()
