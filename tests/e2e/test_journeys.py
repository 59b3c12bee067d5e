"""The three user journeys of Flipside, clicked through end to end as a first-time user would.

Each test is one person's (or one pair's) path through the product, from the first page to the
result, and saves screenshots of the pages that matter on the way (`shot`, see conftest.py; the
README's pictures come from `FLIPSIDE_SCREENSHOTS=docs/screenshots`). People arrive by typing
only the sign-in address; from there they click, or follow the link an e-mail gave them.

Two things cannot happen in a browser test and are stood in for, as in the single-feature tests:
no Celery worker runs (the test calls the service the task would call, between clicks), and
time does not pass (a session is moved into the past in the database once it is confirmed).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.demo import seed_people
from accounts.models import User
from accounts.services import user_set_hr_admin
from meetings.demo import seed_meetings
from meetings.models import Meeting, MeetingAttendance, PrivateReflection, SessionLog
from notifications import outbox
from pairing import match_runs
from pairing import services as pairing_services
from pairing.demo import seed_pairing
from pairing.models import Enrollment, MatchRun, Pair
from programs import services as program_services
from programs.demo import seed_programs
from programs.models import Program, Topic
from surveys import invitations
from surveys.demo import seed_surveys
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, email: str, password: str = PASSWORD) -> Page:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    return page


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


@pytest.fixture
def person(browser: Browser, browser_context_args, live_server):
    """``person(email)``: a signed-in browser window of that person's own (one context each)."""
    opened = []

    def open_as(email: str, password: str = PASSWORD) -> Page:
        context = browser.new_context(**{**browser_context_args, "base_url": live_server.url})
        opened.append(context)
        return sign_in(context.new_page(), email, password)

    yield open_as
    for context in opened:  # closed here so the live server's connections close before the flush
        context.close()


def link_in_mail(outbox, email: str, pattern: str) -> str:
    """The link of the newest e-mail to ``email`` whose body has a URL matching ``pattern``."""
    for message in reversed(outbox):
        found = re.search(rf"https?://\S*{pattern}\S*", message.body)
        if message.to == [email] and found:
            return found.group(0)
    raise AssertionError(f"No e-mail to {email} with a link matching {pattern!r}")


# --- 1. HR sets up a program ------------------------------------------------------------------------

EMPLOYEES = """\
Name,E-mail,Department,Job title,Level,Manager email,Location,Time zone
Aisha Rahman,aisha@corp.example,Engineering,Cloud Engineer,3,nadia@corp.example,Berlin,Europe/Berlin
Tom Becker,tom@corp.example,Marketing,Social Media Specialist,2,sofia@corp.example,London,Europe/London
Nadia Okafor,nadia@corp.example,Engineering,Engineering Manager,9,margaret@corp.example,Berlin,Europe/Berlin
Sofia Rossi,sofia@corp.example,Marketing,Head of Marketing,12,margaret@corp.example,London,Europe/London
Robert Whitfield,robert@corp.example,Sales,VP Sales,11,margaret@corp.example,New York,America/New_York
Leonard Brooks,leonard@corp.example,People,Chief People Officer,13,margaret@corp.example,London,Europe/London
Margaret Olsen,margaret@corp.example,Leadership,Chief Executive,14,,London,Europe/London
"""


def test_hr_admin_sets_up_a_program_from_the_template_and_imports_employees(
        live_server, person, tmp_path, shot):
    today = timezone.localdate()
    hannah = UserFactory(email="hannah@corp.example", full_name="Hannah Reyes", department="People",
                         job_title="HR Business Partner", level=8, location="London",
                         time_zone="Europe/London")
    user_set_hr_admin(user=hannah, is_hr_admin=True)
    employees = tmp_path / "employees-2027.csv"
    employees.write_text(EMPLOYEES, encoding="utf-8")
    hr = person(hannah.email)

    # A new program, started from the reverse mentoring template.
    nav(hr, "Programs")
    hr.get_by_role("link", name="New program from the template").click()
    hr.get_by_label("Name").fill("Reverse Mentoring 2027")
    hr.get_by_label("Cohort").fill("2027 spring")
    hr.get_by_label("Enrolment opens").fill(today.isoformat())
    hr.get_by_label("Enrolment closes").fill((today + dt.timedelta(days=21)).isoformat())
    hr.get_by_label("Program starts").fill((today + dt.timedelta(days=35)).isoformat())
    hr.get_by_role("button", name="Create from the template").click()
    expect(hr.get_by_role("status")).to_contain_text("is ready to adjust")
    status = hr.locator("#status")
    expect(status.locator("[aria-current=step]")).to_have_text("Draft")
    expect(status.get_by_role("link", name="Publish the agreement")).to_be_visible()
    expect(status.get_by_role("link", name="Assign a program lead")).to_be_visible()
    expect(status.get_by_role("button", name="Open enrolment")).to_be_disabled()
    expect(hr.locator("#topics")).to_contain_text("Generative AI")
    shot(hr, "hr-program-from-template")

    # The framework: pairs here meet every three weeks rather than the template's two.
    hr.locator("#framework").get_by_role("link", name="Edit").click()
    hr.get_by_label("Meet every (weeks)").fill("3")
    hr.get_by_role("button", name="Save").click()
    expect(hr.get_by_role("status")).to_contain_text("Framework saved.")
    expect(hr.locator("#framework")).to_contain_text("3 weeks")

    # The agreement: read the template's text, then publish it as it is.
    agreement = hr.locator("#agreement")
    agreement.get_by_text("Read the text").click()
    expect(agreement).to_contain_text("confidential")
    agreement.get_by_role("button", name="Publish version 1").click()
    expect(hr.get_by_role("status")).to_contain_text("Agreement version 1 is published.")

    # The employees, from the HR system's export: checked first, saved only on "Import".
    nav(hr, "People")
    hr.get_by_role("link", name="Import a CSV").click()
    hr.get_by_label("Employee list (CSV)").set_input_files(employees)
    hr.get_by_role("button", name="Check the file").click()
    expect(hr.get_by_role("heading", level=1)).to_have_text("Check the import")
    preview = hr.locator(".import-table")
    expect(preview.get_by_role("row")).to_have_count(8)  # the header and seven new people
    expect(preview).to_contain_text("margaret@corp.example")
    assert not User.objects.filter(email__endswith="@corp.example").exclude(pk=hannah.pk).exists()
    shot(hr, "hr-import-preview")
    hr.get_by_role("button", name="Import 7 changes").click()
    expect(hr.get_by_role("status")).to_contain_text("Import done: 7 added, 0 updated, 0 unchanged.")
    # Aisha's manager came later in the file than Aisha; the reporting line is still there.
    expect(hr.get_by_role("row", name=re.compile("^Aisha Rahman"))).to_contain_text("Nadia Okafor")
    expect(hr.get_by_role("row", name=re.compile("^Nadia Okafor"))).to_contain_text("Margaret Olsen")
    shot(hr, "hr-people")

    # Back to the program: a lead, and enrolment opens.
    nav(hr, "Programs")
    hr.get_by_role("link", name="Reverse Mentoring 2027").click()
    hr.get_by_label("E-mail address of the new lead").fill("leonard@corp.example")
    hr.get_by_role("button", name="Add lead").click()
    expect(hr.get_by_role("status")).to_contain_text("Leonard Brooks is now a program lead.")
    expect(status).to_contain_text("Nothing is missing")
    status.get_by_role("button", name="Open enrolment").click()
    expect(hr.get_by_role("status")).to_contain_text("is now enrolling")
    expect(status.locator("[aria-current=step]")).to_have_text("Enrolling")

    program = Program.objects.get(name="Reverse Mentoring 2027")
    assert program.status == Program.Status.ENROLLING
    assert program.cadence_weeks == 3
    agreement_v1 = program.current_agreement()
    assert (agreement_v1.version, agreement_v1.published_at is not None) == (1, True)
    assert list(program.leads.values_list("email", flat=True)) == ["leonard@corp.example"]
    managers = dict(User.objects.filter(email__endswith="@corp.example").exclude(pk=hannah.pk)
                    .values_list("email", "manager__email"))
    assert managers == {
        "aisha@corp.example": "nadia@corp.example", "tom@corp.example": "sofia@corp.example",
        "nadia@corp.example": "margaret@corp.example", "sofia@corp.example": "margaret@corp.example",
        "robert@corp.example": "margaret@corp.example", "leonard@corp.example": "margaret@corp.example",
        "margaret@corp.example": None}
    aisha = User.objects.get(email="aisha@corp.example")
    assert (aisha.level, aisha.department, aisha.time_zone) == (3, "Engineering", "Europe/Berlin")


# --- 2. A pair, from enrolment to the first survey --------------------------------------------------


def _enrolling_program(hr: User, lead: User) -> Program:
    """An enrolling program from the template (agreement published, topics, required training)."""
    today = timezone.localdate()
    program = program_services.program_create_from_template(
        name="Reverse Mentoring 2027", cohort="2027 spring", actor=hr,
        enrolment_opens=today - dt.timedelta(days=14), enrolment_closes=today,
        starts_on=today, ends_on=today + dt.timedelta(weeks=26))
    program_services.program_lead_add(program=program, actor=hr, user=lead)
    program_services.agreement_publish(program=program, actor=hr)
    return program_services.program_advance(program=program, actor=hr)


def _profile(user: User, *, teaches: str, learns: str) -> None:
    """What the person can teach, wants to learn and when they are free: their profile page's job
    (tested on its own); here it is filled in beforehand so the journey starts at enrolment."""
    pairing_services.expertise_save(user=user, topic=Topic.objects.get(name=teaches), proficiency=5,
                                    can_teach=True)
    pairing_services.interest_save(user=user, topic=Topic.objects.get(name=learns), priority=1)
    pairing_services.profile_update(user=user, languages=["English"], bio="")
    for weekday in range(5):  # office hours, Monday to Friday, in the person's own time zone
        pairing_services.availability_add(user=user, weekday=weekday, start=dt.time(9), end=dt.time(17))


def _apply(page: Page, program: Program, *, role: str, learn: str, teach: str) -> None:
    nav(page, "My mentoring")
    page.get_by_role("link", name=f"Apply to {program.name}").click()
    page.get_by_label(role, exact=True).check()
    page.get_by_label("What I want to learn").fill(learn)
    page.get_by_label("What I can teach").fill(teach)
    page.get_by_label("I have read the agreement and accept it").check()
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_text("Thank you for applying.")).to_be_visible()
    page.get_by_role("button", name="Mark as done How reverse mentoring works").click()
    expect(page.get_by_text("Marked “How reverse mentoring works” as done.")).to_be_visible()


def _log(page: Page, *, topic: str, summary: str, reflection: str) -> None:
    page.get_by_label(topic).check()
    shared = page.get_by_label("Shared summary")
    shared.fill("\n".join(filter(None, [shared.input_value(), summary])))
    page.get_by_label("Private reflection").fill(reflection)
    page.get_by_role("button", name="Save the log").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")


def test_a_junior_and_a_senior_enrol_get_matched_book_meet_log_and_answer_the_survey(
        live_server, person, hr_admin, lead, mailoutbox, settings, shot):
    settings.SITE_URL = live_server.url  # the links in the e-mails point at this server
    program = _enrolling_program(hr_admin, lead)
    junior = UserFactory(email="aisha@example.com", full_name="Aisha Rahman", level=3,
                         department="Engineering", job_title="Cloud Engineer", location="Berlin",
                         time_zone="Europe/Berlin")
    senior = UserFactory(email="robert@example.com", full_name="Robert Whitfield", level=11,
                         department="Sales", job_title="VP Sales", location="New York",
                         time_zone="America/New_York")
    _profile(junior, teaches="Cloud services", learns="Industry knowledge")
    _profile(senior, teaches="Industry knowledge", learns="Cloud services")

    # Both apply: the junior colleague as the mentor, the senior one as the mentee.
    aisha = person(junior.email)
    _apply(aisha, program, role="Mentor", learn="How our customers buy.", teach="Cloud services, hands on.")
    robert = person(senior.email)
    _apply(robert, program, role="Mentee", learn="What the cloud changes for Sales.",
           teach="How big deals get negotiated.")

    # HR approves both, closes enrolment and runs matching.
    hr = person(hr_admin.email)
    nav(hr, "Pairing")
    hr.get_by_role("row", name=re.compile(program.name)).get_by_role("link", name="Enrolments").click()
    hr.get_by_role("button", name="Approve Aisha Rahman").click()
    expect(hr.get_by_text("Aisha Rahman: Approved.")).to_be_visible()
    hr.get_by_role("button", name="Approve Robert Whitfield").click()
    expect(hr.get_by_text("Robert Whitfield: Approved.")).to_be_visible()
    hr.get_by_role("link", name="Program settings").click()
    hr.get_by_role("button", name="Close enrolment and start matching").click()
    expect(hr.locator("#status [aria-current=step]")).to_have_text("Matching")
    nav(hr, "Pairing")
    hr.get_by_role("row", name=re.compile(program.name)).get_by_role("link", name="Matching").click()
    with mock.patch("pairing.tasks.run_matching.delay"):
        hr.get_by_role("button", name="Run matching").click()
        expect(hr.get_by_text("Waiting for a worker").first).to_be_visible()
    # No worker runs in browser tests: do what the Celery task does while the run page polls.
    match_runs.match_run_execute(run_id=MatchRun.objects.get(program=program).pk)
    expect(hr.get_by_text("1 pair proposed.")).to_be_visible(timeout=10_000)
    hr.get_by_role("link", name="Review the proposals").click()
    expect(hr.get_by_role("article", name="Aisha Rahman mentors Robert Whitfield")).to_contain_text(
        "Aisha can teach Robert Cloud services")
    hr.once("dialog", lambda dialog: dialog.accept())
    hr.get_by_role("button", name="Publish 1 pair").click()
    expect(hr.get_by_text("Published 1 pair(s).")).to_be_visible()
    # With the pairs out, HR starts the program.
    hr.get_by_role("link", name="Program settings").click()
    hr.locator("#status").get_by_role("button", name="Start the program").click()
    expect(hr.locator("#status [aria-current=step]")).to_have_text("Running")

    # Each gets an e-mail with the offer and accepts it from there.
    for page, email, done in ((aisha, junior.email, "Thank you; we are waiting for your pair to answer."),
                              (robert, senior.email, "You are paired!")):
        page.goto(link_in_mail(mailoutbox, email, r"/mentoring/pairs/\d+/"))
        expect(page.get_by_role("region", name="Why you two")).to_contain_text(
            "Aisha can teach Robert Cloud services")
        if page is robert:
            shot(page, "pair-offer")
        page.get_by_role("button", name="Accept").click()
        expect(page.get_by_text(done)).to_be_visible()
    pair = Pair.objects.get(program=program)
    assert pair.status == Pair.Status.ACTIVE

    # Aisha proposes three of the times that suit both calendars.
    nav(aisha, "Sessions")
    aisha.get_by_role("link", name=re.compile("You and Robert Whitfield")).click()
    aisha.get_by_role("link", name="Propose times").click()
    suggestions = aisha.get_by_role("checkbox")
    for i in range(3):
        suggestions.nth(i).check()
    aisha.get_by_role("button", name="Send the proposal").click()
    expect(aisha.get_by_role("status")).to_contain_text("Robert picks one")

    # The worker e-mails Robert (stood in for by the delivery tick); he follows the link, in New York time.
    outbox.deliver_due()
    robert.goto(link_in_mail(mailoutbox, senior.email, r"/sessions/meeting/\d+/"))
    robert.get_by_role("link", name="Pick a time").click()
    times = robert.get_by_role("radio")
    expect(times).to_have_count(3)
    for i in range(3):
        expect(robert.locator(".slot-option").nth(i)).to_contain_text(
            re.compile(r"your time · .* for Aisha \(Berlin\)"))
    times.nth(1).check()
    shot(robert, "slot-proposal-for-the-mentee")
    robert.get_by_role("button", name="Confirm this time").click()
    expect(robert.get_by_role("status")).to_contain_text("Confirmed")
    meeting = Meeting.objects.get(pair=pair)
    chosen = meeting.slots.order_by("starts_at")[1]
    assert (meeting.status, meeting.starts_at) == ("confirmed", chosen.starts_at)

    # Time passes. A test cannot wait for the session, so the confirmed meeting (and both people's
    # busy-time rows) moves back by whole weeks, keeping the weekday and hour they agreed on, until
    # it ended more than the program's survey delay ago: as if that day had come and gone.
    due = chosen.ends_at + dt.timedelta(hours=program.survey_delay_hours + 1) - timezone.now()
    back = dt.timedelta(weeks=due // dt.timedelta(weeks=1) + 1)
    start, end = chosen.starts_at - back, chosen.ends_at - back
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=start, ends_at=end)
    MeetingAttendance.objects.filter(meeting=meeting).update(starts_at=start, ends_at=end)

    # Robert logs it first: what he taught, a shared summary, and a reflection only he can read.
    nav(robert, "Sessions")
    robert.get_by_role("link", name=re.compile("You and Aisha Rahman")).click()
    robert.get_by_role("button", name="It happened: log it").click()
    _log(robert, topic="Industry knowledge", summary="Robert walked through how a big deal gets negotiated.",
         reflection="ROBERT-ONLY: I talked too much; ask more questions next time.")

    # Aisha adds her side to the same log; Robert's reflection is not on her page.
    nav(aisha, "Sessions")
    aisha.get_by_role("link", name=re.compile("You and Robert Whitfield")).click()
    aisha.get_by_role("link", name="Open the log").click()
    expect(aisha.locator("[data-shared-summary]")).to_contain_text("big deal gets negotiated")
    _log(aisha, topic="Cloud services", summary="Aisha showed what a cloud bill is made of.",
         reflection="AISHA-ONLY: slow down when I explain pricing.")
    expect(aisha.get_by_label("Private reflection")).to_have_value(
        "AISHA-ONLY: slow down when I explain pricing.")
    expect(aisha.get_by_text("ROBERT-ONLY")).to_have_count(0)
    shot(aisha, "session-log", height=1200)
    robert.reload()
    expect(robert.locator("[data-shared-summary]")).to_contain_text("cloud bill")
    expect(robert.get_by_label("Private reflection")).to_have_value(
        "ROBERT-ONLY: I talked too much; ask more questions next time.")
    expect(robert.get_by_text("AISHA-ONLY")).to_have_count(0)

    # The pair page now counts the session against the cadence.
    aisha.get_by_role("link", name="Back to the pair").click()
    expect(aisha.locator("[data-progress]")).to_contain_text("1 of 6 sessions; next due by")
    shot(aisha, "pair-page-progress")

    # Once the program's delay after the session has passed, the survey job (its service here)
    # e-mails both of them; Robert answers from the link.
    invitations.session_surveys_tick()
    robert.goto(link_in_mail(mailoutbox, senior.email, r"/surveys/[A-Za-z0-9_-]{20,}/"))
    expect(robert.get_by_role("heading", level=1)).to_contain_text("Your session on")
    robert.get_by_label("What did you learn, or what did you share?").fill(
        "What our cloud costs are made of, and how to question them.")
    robert.get_by_role("group", name="How useful was this session for you?").get_by_label("5").check()
    robert.get_by_role("group", name="How well does your pairing fit what you hoped to learn?").get_by_label(
        "4").check()
    shot(robert, "survey")
    robert.get_by_role("button", name="Send my answers").click()
    expect(robert.get_by_text("Thank you: your answers are saved.")).to_be_visible()

    pair.refresh_from_db()
    meeting.refresh_from_db()
    assert pair.status == Pair.Status.ACTIVE and pair.activated_at is not None
    assert (pair.mentor.user, pair.mentee.user) == (junior, senior)
    assert set(Enrollment.objects.filter(program=program).values_list("status", flat=True)) == {"approved"}
    assert meeting.status == Meeting.Status.HELD
    log = SessionLog.objects.get(meeting=meeting)
    assert list(log.topics_by_mentor.values_list("name", flat=True)) == ["Cloud services"]
    assert list(log.topics_by_mentee.values_list("name", flat=True)) == ["Industry knowledge"]
    assert "big deal" in log.shared_summary and "cloud bill" in log.shared_summary
    assert "ONLY" not in log.shared_summary
    assert dict(PrivateReflection.objects.values_list("author__email", "text")) == {
        senior.email: "ROBERT-ONLY: I talked too much; ask more questions next time.",
        junior.email: "AISHA-ONLY: slow down when I explain pricing."}
    response = SurveyResponse.objects.get(invitation__recipient=senior)
    assert response.kind == SurveyInvitation.Kind.AFTER_SESSION and response.invitation.meeting == meeting
    assert dict(SurveyAnswer.objects.filter(response=response).values_list("question_text", "number")) == {
        "How useful was this session for you?": 5,
        "How well does your pairing fit what you hoped to learn?": 4,
        "What did you learn, or what did you share?": None}


# --- 3. The program lead reads the dashboard --------------------------------------------------------


def _held(program: Program, department: str | None = None) -> int:
    """Sessions held in the program (with a member of ``department`` on either side), from the database."""
    held = Meeting.objects.filter(pair__program=program, status=Meeting.Status.HELD)
    if department:
        held = held.filter(Q(pair__mentor__user__department=department)
                           | Q(pair__mentee__user__department=department))
    return held.distinct().count()


def test_the_program_lead_reads_the_dashboard(live_server, person, browser_context_args, shot):
    # The demo organisation: ~80 people, a program ten weeks into its run, with pairs, sessions,
    # session logs and survey answers (what `manage.py seed_demo` creates).
    people = seed_people()
    programs = seed_programs(people)
    seed_meetings(people, programs, seed_pairing(people, programs))
    seed_surveys(people, programs)
    program = programs["running"]
    assert _held(program) > 10  # enough data for a dashboard that shows figures, not "fewer than 5"

    lead = person(people["lead"].email, django_settings.DEMO_PASSWORD)
    nav(lead, "Dashboards")
    lead.get_by_role("link", name=program.name).click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text(program.name)
    expect(lead.get_by_text("Showing: the whole program, all participants.")).to_be_visible()

    # Engagement: the headline figure and the weekly chart's table agree with the sessions held.
    engagement = lead.locator("#engagement")
    held = engagement.locator(".eval-stat").filter(
        has=lead.get_by_text("Sessions held", exact=True)).locator(".eval-value")
    expect(held).to_have_text(str(_held(program)))
    expect(engagement.locator(".eval-stat").filter(has_text="Held vs expected")).to_contain_text(
        re.compile(r"\d+ %"))
    # The series is by week, or by fortnight or month when some weeks would show the sessions of
    # fewer than 5 people: coarser periods, never missing ones, so every period reads as a number.
    series = re.compile(r"^Sessions per (week|fortnight|month): held and expected$")
    weekly = lead.get_by_role("figure", name=series)
    expect(weekly.locator("canvas")).to_have_attribute("role", "img")
    period = re.search(r"Sessions per (\w+):", weekly.get_by_role("heading").inner_text()).group(1)
    weekly.get_by_text("Show the figures as a table").click()
    table = weekly.get_by_role("table")
    expect(table).to_be_visible()
    per_period = [int(n) for n in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    # Ten weeks of the program: at least 8 weeks, 4 fortnights or 2 months, adding up to every session.
    assert len(per_period) >= {"week": 8, "fortnight": 4, "month": 2}[period]
    assert sum(per_period) == _held(program)
    shot(lead, "dashboard-top", height=1300)
    shot(lead, "dashboard-charts", top=engagement, height=1300)

    # Printing (or saving as PDF): the page as the print style sheet lays it out, at the width of
    # an A4 sheet inside the style sheet's margins (186 mm at 96 dpi).
    lead.emulate_media(media="print")
    lead.set_viewport_size({"width": 703, "height": 1000})
    expect(lead.get_by_role("button", name="Apply filters")).to_be_hidden()
    expect(lead.get_by_role("navigation", name="Main")).to_be_hidden()
    shot(lead, "dashboard-print", height=1000)
    lead.emulate_media(media="screen")
    lead.set_viewport_size(browser_context_args["viewport"])

    # One department only; the address keeps the filter, the figures follow it.
    lead.get_by_label("Department", exact=True).select_option("Operations")
    lead.get_by_role("button", name="Apply filters").click()
    expect(lead).to_have_url(re.compile(r"department=Operations"))
    expect(lead.get_by_text("Showing: department Operations")).to_be_visible()
    operations = _held(program, "Operations")
    assert 5 <= operations < _held(program)
    expect(held).to_have_text(str(operations))

    # And the figures go to a spreadsheet, filtered the same way.
    with lead.expect_download() as download_info:
        engagement.get_by_role("link", name="Download these figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("reverse-mentoring-2026-spring-engagement-figures-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Figure", "Value", "Definition"]
    figures = {row[0]: row[1] for row in rows[1:]}
    assert figures["Sessions held"] == str(operations)
    assert figures["No-shows"] == "0"
