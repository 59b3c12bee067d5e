"""Each person reads a booking's e-mail and calendar invitation in their own language, whoever booked it
and whatever language the booker's page or the worker was in (real locmem backend, ICS parsed back)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from meetings import notices, services
from meetings.ics import meeting_url
from notifications import outbox
from tests.meetings.conftest import NEW_YORK, at

pytestmark = pytest.mark.usefixtures("now")
THURSDAY = date(2027, 3, 4)


def german(msgid: str) -> str:
    with translation.override("de"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no German for {msgid!r}: is locale/de/LC_MESSAGES/django.po compiled?"
    return text


def event_of(message):
    (name, content, _mimetype), = message.attachments
    assert name == "invite.ics"
    event, = Calendar.from_ical(content).walk("VEVENT")
    return event


@pytest.mark.parametrize("worker_language", ["de", "en"])
def test_a_german_booker_s_booking_reaches_each_person_in_their_own_language(availability, worker_language):
    pair = availability
    aisha, robert = pair.mentor.user, pair.mentee.user
    aisha.language, robert.language = "de", "en"
    aisha.save(update_fields=["language"])
    robert.save(update_fields=["language"])
    start = at(THURSDAY, 9, 0, NEW_YORK)  # 15:00 in Berlin

    with translation.override("de"):  # Aisha books from her German page
        meeting = services.meeting_book(pair=pair, booker=aisha, starts_at=start,
                                        ends_at=start + timedelta(minutes=45), mode="video",
                                        video_link="https://meet.example.com/flipside-1")
    mail.outbox.clear()
    with translation.override(worker_language):  # whatever language the worker happens to be in
        assert outbox.deliver_due(only_kinds=[notices.KIND]).sent == 2

    to_aisha = next(m for m in mail.outbox if m.to == [aisha.email])
    to_robert = next(m for m in mail.outbox if m.to == [robert.email])
    url = meeting_url(meeting)

    # Aisha: German words, German dates ("Do., 4. März 2027"), German calendar text.
    subject = german("Session with %(name)s confirmed") % {"name": "Robert Whitfield"}
    assert to_aisha.subject.startswith(subject)
    assert "Do., 4. März 2027, 15:00–15:45" in to_aisha.subject
    assert german("Hello %(name)s,") % {"name": "Aisha"} in to_aisha.body
    assert german("You booked a mentoring session:") in to_aisha.body
    assert german("%(mine)s your time · %(theirs)s for %(name)s (%(city)s)") % {
        "mine": "Do., 4. März 2027, 15:00–15:45", "theirs": "09:00–09:45", "name": "Robert",
        "city": "New York"} in to_aisha.body
    html, _mimetype = to_aisha.alternatives[0]
    assert '<html lang="de">' in html and german("Open the session") in html
    event = event_of(to_aisha)
    assert str(event["DESCRIPTION"]) == german("Reverse mentoring session. Details: %(url)s") % {"url": url}

    # Robert: the same booking, in English.
    assert to_robert.subject == ("Session with Aisha Rahman confirmed: "
                                 "Thu 4 Mar 2027, 09:00–09:45 your time · 15:00–15:45 for Aisha (Berlin)")
    assert "Hello Robert," in to_robert.body
    assert "Aisha Rahman booked a mentoring session with you:" in to_robert.body
    assert "Do." not in to_robert.body and "März" not in to_robert.body
    html, _mimetype = to_robert.alternatives[0]
    assert '<html lang="en">' in html and "Open the session" in html
    assert str(event_of(to_robert)["DESCRIPTION"]) == f"Reverse mentoring session. Details: {url}"


def test_someone_without_a_choice_gets_the_site_language(availability, settings):
    pair = availability
    aisha, robert = pair.mentor.user, pair.mentee.user
    robert.language = "de"
    robert.save(update_fields=["language"])
    start = at(THURSDAY, 9, 0, NEW_YORK)
    with translation.override("de"):
        services.meeting_book(pair=pair, booker=robert, starts_at=start,
                              ends_at=start + timedelta(minutes=45), mode="video",
                              video_link="https://meet.example.com/flipside-1")
    mail.outbox.clear()
    outbox.deliver_due(only_kinds=[notices.KIND])
    to_aisha = next(m for m in mail.outbox if m.to == [aisha.email])
    assert settings.LANGUAGE_CODE == "en" and aisha.language == ""
    assert to_aisha.subject.startswith("Session with Robert Whitfield confirmed: Thu 4 Mar 2027")


@pytest.mark.parametrize("worker_language", ["de", "en"])
def test_chat_messages_reach_each_person_in_their_own_language(availability, worker_language, chat_server,
                                                              hr_admin):
    from notifications.services import channel_preferences_update, chat_settings_update
    from tests.chat_server import SLACK_POST, SLACK_TOKEN

    chat_settings_update(actor=hr_admin, provider="slack", secret=SLACK_TOKEN)
    pair = availability
    aisha, robert = pair.mentor.user, pair.mentee.user
    aisha.language, robert.language = "de", "en"
    for person in (aisha, robert):
        person.save(update_fields=["language"])
        channel_preferences_update(user=person, choices={"reminders": "chat", "surveys": "email",
                                                         "nudges": "email", "other": "email"})
    start = at(THURSDAY, 9, 0, NEW_YORK)
    with translation.override("en"):  # Robert books from his English page
        services.meeting_book(pair=pair, booker=robert, starts_at=start,
                              ends_at=start + timedelta(minutes=45), mode="video",
                              video_link="https://meet.example.com/flipside-1")
    mail.outbox.clear()
    with translation.override(worker_language):
        assert outbox.deliver_due(only_kinds=[notices.KIND]).sent == 2

    posts = {post["channel"]: post for post in chat_server.bodies(SLACK_POST)}
    to_aisha = posts["U" + aisha.email.split("@")[0].upper().replace(".", "")]
    to_robert = posts["U" + robert.email.split("@")[0].upper().replace(".", "")]
    german_title = german("Session with %(name)s confirmed") % {"name": "Robert Whitfield"}
    assert to_aisha["text"].startswith(german_title)
    assert "Do., 4. März 2027, 15:00–15:45" in to_aisha["text"]
    assert to_robert["text"].startswith("Session with Aisha Rahman confirmed: Thu 4 Mar 2027, 09:00–09:45")
    assert "März" not in str(to_robert) and "Session with" not in str(to_aisha)
    assert not mail.outbox  # chat only, as both chose
