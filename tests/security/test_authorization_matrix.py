"""Every URL of the project, requested as every persona, against a declared expectation.

The walk covers every URL pattern Django knows. Our own URLs each need an entry in EXPECT
(a new view without one fails `test_every_url_has_a_declared_expectation`); allauth's and the
admin's come as families with their own rules. GETs are sent for pages; views that only take
POST are sent a POST with CSRF enforced (a real token from the persona's session), so the
check is the view's own access rule, not the CSRF middleware.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.services import user_set_hr_admin
from tests.factories import (
    ActivePairFactory,
    MeetingFactory,
    ProgramFactory,
    PublishedAgreementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)

PERSONAS = ["anonymous", "other_participant", "mentor", "mentee", "other_lead", "lead", "hr", "superuser"]

# Who gets through (2xx/3xx other than the sign-in redirect); everyone else signed in gets 404
# (or 403 where noted); anonymous people are sent to sign in.
SIGNED_IN = {"other_participant", "mentor", "mentee", "other_lead", "lead", "hr", "superuser"}
HR = {"hr", "superuser"}
PAIR = {"mentor", "mentee"}
LEAD = {"lead", "hr", "superuser"}
MENTEE = {"mentee"}
HOST = {"mentor"}  # the junior hosting the circle
PUBLIC = set(PERSONAS)
TOKEN = "token"  # the URL carries its own credential: anyone holding it gets through

# url name: (method, who gets through)
EXPECT: dict[str, tuple[str, set[str] | str]] = {
    "home": ("GET", PUBLIC),
    "health": ("GET", PUBLIC),
    "set_language": ("POST", PUBLIC),  # Django's language switcher: only sets a cookie
    "accounts:preferences": ("GET", SIGNED_IN),
    "privacy:my_data": ("GET", SIGNED_IN),
    "privacy:erase": ("GET", HR),
    # notifications: HR's chat settings; everyone's own channel choices
    "notifications:chat_settings": ("GET", HR), "notifications:chat_test": ("POST", HR),
    "notifications:preferences": ("GET", SIGNED_IN),
    "sso:saml_settings": ("GET", HR),
    # programs (HR configures; the participant-facing page for leads and participants)
    "programs:list": ("GET", HR), "programs:new": ("GET", HR),
    # leads and participants are sent on to the participant-facing page
    "programs:detail": ("GET", HR | {"lead", "mentor", "mentee"}),
    "programs:about": ("GET", HR | {"lead", "mentor", "mentee"}),
    "programs:edit": ("GET", HR), "programs:program_topics": ("GET", HR),
    "programs:agreement": ("GET", HR), "programs:agreement_publish": ("POST", HR),
    "programs:advance": ("POST", HR), "programs:clone": ("GET", HR), "programs:history": ("GET", HR),
    "programs:lead_add": ("POST", HR), "programs:lead_remove": ("POST", HR),
    "programs:item_add": ("GET", HR), "programs:item_edit": ("GET", HR),
    "programs:item_delete": ("POST", HR), "programs:item_move": ("POST", HR),
    "programs:people": ("GET", HR), "programs:invite": ("GET", HR), "programs:reinvite": ("POST", HR),
    "programs:import": ("GET", HR),
    "programs:invite_all": ("POST", HR), "programs:invite_batch": ("GET", HR),
    # a stored upload belongs to the HR admin who uploaded it
    "programs:import_preview": ("GET", {"hr"}), "programs:import_apply": ("POST", {"hr"}),
    "programs:topics": ("GET", HR), "programs:topic_edit": ("GET", HR),
    # the program's topic menu: agendas and kits, participants' proposals (HR decides)
    "programs:topic_menu": ("GET", HR), "programs:topic_menu_item": ("GET", HR),
    "programs:topic_proposal_decide": ("POST", HR),
    # pairing (participants' own pages; HR's review pages)
    "pairing:mine": ("GET", SIGNED_IN), "pairing:profile": ("GET", SIGNED_IN),
    "pairing:profile_about": ("POST", SIGNED_IN), "pairing:expertise_add": ("POST", SIGNED_IN),
    "pairing:expertise_remove": ("POST", MENTEE), "pairing:interest_add": ("POST", SIGNED_IN),
    "pairing:interest_remove": ("POST", MENTEE), "pairing:availability_add": ("POST", SIGNED_IN),
    "pairing:availability_remove": ("POST", MENTEE),
    "pairing:apply": ("GET", SIGNED_IN),
    "pairing:enrollment": ("GET", MENTEE), "pairing:enrollment_goals": ("POST", MENTEE),
    "pairing:training_done": ("POST", MENTEE), "pairing:withdraw": ("POST", MENTEE),
    "pairing:pair": ("GET", PAIR), "pairing:pair_respond": ("POST", PAIR),
    "pairing:exit_request": ("GET", PAIR),
    "pairing:hr_index": ("GET", HR), "pairing:hr_enrollments": ("GET", HR),
    "pairing:hr_bulk_approve": ("POST", HR), "pairing:hr_decide": ("POST", HR),
    "pairing:hr_review": ("GET", HR), "pairing:hr_run_start": ("POST", HR), "pairing:hr_swap": ("POST", HR),
    "pairing:hr_manual_pair": ("POST", HR), "pairing:hr_publish": ("POST", HR),
    "pairing:hr_run": ("GET", HR), "pairing:hr_run_progress": ("GET", HR),
    "pairing:hr_pair_lock": ("POST", HR), "pairing:hr_pair_forbid": ("POST", HR),
    "pairing:hr_exits": ("GET", HR), "pairing:hr_exit_resolve": ("GET", HR),
    # meetings: only the two people of the pair, never HR or leads
    "meetings:sessions": ("GET", SIGNED_IN), "meetings:pair": ("GET", PAIR),
    "meetings:propose": ("GET", PAIR), "meetings:book": ("GET", PAIR),
    "meetings:meeting": ("GET", PAIR), "meetings:confirm": ("GET", PAIR),
    "meetings:decline": ("POST", PAIR), "meetings:reschedule": ("GET", PAIR),
    "meetings:cancel": ("GET", PAIR), "meetings:place": ("GET", PAIR), "meetings:outcome": ("POST", PAIR),
    "meetings:log": ("GET", PAIR), "meetings:action_done": ("POST", PAIR),
    "meetings:topics": ("GET", PAIR),
    "meetings:calendar_revoke": ("POST", SIGNED_IN), "meetings:calendar_feed": ("GET", TOKEN),
    # circles: hosts and members only (host-only actions for the junior host); HR's own pages
    "circles:mine": ("GET", SIGNED_IN), "circles:circle": ("GET", PAIR), "circles:join": ("POST", PAIR),
    "circles:book": ("GET", HOST), "circles:session": ("GET", PAIR), "circles:rsvp": ("POST", MENTEE),
    "circles:confirm": ("POST", HOST), "circles:cancel": ("GET", HOST), "circles:attendance": ("POST", HOST),
    "circles:notes": ("GET", PAIR), "circles:feedback": ("GET", PAIR),
    "circles:action_done": ("POST", MENTEE),
    "circles:hr_list": ("GET", HR), "circles:hr_new": ("GET", HR), "circles:hr_propose": ("POST", HR),
    "circles:hr_circle": ("GET", HR), "circles:hr_status": ("POST", HR),
    "meetings:series_propose": ("GET", PAIR), "meetings:series_answer": ("POST", PAIR),
    "meetings:series_end": ("GET", PAIR),
    # surveys
    "surveys:mine": ("GET", SIGNED_IN), "surveys:answer": ("GET", MENTEE),
    "surveys:answer_token": ("GET", TOKEN), "surveys:unsubscribe": ("GET", TOKEN),
    # issue 18: the start self-assessment (one's own enrolment); the pulse (the junior mentor only)
    "surveys:learning_start": ("GET", MENTEE), "surveys:pulse_answer": ("GET", {"mentor"}),
    "surveys:pulse_token": ("GET", TOKEN),
    # evaluation: the program's leads and HR; certificates for the program's participants
    "evaluation:list": ("GET", SIGNED_IN), "evaluation:dashboard": ("GET", LEAD),
    "evaluation:export": ("GET", LEAD), "evaluation:circles": ("GET", LEAD),
    # the junior mentors' pulse: HR only, never the program's leads
    "evaluation:pulse": ("GET", HR),
    # shared summaries: the program's own leads, and only when the program allows it
    "evaluation:summaries": ("GET", {"lead"}),
    "evaluation:certificates": ("GET", LEAD), "evaluation:manager_notes": ("POST", HR),
    "evaluation:certificate": ("GET", PAIR), "evaluation:consent": ("POST", PAIR),
    # SCIM tokens: HR's page (the protocol endpoints themselves take bearer tokens only, below)
    "scim:tokens": ("GET", HR), "scim:token_revoke": ("POST", HR),
    # personal API tokens: everyone signed in has their own list; a token is revoked by its owner
    "api_tokens:list": ("GET", SIGNED_IN), "api_tokens:revoke": ("POST", MENTEE),
}

# The SCIM protocol authenticates by bearer token, never by session: every persona gets 401.
SCIM_PROTOCOL = ("scim:spc", "scim:resource_types", "scim:resource_type", "scim:schemas", "scim:schema",
                 "scim:users", "scim:users_search", "scim:root_search", "scim:user", "scim:not_found")

# Families we do not own: declared by rule rather than one by one.
# The REST API ("api:") authenticates by bearer token, not session: its own matrix is
# tests/api/test_authorization_matrix.py, which fails when a route has no declared expectation.
FAMILY_PREFIXES = ("account_", "mfa_", "socialaccount_", "usersessions_", "openid_connect_", "saml_",
                   "admin:", "api:")


def walk(patterns, ns: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            child = p.namespace or None
            yield from walk(p.url_patterns, f"{ns}:{child}" if ns and child else (child or ns))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), p


ALL_NAMES = sorted({name for name, _ in walk(get_resolver().url_patterns)})
OURS = [n for n in ALL_NAMES if not n.startswith(FAMILY_PREFIXES) and n not in SCIM_PROTOCOL]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_scim_protocol_refuses_every_session(persona, world):
    client = client_for(persona, world)
    for path in ("/scim/v2/ServiceProviderConfig", "/scim/v2/Users", "/scim/v2/Users/1", "/scim/v2/Nope"):
        response = client.get(path)
        assert response.status_code == 401, (persona, path, response.status_code)
        assert response["Content-Type"].startswith("application/scim+json")


def test_every_url_has_a_declared_expectation():
    assert [n for n in OURS if n not in EXPECT] == []
    assert [n for n in EXPECT if n not in ALL_NAMES] == []  # no stale entries either


@pytest.fixture
def world(db, hr_admin, lead, mentor, mentee, django_user_model):
    """Two programs with a lead each; an active pair in the first, another pair in the second."""
    from meetings.models import ActionItem, ProposedSlot, SessionLog
    from meetings.nudges import unsubscribe_token
    from meetings.selectors import feed_token
    from pairing.models import ExitRequest, MatchRun
    from programs.models import EmployeeImport, Goal, InvitationBatch, ProgramTopic, TopicProposal
    from scim.services import scim_token_create
    from surveys.models import SurveyInvitation
    from surveys.selectors import token_hash

    other_lead = UserFactory(email="other.lead@example.com", level=13)
    superuser = django_user_model.objects.create_superuser("root@example.com", "pw-long-enough-1")
    today = timezone.localdate()
    program = ProgramFactory(leads=[lead], status="running", starts_on=today - dt.timedelta(days=30),
                             ends_on=today + dt.timedelta(days=90), leads_can_read_summaries=True)
    other_program = ProgramFactory(leads=[other_lead], status="running",
                                   starts_on=program.starts_on, ends_on=program.ends_on)
    PublishedAgreementFactory(program=program)
    pair = ActivePairFactory(program=program, mentor__user=mentor, mentee__user=mentee)
    other_pair = ActivePairFactory(program=other_program)
    upcoming = MeetingFactory(pair=pair)
    held = MeetingFactory(pair=pair, status="held", starts_at=timezone.now() - dt.timedelta(days=3),
                          ends_at=timezone.now() - dt.timedelta(days=3) + dt.timedelta(minutes=45))
    log = SessionLog.objects.create(meeting=held, shared_summary="We covered cloud basics.")
    proposed = MeetingFactory(pair=pair, status="proposed", starts_at=None, ends_at=None,
                              proposed_by=mentor)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=10)
    ProposedSlot.objects.create(meeting=proposed, starts_at=start, ends_at=start + dt.timedelta(minutes=45))
    item = ActionItem.objects.create(pair=pair, log=log, text="Try the AI tool", owner=mentee)
    from meetings.models import MeetingSeries

    series = MeetingSeries.objects.create(
        pair=pair, zone="Europe/Berlin", first_day=timezone.localdate() + dt.timedelta(days=7),
        start_time=dt.time(9), minutes=45, interval_weeks=2,
        until=timezone.localdate() + dt.timedelta(days=70), proposed_by=mentor)
    from pairing.models import AvailabilityWindow, Expertise, LearningInterest, Profile

    profile = Profile.objects.create(user=mentee)
    topic = TopicFactory(name="Generative AI")
    expertise = Expertise.objects.create(profile=profile, topic=topic, proficiency=4, can_teach=True)
    interest = LearningInterest.objects.create(profile=profile, topic=TopicFactory(name="Cloud"), priority=1)
    window = AvailabilityWindow.objects.create(profile=profile, weekday=1, start=dt.time(9), end=dt.time(12))
    resource = ResourceFactory(program=program)
    menu_item = ProgramTopic.objects.create(program=program, topic=topic, direction="junior_teaches",
                                            agenda="Try one real task")
    topic_proposal = TopicProposal.objects.create(program=program, proposed_by=mentee, name="Podcasts",
                                                  direction="junior_teaches")
    goal = Goal.objects.create(program=program, title="Meet often", kind="qualitative")
    run = MatchRun.objects.create(program=program, status="done", progress=100)
    exit_request = ExitRequest.objects.create(pair=pair, requested_by=mentee, kind="exit")
    batch = InvitationBatch.objects.create(started_by=hr_admin)
    scim_token, _secret = scim_token_create(name="Directory", by=hr_admin)
    upload = EmployeeImport.objects.create(raw_text="name,email,department,level,manager email\n",
                                           uploaded_by=hr_admin)
    from surveys.models import SafetyPulse

    safety_pulse = SafetyPulse.objects.create(
        program=program, pair=pair, enrollment=pair.mentor, recipient=mentor, round=1,
        sent_at=timezone.now(), expires_at=timezone.now() + dt.timedelta(days=7),
        token_hash=token_hash("a-valid-pulse-token-0123456789"))
    invitation = SurveyInvitation.objects.create(
        program=program, recipient=mentee, enrollment=pair.mentee, kind="after_session", meeting=held,
        sent_at=timezone.now(), token_hash=token_hash("a-valid-survey-token-0123456789"),
        expires_at=timezone.now() + dt.timedelta(days=7))
    users = {"other_participant": other_pair.mentor.user, "mentor": mentor, "mentee": mentee,
             "other_lead": other_lead, "lead": lead, "hr": hr_admin, "superuser": superuser}
    user_set_hr_admin(user=hr_admin, is_hr_admin=True)
    from api.tokens import api_token_create

    api_token, _secret = api_token_create(user=mentee, name="sync")
    from circles.models import Circle, CircleActionItem, CircleMember, CircleSession
    from tests.factories import MenteeEnrollmentFactory

    circle = Circle.objects.create(program=program, name="AI for leaders", kind="learning", places=4)
    CircleMember.objects.create(circle=circle, enrollment=pair.mentor, role="host")
    CircleMember.objects.create(circle=circle, enrollment=pair.mentee, role="member")
    CircleMember.objects.create(circle=circle, enrollment=MenteeEnrollmentFactory(program=program))
    open_circle = Circle.objects.create(program=program, name="Open hour", kind="open", places=10)
    CircleMember.objects.create(circle=open_circle, enrollment=pair.mentor, role="host")
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(days=5)
    circle_upcoming = CircleSession.objects.create(circle=circle, starts_at=soon,
                                                   ends_at=soon + dt.timedelta(hours=1), places=2)
    circle_held = CircleSession.objects.create(circle=circle, starts_at=soon - dt.timedelta(days=10),
                                               ends_at=soon - dt.timedelta(days=10, hours=-1), places=2,
                                               status="held")
    circle_item = CircleActionItem.objects.create(circle=circle, session=circle_held, owner=mentee,
                                                  text="Try")
    args = {
        "privacy:erase": [mentee.pk],
        "programs:detail": [program.pk], "programs:about": [program.pk],
        "programs:edit": [program.pk, "framework"], "programs:program_topics": [program.pk],
        "programs:agreement": [program.pk], "programs:agreement_publish": [program.pk],
        "programs:advance": [program.pk], "programs:clone": [program.pk], "programs:history": [program.pk],
        "programs:lead_add": [program.pk], "programs:lead_remove": [program.pk, lead.pk],
        "programs:item_add": [program.pk, "goals"], "programs:item_edit": [program.pk, "goals", goal.pk],
        "programs:item_delete": [program.pk, "goals", goal.pk],
        "programs:item_move": [program.pk, "goals", goal.pk],
        "programs:reinvite": [mentee.pk], "programs:invite_batch": [batch.pk],
        "scim:token_revoke": [scim_token.pk],
        "programs:import_preview": [upload.pk],
        "programs:import_apply": [upload.pk], "programs:topic_edit": [topic.pk],
        "programs:topic_menu": [program.pk], "programs:topic_menu_item": [program.pk, menu_item.pk],
        "programs:topic_proposal_decide": [program.pk, topic_proposal.pk], "meetings:topics": [pair.pk],
        "pairing:expertise_remove": [expertise.pk], "pairing:interest_remove": [interest.pk],
        "pairing:availability_remove": [window.pk], "pairing:apply": [program.pk],
        "pairing:enrollment": [pair.mentee.pk], "pairing:enrollment_goals": [pair.mentee.pk],
        "pairing:training_done": [pair.mentee.pk, resource.pk], "pairing:withdraw": [pair.mentee.pk],
        "pairing:pair": [pair.pk], "pairing:pair_respond": [pair.pk], "pairing:exit_request": [pair.pk],
        "pairing:hr_enrollments": [program.pk], "pairing:hr_bulk_approve": [program.pk],
        "pairing:hr_decide": [pair.mentee.pk], "pairing:hr_review": [program.pk],
        "pairing:hr_run_start": [program.pk], "pairing:hr_swap": [program.pk],
        "pairing:hr_manual_pair": [program.pk], "pairing:hr_publish": [program.pk],
        "pairing:hr_run": [run.pk], "pairing:hr_run_progress": [run.pk],
        "pairing:hr_pair_lock": [pair.pk], "pairing:hr_pair_forbid": [pair.pk],
        "pairing:hr_exit_resolve": [exit_request.pk],
        "meetings:pair": [pair.pk], "meetings:propose": [pair.pk], "meetings:book": [pair.pk],
        "meetings:meeting": [upcoming.pk], "meetings:confirm": [proposed.pk],
        "meetings:decline": [proposed.pk], "meetings:reschedule": [upcoming.pk],
        "meetings:cancel": [upcoming.pk], "meetings:place": [upcoming.pk], "meetings:outcome": [held.pk],
        "meetings:log": [held.pk], "meetings:action_done": [item.pk],
        "meetings:calendar_feed": [feed_token(mentee)],
        "meetings:series_propose": [pair.pk], "meetings:series_answer": [series.pk],
        "meetings:series_end": [series.pk],
        "surveys:answer": [invitation.pk], "surveys:answer_token": ["a-valid-survey-token-0123456789"],
        "surveys:unsubscribe": [unsubscribe_token(mentee)],
        "surveys:learning_start": [pair.mentee.pk], "surveys:pulse_answer": [safety_pulse.pk],
        "surveys:pulse_token": ["a-valid-pulse-token-0123456789"], "evaluation:pulse": [program.pk],
        "evaluation:dashboard": [program.pk], "evaluation:export": [program.pk, "at_risk_pairs"],
        "evaluation:summaries": [program.pk], "evaluation:circles": [program.pk],
        "evaluation:certificates": [program.pk],
        "evaluation:manager_notes": [program.pk], "evaluation:certificate": [program.pk],
        "evaluation:consent": [program.pk],
        "api_tokens:revoke": [api_token.pk],
        "circles:circle": [circle.pk], "circles:join": [open_circle.pk], "circles:book": [circle.pk],
        "circles:session": [circle_upcoming.pk], "circles:rsvp": [circle_upcoming.pk],
        "circles:confirm": [circle_upcoming.pk], "circles:cancel": [circle_upcoming.pk],
        "circles:attendance": [circle_held.pk], "circles:notes": [circle_held.pk],
        "circles:feedback": [circle_held.pk], "circles:action_done": [circle_item.pk],
        "circles:hr_list": [program.pk], "circles:hr_new": [program.pk], "circles:hr_propose": [program.pk],
        "circles:hr_circle": [circle.pk], "circles:hr_status": [circle.pk],
    }
    return {"users": users, "args": args, "program": program}


def client_for(persona: str, world) -> Client:
    client = Client(enforce_csrf_checks=True)
    if persona != "anonymous":
        client.force_login(world["users"][persona])
    return client


# Form fields a POST needs to reach the access check at all.
POST_DATA = {"programs:item_move": {"direction": "up"},
             "programs:topic_proposal_decide": {"decision": "decline"}}


def request(client: Client, method: str, name: str, url: str):
    """One request inside a rolled-back savepoint, so each persona meets the same world
    (an HR admin deleting a goal must not turn the superuser's request into a 404)."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        else:
            client.get(reverse("home"))  # the CSRF cookie, as a browser would have it from any page
            token = client.cookies["csrftoken"].value
            response = client.post(url, POST_DATA.get(name, {}), HTTP_X_CSRFTOKEN=token)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("name", [n for n in OURS if n in EXPECT])
def test_each_persona_gets_what_the_table_says(name, world, settings):
    settings.MFA_REQUIRED_ROLES = []
    method, allowed = EXPECT[name]
    url = reverse(name, args=world["args"].get(name, []))
    outcome = {}
    for persona in PERSONAS:
        response = request(client_for(persona, world), method, name, url)
        outcome[persona] = response.status_code, response.get("Location", "")
    for persona, (status, location) in outcome.items():
        if allowed == TOKEN or persona in allowed:
            assert status < 400 and "/accounts/login/" not in location, (name, persona, status, location)
        elif persona == "anonymous":
            assert status == 302 and location.startswith(reverse("account_login")), (name, persona, status)
        else:
            assert status in (403, 404), (name, persona, status)


@pytest.mark.parametrize("name", ["meetings:calendar_feed", "surveys:answer_token", "surveys:unsubscribe",
                                  "surveys:pulse_token"])
def test_a_forged_token_gets_nothing(name, world):
    url = reverse(name, args=["forged-token-0123456789abcdefghij"])
    assert Client().get(url).status_code == 404


def test_posts_without_a_csrf_token_are_refused(world):
    client = client_for("hr", world)
    response = client.post(reverse("programs:advance", args=[world["program"].pk]), {})
    assert response.status_code == 403


def _admin_pages() -> list[str]:
    names = []
    for name in ALL_NAMES:
        if name.startswith("admin:") and name not in ("admin:login", "admin:logout"):
            try:
                reverse(name)
            except NoReverseMatch:
                continue  # change/delete pages need an object: guarded by the same admin_view
            names.append(name)
    return names


def test_the_back_office_sign_in_and_out_are_not_pages_of_their_own(world):
    # Sign-in is allauth's (rate limits, two-factor, audit); sign-out only takes a POST.
    assert client_for("anonymous", world).get(reverse("admin:login"))["Location"].startswith(
        reverse("account_login"))
    assert client_for("superuser", world).get(reverse("admin:logout")).status_code == 405


@pytest.mark.parametrize("name", _admin_pages())
def test_the_back_office_is_for_superusers(name, world):
    url = reverse(name)
    for persona in ("anonymous", "mentor", "hr", "lead"):
        response = client_for(persona, world).get(url)
        assert response.status_code in (302, 403), (name, persona)
        if response.status_code == 302:  # via the admin's own login URL, which sends on to ours
            assert response["Location"].startswith((reverse("account_login"), reverse("admin:login")))
    # The superuser is let in (read-only models answer 403 to "add", autocomplete wants
    # parameters, logout wants a POST: none of that is the sign-in wall).
    response = client_for("superuser", world).get(url)
    assert response.status_code in (200, 302, 400, 403, 405)
    assert "login" not in response.get("Location", "")
