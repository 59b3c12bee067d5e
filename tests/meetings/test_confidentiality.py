"""A private reflection is readable by its author alone.

A marker written in a private reflection must appear on the author's own log page and nowhere
else: not to the partner, HR, program leads, the Django admin, the calendar feed, any e-mail or
the application log. The same holds for a reflection on a circle session's notes: not the circle's
other members either.
"""

from __future__ import annotations

import itertools
import logging
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from circles import services as circle_services
from circles.models import CircleReflection
from meetings import selectors, services
from meetings.models import PrivateReflection, SessionLog
from notifications import outbox
from tests.factories import MeetingFactory, MenteeEnrollmentFactory, UserFactory
from tests.meetings.conftest import NOW, at, slot

MARKER = "ZEBRA-7f3a-PRIVATE-MARKER"
pytestmark = pytest.mark.usefixtures("now")


def _patterns(resolver: URLResolver, namespace: str = ""):
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            if item.namespace in (None, "admin") or item.app_name == "admin":
                continue
            yield from _patterns(item, f"{namespace}{item.namespace}:")
        elif isinstance(item, URLPattern) and item.name and namespace:
            yield f"{namespace}{item.name}", item.pattern.converters


def every_page(ids: list[int]) -> list[str]:
    """Every GET-able page of the project apps, with each candidate id in each int parameter."""
    urls = {reverse("home")}
    for name, converters in _patterns(get_resolver()):
        if any(type(c).__name__ != "IntConverter" for c in converters.values()):
            continue  # slugs and tokens: the feed is checked on its own below
        for values in itertools.product(ids, repeat=len(converters)):
            try:
                urls.add(reverse(name, kwargs=dict(zip(converters, values, strict=True))))
            except NoReverseMatch:
                continue
    return sorted(urls)


def assert_marker_absent(client, user, urls):
    client.force_login(user)
    for url in urls:
        response = client.get(url)
        assert MARKER not in response.content.decode(errors="replace"), f"{url} shows the marker to {user}"


@pytest.fixture
def scene(client, pair, hr_admin, lead, time_machine, caplog):
    """Aisha logs a held session with a private reflection through the page, then more happens."""
    caplog.set_level(logging.DEBUG)
    meeting = services.meeting_propose(pair=pair, proposer=pair.mentor.user,
                                       slots_utc=[slot(at(date(2027, 3, 2), 14))], mode="video",
                                       video_link="https://meet.example.com/x")
    services.meeting_confirm(meeting=meeting, user=pair.mentee.user, slot_id=meeting.slots.get().pk)
    # Aisha also hosts a learning circle Robert is in, with a session the same week.
    circle = circle_services.circle_create(
        program=pair.program, by=hr_admin, name="AI circle", kind="learning", hosts=[pair.mentor],
        members=[pair.mentee, MenteeEnrollmentFactory(program=pair.program)])
    circle_session = circle_services.session_book(
        circle=circle, booker=pair.mentor.user, starts_at=at(date(2027, 3, 2), 10),
        ends_at=at(date(2027, 3, 2), 11), places=2, mode="video", video_link="https://meet.example.com/c")
    circle_services.rsvp_set(session=circle_session, user=pair.mentee.user, answer="yes")
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    client.force_login(pair.mentor.user)
    response = client.post(reverse("meetings:log", args=[meeting.pk]), {
        "summary_revision": "0", "shared_summary": "We covered cloud basics.",
        "reflection": f"I felt nervous. {MARKER}", "goal_note": "", "action_0_text": "",
        "action_1_text": ""})
    assert response.status_code == 302
    response = client.post(reverse("circles:notes", args=[circle_session.pk]), {
        "summary_revision": "0", "shared_summary": "Prompting basics.", "reflection": f"Circle: {MARKER}",
        "action_owner": "", "action_text": ""})
    assert response.status_code == 302
    circle_services.circle_note_save(session=circle_session, author=pair.mentee.user, reflection="Own")
    services.session_log_save(meeting=meeting, author=pair.mentee.user, reflection="Robert's own note")
    # Later changes send more e-mails (after the reflection exists).
    later = services.meeting_propose(pair=pair, proposer=pair.mentee.user,
                                     slots_utc=[slot(at(date(2027, 3, 10), 14))], mode="video",
                                     video_link="https://meet.example.com/x")
    services.meeting_confirm(meeting=later, user=pair.mentor.user, slot_id=later.slots.get().pk)
    services.meeting_cancel(meeting=later, user=pair.mentor.user, reason="Conflict")
    outbox.deliver_due()
    circle_services.session_cancel(session=circle_services.session_book(
        circle=circle, booker=pair.mentor.user, starts_at=at(date(2027, 3, 9), 10),
        ends_at=at(date(2027, 3, 9), 11), places=2), user=pair.mentor.user, reason="Offsite")
    outbox.deliver_due()
    pair.program.leads_can_read_summaries = True
    pair.program.save()
    meeting.circle, meeting.circle_session = circle, circle_session
    return meeting


def test_the_author_sees_their_own_reflection(client, pair, scene):
    client.force_login(pair.mentor.user)
    assert MARKER in client.get(reverse("meetings:log", args=[scene.pk])).content.decode()
    assert PrivateReflection.objects.filter(text__contains=MARKER, author=pair.mentor.user).count() == 1
    assert MARKER in client.get(reverse("circles:notes", args=[scene.circle_session.pk])).content.decode()
    assert CircleReflection.objects.filter(text__contains=MARKER, author=pair.mentor.user).count() == 1


def test_the_partner_never_sees_it(client, pair, scene):
    robert = pair.mentee.user
    client.force_login(robert)
    log_page = client.get(reverse("meetings:log", args=[scene.pk])).content.decode()
    assert "We covered cloud basics." in log_page  # the shared summary is shared
    assert "Robert&#x27;s own note" in log_page  # and Robert sees his own
    circle_notes = client.get(reverse("circles:notes", args=[scene.circle_session.pk])).content.decode()
    assert "Prompting basics." in circle_notes and "Own" in circle_notes  # shared, and his own
    assert_marker_absent(client, robert, every_page([pair.pk, scene.pk, pair.program.pk, pair.mentee.pk,
                                                     scene.circle.pk, scene.circle_session.pk]))


def test_hr_admins_and_leads_never_see_it(client, pair, scene, hr_admin, lead):
    log = SessionLog.objects.get()
    ids = sorted({pair.pk, scene.pk, pair.program.pk, pair.mentor.pk, pair.mentee.pk, log.pk,
                  pair.mentor.user.pk, pair.mentee.user.pk, scene.circle.pk, scene.circle_session.pk})
    urls = every_page(ids)
    assert len(urls) > 20
    assert_marker_absent(client, hr_admin, urls)
    assert_marker_absent(client, lead, urls)
    # Leads' own read of summaries (for the evaluation dashboards) carries no reflections either.
    summaries = selectors.shared_summaries_for_lead(lead, pair.program)
    assert summaries and all(MARKER not in s.shared_summary for s in summaries)


def test_the_django_admin_never_shows_it(client, scene):
    superuser = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    urls = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model._meta.app_label in ("meetings", "circles"):
            for obj in model.objects.all()[:5]:
                urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
                urls.append(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        assert MARKER not in response.content.decode(), url
    reflection = PrivateReflection.objects.get(author__email="mentor@example.com")
    page = client.get(reverse("admin:meetings_privatereflection_change", args=[reflection.pk]))
    assert page.status_code == 200 and MARKER not in page.content.decode()


def test_the_calendar_feed_emails_and_logs_never_carry_it(client, pair, scene, caplog):
    for user in (pair.mentor.user, pair.mentee.user):
        assert MARKER.encode() not in client.get(selectors.feed_path(user)).content
    assert len(mail.outbox) >= 4
    for message in mail.outbox:
        assert MARKER not in message.subject + message.body
        assert all(MARKER not in body for body, _type in message.alternatives)
        assert all(MARKER.encode() not in (content if isinstance(content, bytes) else content.encode())
                   for _name, content, _type in message.attachments)
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert any(r.name == "meetings.services" for r in records), "the services do log"
    for record in records:
        assert MARKER not in record.getMessage()
        assert MARKER not in str(record.exc_info or "")


def test_string_forms_of_log_objects_carry_no_content(pair, scene):
    reflection = PrivateReflection.objects.get(author=pair.mentor.user)
    assert MARKER not in str(reflection) and MARKER not in repr(reflection)
    circle_reflection = CircleReflection.objects.get(author=pair.mentor.user)
    assert MARKER not in str(circle_reflection) and MARKER not in repr(circle_reflection)
    assert "cloud basics" not in str(SessionLog.objects.get())


def test_the_check_itself_would_catch_a_leak(client, pair):
    meeting = MeetingFactory(pair=pair, status="held", starts_at=NOW - timedelta(days=1))
    SessionLog.objects.create(meeting=meeting, shared_summary=MARKER)  # shared on purpose
    with pytest.raises(AssertionError):
        assert_marker_absent(client, pair.mentee.user, [reverse("meetings:log", args=[meeting.pk])])


# --- the junior mentor's private pulse (issue 18 item 4): its note reaches HR alone -----------------

PULSE_MARKER = "OTTER-91c2-PULSE-NOTE-MARKER"


@pytest.fixture
def pulse_scene(client, pair, hr_admin, lead, time_machine, caplog, mailoutbox):
    """Aisha answers her pulse through the page with a low score and a note; the jobs run."""
    from surveys import pulse
    from surveys.models import SafetyPulse

    caplog.set_level(logging.DEBUG)
    pair.activated_at = NOW - timedelta(weeks=4)
    pair.save(update_fields=["activated_at"])
    pair.program.status = "running"
    pair.program.save()
    pulse.safety_pulses_tick()
    row = SafetyPulse.objects.get(pair=pair)
    client.force_login(pair.mentor.user)
    response = client.post(reverse("surveys:pulse_answer", args=[row.pk]),
                           {"score": "1", "note": f"I am afraid to disagree. {PULSE_MARKER}"})
    assert response.status_code == 302
    pulse.safety_pulses_tick()  # delivers the alert to HR
    return SafetyPulse.objects.get(pk=row.pk)


def test_the_pulse_note_is_shown_to_hr_on_the_pulse_page_only(client, pair, hr_admin, pulse_scene):
    assert pulse_scene.note.endswith(PULSE_MARKER) and pulse_scene.alert == "low"
    client.force_login(hr_admin)
    assert PULSE_MARKER in client.get(reverse("evaluation:pulse", args=[pair.program.pk])).content.decode()


def test_the_pulse_note_appears_nowhere_else(client, pair, hr_admin, lead, pulse_scene, caplog, mailoutbox):
    ids = sorted({pair.pk, pair.program.pk, pair.mentor.pk, pair.mentee.pk, pulse_scene.pk,
                  pair.mentor.user.pk, pair.mentee.user.pk})
    urls = every_page(ids)
    pulse_page = reverse("evaluation:pulse", args=[pair.program.pk])
    assert pulse_page in urls
    for user in (pair.mentee.user, lead):
        client.force_login(user)
        for url in urls:
            text = client.get(url).content.decode(errors="replace")
            assert PULSE_MARKER not in text, f"{url} shows the pulse note to {user}"
    client.force_login(hr_admin)
    for url in urls:
        if url != pulse_page:
            assert PULSE_MARKER not in client.get(url).content.decode(errors="replace"), url
    alerts = [m for m in mailoutbox
              if m.extra_headers.get("X-Flipside-Outbox", "").startswith("safety-pulse-alert")]
    assert alerts and all(m.to == [hr_admin.email] for m in alerts)
    for message in mailoutbox:
        assert PULSE_MARKER not in message.subject + message.body
        assert all(PULSE_MARKER not in body for body, _type in message.alternatives)
    for record in caplog.get_records("setup") + caplog.get_records("call"):
        assert PULSE_MARKER not in record.getMessage()
    assert PULSE_MARKER not in str(pulse_scene) + repr(pulse_scene)
    superuser = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        page = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        assert PULSE_MARKER not in page.content.decode()
