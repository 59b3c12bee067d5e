"""The two-way session log: both people add to one log, each in their own direction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import ActionItem, GoalProgress, PrivateReflection, SessionLog
from tests.factories import MeetingFactory, TopicFactory, UserFactory
from tests.meetings.conftest import NOW, at

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def held(pair, time_machine):
    """A confirmed session that took place yesterday."""
    meeting = MeetingFactory(pair=pair, starts_at=at(date(2027, 3, 2), 14))
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    return meeting


def test_both_sides_add_to_the_same_log_in_their_own_direction(pair, held):
    cloud, ai, negotiation = (TopicFactory(name=n) for n in ("Cloud", "AI", "Negotiation"))
    services.session_log_save(meeting=held, author=pair.mentor.user, topics=[cloud, ai],
                              shared_summary="We set up a sandbox.", summary_revision=0,
                              reflection="Aisha's own thoughts")
    services.session_log_save(meeting=held, author=pair.mentee.user, topics=[negotiation],
                              shared_summary="We set up a sandbox. Next: pricing talks.", summary_revision=1,
                              reflection="Robert's own thoughts")

    log = SessionLog.objects.get()
    assert set(log.topics_by_mentor.values_list("name", flat=True)) == {"Cloud", "AI"}
    assert list(log.topics_by_mentee.values_list("name", flat=True)) == ["Negotiation"]
    assert log.shared_summary == "We set up a sandbox. Next: pricing talks."
    assert (log.updated_by, log.summary_revision) == (pair.mentee.user, 2)
    assert dict(log.reflections.values_list("author", "text")) == {
        pair.mentor.user.pk: "Aisha's own thoughts", pair.mentee.user.pk: "Robert's own thoughts"}
    held.refresh_from_db()
    assert held.status == "held"
    assert held.events.filter(kind="held").count() == 1  # marked once, by the first to log


def test_saving_again_updates_rather_than_duplicates(pair, held):
    for text in ("first", "second"):
        services.session_log_save(meeting=held, author=pair.mentor.user, reflection=text,
                                  goal_note=f"note {text}", goal_rating=2)
    assert PrivateReflection.objects.get().text == "second"
    assert GoalProgress.objects.get().note == "note second"


def test_an_empty_reflection_deletes_your_own_and_only_yours(pair, held):
    services.session_log_save(meeting=held, author=pair.mentor.user, reflection="mine")
    services.session_log_save(meeting=held, author=pair.mentee.user, reflection="his")
    services.session_log_save(meeting=held, author=pair.mentor.user, reflection="  ")
    assert list(PrivateReflection.objects.values_list("text", flat=True)) == ["his"]


def test_a_stale_summary_edit_is_refused_and_nothing_else_is_saved(pair, held):
    services.session_log_save(meeting=held, author=pair.mentee.user, shared_summary="Robert's",
                              summary_revision=0)
    with pytest.raises(services.SummaryConflict) as excinfo:
        services.session_log_save(meeting=held, author=pair.mentor.user, shared_summary="Aisha's",
                                  summary_revision=0, reflection="lost?")
    assert "Robert changed the shared summary" in excinfo.value.messages[0]
    assert (excinfo.value.summary, excinfo.value.revision) == ("Robert's", 1)
    assert SessionLog.objects.get().shared_summary == "Robert's"
    assert not PrivateReflection.objects.filter(author=pair.mentor.user).exists()


def test_an_unchanged_summary_never_conflicts(pair, held):
    services.session_log_save(meeting=held, author=pair.mentee.user, shared_summary="Same",
                              summary_revision=0)
    services.session_log_save(meeting=held, author=pair.mentor.user, shared_summary="Same",
                              summary_revision=0, reflection="ok")
    assert PrivateReflection.objects.filter(author=pair.mentor.user).exists()


def test_action_items_belong_to_one_of_the_two(pair, held, outsider):
    services.session_log_save(meeting=held, author=pair.mentor.user, action_items=[
        ("Share the slides", pair.mentor.user, date(2027, 3, 10)), ("Try the tool", pair.mentee.user, None)])
    assert ActionItem.objects.filter(pair=pair, log__meeting=held).count() == 2
    with pytest.raises(ValidationError) as excinfo:
        services.session_log_save(meeting=held, author=pair.mentor.user,
                                  action_items=[("Ask HR", outsider, None)])
    assert "belongs to one of you two" in excinfo.value.messages[0]


def test_goal_ratings_stay_between_1_and_5(pair, held):
    with pytest.raises(ValidationError):
        services.session_log_save(meeting=held, author=pair.mentor.user, goal_note="x", goal_rating=6)


@pytest.mark.parametrize("status", ["proposed", "cancelled", "no_show"])
def test_only_sessions_that_happened_can_be_logged(pair, held, status):
    held.status = status
    held.save()
    with pytest.raises(ValidationError, match="Only a session that was held"):
        services.session_log_save(meeting=held, author=pair.mentor.user, reflection="x")
    assert not SessionLog.objects.exists()


def test_a_future_session_cannot_be_logged(pair):
    meeting = MeetingFactory(pair=pair, starts_at=NOW + timedelta(days=1))
    with pytest.raises(ValidationError, match="once it has started"):
        services.session_log_save(meeting=meeting, author=pair.mentor.user, reflection="x")


def test_strangers_cannot_write_to_a_log(pair, held):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.session_log_save(meeting=held, author=UserFactory(), shared_summary="hi")


def test_a_completed_pair_can_still_log_its_last_session(pair, held):
    pair.status = "completed"
    pair.save()
    services.session_log_save(meeting=held, author=pair.mentee.user, shared_summary="Wrap-up",
                              summary_revision=0)
    assert SessionLog.objects.get().shared_summary == "Wrap-up"
