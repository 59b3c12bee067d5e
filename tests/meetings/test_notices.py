"""Calendar e-mails: the outbox rows, claiming, ICS contents (parsed back with icalendar)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from icalendar import Calendar

from meetings import services
from meetings.models import MeetingNotice
from tests.meetings.conftest import at, slot

pytestmark = pytest.mark.usefixtures("now")
THURSDAY = date(2027, 3, 4)


def confirmed(pair, start=None):
    meeting = services.meeting_propose(pair=pair, proposer=pair.mentor.user,
                                       slots_utc=[slot(start or at(THURSDAY, 14))], mode="video",
                                       video_link="https://meet.example.com/flipside-1")
    return services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)


def send_all() -> int:
    return services.meeting_notices_send(
        notice_ids=list(MeetingNotice.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)))


def invite(message) -> tuple[Calendar, object, str]:
    (name, content, mimetype), = message.attachments
    assert name == "invite.ics"
    calendar = Calendar.from_ical(content)
    event, = calendar.walk("VEVENT")
    return calendar, event, mimetype


def test_a_confirmation_emails_both_people_an_invitation_in_utc(pair):
    meeting = confirmed(pair)
    mail.outbox.clear()
    MeetingNotice.objects.filter(kind="proposed").update(sent_at=at(THURSDAY, 0))

    assert send_all() == 2

    assert sorted(m.to[0] for m in mail.outbox) == [pair.mentee.user.email, pair.mentor.user.email]
    for message in mail.outbox:
        calendar, event, mimetype = invite(message)
        assert mimetype.startswith("text/calendar; method=REQUEST")
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(calendar["VERSION"]) == "2.0"
        assert "Flipside" in str(calendar["PRODID"])
        assert str(event["UID"]) == f"{meeting.ics_uid}@flipside"
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == at(THURSDAY, 14)
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event.decoded("DTEND") == at(THURSDAY, 14, 45)
        assert b"DTSTART:20270304T140000Z" in calendar.to_ical()
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["LOCATION"]) == "https://meet.example.com/flipside-1"
        assert {str(a) for a in event["ATTENDEE"]} == {
            f"mailto:{pair.mentor.user.email}", f"mailto:{pair.mentee.user.email}"}
        assert "ORGANIZER" in event and "DTSTAMP" in event
    # Each person reads the time in their own zone (and the other's).
    to_robert = next(m for m in mail.outbox if m.to == [pair.mentee.user.email])
    assert "Thu 4 Mar 2027, 09:00–09:45 your time · 15:00–15:45 for Aisha (Berlin)" in to_robert.body
    assert "Aisha Rahman confirmed" not in to_robert.body  # Robert confirmed it himself
    to_aisha = next(m for m in mail.outbox if m.to == [pair.mentor.user.email])
    assert "Robert Whitfield confirmed your mentoring session" in to_aisha.body
    html, mimetype = to_aisha.alternatives[0]
    assert mimetype == "text/html" and "15:00–15:45 your time" in html


def test_reschedule_and_cancel_keep_the_uid_and_raise_the_sequence(pair):
    meeting = confirmed(pair)
    send_all()
    new_start = at(date(2027, 3, 5), 14)
    services.meeting_reschedule(meeting=meeting, user=pair.mentor.user, starts_at=new_start,
                                ends_at=new_start + timedelta(minutes=45), reason="Offsite")
    send_all()
    services.meeting_cancel(meeting=meeting, user=pair.mentee.user, reason="Sick")
    send_all()

    to_aisha = [m for m in mail.outbox if m.to == [pair.mentor.user.email] and m.attachments]
    parsed = [invite(m) for m in to_aisha]
    assert [str(c["METHOD"]) for c, _e, _m in parsed] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [e["SEQUENCE"] for _c, e, _m in parsed] == [0, 1, 2]
    assert {str(e["UID"]) for _c, e, _m in parsed} == {f"{meeting.ics_uid}@flipside"}
    assert parsed[1][1].decoded("DTSTART") == new_start
    assert str(parsed[2][1]["STATUS"]) == "CANCELLED"
    assert parsed[2][2].startswith("text/calendar; method=CANCEL")
    assert "Offsite" in to_aisha[1].body and "Sick" in to_aisha[2].body
    assert "Session with Robert Whitfield cancelled" in to_aisha[2].subject


def test_a_proposal_emails_the_partner_without_an_invitation(pair):
    services.meeting_propose(pair=pair, proposer=pair.mentor.user, slots_utc=[slot(at(THURSDAY, 14))],
                             mode="in_person", location="Room 4.12")
    send_all()
    message, = mail.outbox
    assert message.to == [pair.mentee.user.email]
    assert message.attachments == []
    assert "Aisha Rahman proposed times" in message.subject
    assert "Thu 4 Mar 2027, 09:00–09:45 your time" in message.body


def test_a_notice_is_sent_once_even_when_two_senders_run(pair):
    confirmed(pair)
    ids = list(MeetingNotice.objects.values_list("pk", flat=True))

    assert services.meeting_notices_send(notice_ids=ids) == 2  # the proposal was superseded
    assert services.meeting_notices_send(notice_ids=ids) == 0
    assert len(mail.outbox) == 2
    assert not MeetingNotice.objects.filter(sent_at__isnull=True).exists()


def test_a_superseded_notice_is_claimed_but_not_sent(pair):
    meeting = confirmed(pair)
    new_start = at(date(2027, 3, 5), 14)
    services.meeting_reschedule(meeting=meeting, user=pair.mentor.user, starts_at=new_start,
                                ends_at=new_start + timedelta(minutes=45), reason="Offsite")
    assert send_all() == 2
    for message in mail.outbox:
        _c, event, _m = invite(message)
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART") == new_start


def test_a_failed_send_releases_the_notice_for_the_next_tick(pair, settings, monkeypatch):
    confirmed(pair)
    from django.core.mail.message import EmailMessage

    def broken(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    assert send_all() == 0
    assert MeetingNotice.objects.filter(kind="request", sent_at__isnull=True).count() == 2
    monkeypatch.undo()
    assert send_all() == 2


def test_the_task_calls_the_service(pair):
    from meetings.tasks import send_meeting_notices

    confirmed(pair)
    ids = list(MeetingNotice.objects.filter(kind="request").values_list("pk", flat=True))
    assert send_meeting_notices.run(ids) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_share_the_notices_without_overlap(pair):
    confirmed(pair)
    confirmed(pair, at(THURSDAY, 16))
    ids = list(MeetingNotice.objects.values_list("pk", flat=True))
    results: list[list[int]] = []
    barrier = threading.Barrier(2)

    def claim():
        try:
            barrier.wait()
            results.append(services._claim(ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results[0] + results[1]) == sorted(ids)
    assert not set(results[0]) & set(results[1])


def test_a_changed_place_updates_the_same_event_and_a_missing_link_reads_as_to_follow(pair):
    meeting = services.meeting_propose(pair=pair, proposer=pair.mentor.user, mode="video", video_link="",
                                       slots_utc=[slot(at(THURSDAY, 14))])
    meeting = services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)
    send_all()
    _c, event, _m = invite(mail.outbox[0])
    assert str(event["LOCATION"]) == "Video call (link to follow)"
    assert "link to follow" in mail.outbox[0].body
    services.meeting_update_place(meeting=meeting, user=pair.mentor.user, mode="video",
                                  video_link="https://meet.example.com/new")
    mail.outbox.clear()
    assert send_all() == 2
    _c, event, _m = invite(mail.outbox[0])
    assert (event["SEQUENCE"], str(event["LOCATION"])) == (1, "https://meet.example.com/new")
    assert str(event["UID"]) == f"{meeting.ics_uid}@flipside"
    assert "new place or link" in mail.outbox[0].subject


def test_a_booking_queues_its_notices_once_it_commits_but_not_inside_notices_not_queued(
    pair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        confirmed(pair)
    per_booking = MeetingNotice.objects.count()
    with django_capture_on_commit_callbacks() as held, services.notices_not_queued():
        confirmed(pair, at(THURSDAY + timedelta(days=7), 14))

    assert len(queued) == 2  # the proposal's notices, then the confirmation's
    assert held == []
    # The rows are written all the same: the demo marks them sent; otherwise a tick sends them.
    assert per_booking > 0 and MeetingNotice.objects.count() == 2 * per_booking
