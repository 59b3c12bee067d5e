"""The reverse mentoring template every new program starts from.

Plain data: `services.program_create_from_template` turns it into rows, and the admin
adjusts what fits their organisation. The texts are written for participants, in the
program's voice, so most programs can publish them as they are.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from programs.models import Direction, Goal, Program, Resource, SurveyQuestion

DESCRIPTION = _(
    "Junior colleagues mentor senior leaders on digital topics — social media, generative AI, "
    "cloud services, new ways of working — and the senior shares industry knowledge, judgement "
    "and how the organisation really works in return. Learning runs both ways."
)

# (name, description, usual direction). Marked with gettext_noop, not translated here: the English name is
# the key of MENU below and of the org-wide topic catalogue; services translate it into the language
# of the HR admin creating the program (programs/services.py `_topics_ensure`).
TOPICS: list[tuple[str, str, str]] = [
    (gettext_noop("Social media"),
     gettext_noop("Platforms, personal brand, what audiences expect today."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("Digital marketing"),
     gettext_noop("Campaigns, content, analytics and channels that work now."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("Generative AI"),
     gettext_noop("Using AI assistants well and safely in everyday work."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("Cloud services"),
     gettext_noop("What the cloud changes for cost, speed and security."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("Data & analytics tools"),
     gettext_noop("Dashboards, spreadsheets beyond the basics, self-service data."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("New ways of working / collaboration tools"),
     gettext_noop("Chat, shared documents, async and hybrid work."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("Industry knowledge"),
     gettext_noop("How our market, customers and competitors really work."),
     Direction.SENIOR_TEACHES),
    (gettext_noop("Stakeholder management"),
     gettext_noop("Building support, handling disagreement, getting decisions made."),
     Direction.SENIOR_TEACHES),
    (gettext_noop("Leadership & decision-making"),
     gettext_noop("Judgement under uncertainty; leading people and change."),
     Direction.SENIOR_TEACHES),
    (gettext_noop("Organisational history & politics"),
     gettext_noop("Why things are the way they are, and who to ask."),
     Direction.SENIOR_TEACHES),
    (gettext_noop("Career development"),
     gettext_noop("Choices, sponsorship and growing into bigger roles."),
     Direction.SENIOR_TEACHES),
    (gettext_noop("How younger customers buy"),
     gettext_noop("Where younger customers discover, compare and trust a brand."),
     Direction.JUNIOR_TEACHES),
    (gettext_noop("Reading the business"),
     gettext_noop("The numbers, the strategy and what the board worries about."),
     Direction.SENIOR_TEACHES),
]

# The curated reverse mentoring menu: a session agenda and a preparation kit per topic (by the
# topic's name above). Links are public and stable; HR replaces them with intranet pages if wanted.
MENU: dict[str, dict[str, object]] = {
    "Generative AI": {
        "agenda": _(
            "Generative AI at work: what it is good at, and where it goes wrong (10 min)\n"
            "Live: the mentee's own task — a summary, an e-mail draft or a first outline — done with an "
            "approved assistant (20 min)\n"
            "Checking the output: facts, tone, confidential data (10 min)\n"
            "Agree one task to try alone before the next session (5 min)"),
        "prep_links": (
            "Generative AI for Everyone (short course) | https://www.deeplearning.ai/courses/generative-ai-for-everyone/\n"
            "Guidelines for secure AI use (UK NCSC) | https://www.ncsc.gov.uk/collection/guidelines-secure-ai-system-development"),
        "prep_exercise": _(
            "Pick one real, non-confidential task from your week (a meeting summary, a reply to a "
            "customer). Write in two sentences what a good result would look like. Bring both."),
        "prep_questions": _(
            "Which of my tasks could an assistant speed up?\n"
            "What must never go into a prompt here?\n"
            "How do I tell when the answer is made up?"),
    },
    "Social media": {
        "agenda": _(
            "Tour: how the mentor uses LinkedIn and one other platform, and why (10 min)\n"
            "The mentee's profile, read as a stranger would read it (10 min)\n"
            "Write one short post together about a real piece of work (20 min)\n"
            "What to share, what never to share: our social media policy (5 min)"),
        "prep_links": "LinkedIn Help: your profile | https://www.linkedin.com/help/linkedin",
        "prep_exercise": _(
            "Look at your own profile for five minutes as if you were a graduate deciding whether to "
            "join us. Note three things it tells them, and one it should."),
        "prep_questions": _(
            "Whose posts do you read, and why?\n"
            "How often should someone in my role post?\n"
            "How do I answer a critical comment?"),
    },
    "New ways of working / collaboration tools": {
        "agenda": _(
            "The mentor's working day in chat, shared documents and the task board (10 min)\n"
            "Set up together: channels, notifications and one shared document the mentee owns (20 min)\n"
            "Async habits: writing a decision down instead of calling a meeting (10 min)\n"
            "One habit to try for two weeks (5 min)"),
        "prep_links": (
            "Microsoft Teams training | https://support.microsoft.com/teams\n"
            "The remote work playbook (GitLab handbook) | https://handbook.gitlab.com/handbook/company/culture/all-remote/guide/"),
        "prep_exercise": _(
            "Count the meetings in your calendar this week. Mark the ones a written update could have "
            "replaced."),
        "prep_questions": _(
            "How do you keep up with ten busy channels?\n"
            "When is a call still better than a message?"),
    },
    "Data & analytics tools": {
        "agenda": _(
            "Data literacy: reading one of our real dashboards together — what each number means (15 min)\n"
            "Three questions to ask of any chart: compared with what, since when, counted how (10 min)\n"
            "Hands on: answer one of the mentee's own questions with self-service data (15 min)\n"
            "Next step to practise (5 min)"),
        "prep_links": (
            "Visual vocabulary: which chart for which question (Financial Times) | "
            "https://github.com/Financial-Times/chart-doctor/tree/main/visual-vocabulary\n"
            "Our World in Data: examples of charts done well | https://ourworldindata.org/"),
        "prep_exercise": _(
            "Find one chart you were shown this month. Write down the decision it was meant to support "
            "and what it left out."),
        "prep_questions": _(
            "Which numbers do I rely on without knowing where they come from?\n"
            "Who can I ask when a figure looks wrong?"),
    },
    "How younger customers buy": {
        "agenda": _(
            "The mentor's last three purchases: where they heard of it, compared it and decided (10 min)\n"
            "Our brand through a younger customer's eyes: search, reviews, social, our own site (15 min)\n"
            "What would make them trust us, or leave, in the first minute (10 min)\n"
            "One idea the mentee takes to their team (10 min)"),
        "prep_links": (
            "Pew Research Center: social media use by age | https://www.pewresearch.org/internet/fact-sheet/social-media/\n"
            "Think with Google: consumer insights | https://www.thinkwithgoogle.com/consumer-insights/"),
        "prep_exercise": _(
            "Search for our main product on your phone the way a 22-year-old would. Screenshot the "
            "first thing you see that is not from us."),
        "prep_questions": _(
            "Where did your friends last hear about a new brand?\n"
            "What makes you trust a review?\n"
            "What would stop you buying from us?"),
    },
    "Stakeholder management": {
        "agenda": _(
            "A real situation of the mentor's: who decides, who influences, who is affected (10 min)\n"
            "Map it together on one page: interest and influence (15 min)\n"
            "The mentee's story of winning — or losing — someone's support (10 min)\n"
            "The mentor's next conversation, planned (10 min)"),
        "prep_links": "Stakeholder analysis (MindTools) | https://www.mindtools.com/aol0rms/stakeholder-analysis",
        "prep_exercise": _(
            "Write down one piece of work that is stuck, and the three people whose yes would unstick "
            "it. Bring the list."),
        "prep_questions": _(
            "How do you disagree with someone more senior without damaging the relationship?\n"
            "When do you escalate, and how?"),
    },
    "Reading the business": {
        "agenda": _(
            "How we make money: our main revenue lines and costs, in plain words (15 min)\n"
            "One page of the latest results, read together (15 min)\n"
            "What the leadership team worries about this year, and why (10 min)\n"
            "How the mentor's own work shows up in these numbers (5 min)"),
        "prep_links": "How to read financial statements (Investopedia) | https://www.investopedia.com/terms/f/financial-statements.asp",
        "prep_exercise": _(
            "Skim the first five pages of our latest annual report or results update. Mark one sentence "
            "you did not understand."),
        "prep_questions": _(
            "Which number matters most to our CEO?\n"
            "Where is the business growing, and where shrinking?\n"
            "How does my team's work affect the results?"),
    },
    "Career development": {
        "agenda": _(
            "Career navigation: the mentee's path so far — the turns that mattered (10 min)\n"
            "The mentor's next two or three possible steps; what each needs (15 min)\n"
            "Sponsors, visibility and saying yes to the right stretch work (10 min)\n"
            "One conversation the mentor will have this month (10 min)"),
        "prep_links": "",
        "prep_exercise": _(
            "Write the job you want in three years in one sentence, and the two skills it needs that you "
            "do not have yet."),
        "prep_questions": _(
            "How did you decide when to move on?\n"
            "Who spoke up for you, and how did that happen?\n"
            "What would you do differently at my stage?"),
    },
}

PROGRAM_DURATION_WEEKS = 26  # about six months

FRAMEWORK: dict[str, object] = {
    "cadence_weeks": 2,
    "session_minutes": 45,
    "min_sessions": 6,
    "meeting_modes": Program.MeetingModes.EITHER,
    "video_link_template": "",
    "mentor_responsibilities": _(
        "As the mentor you are the expert on the digital topics you chose.\n"
        "- Prepare each session around one practical thing your mentee wants to learn.\n"
        "- Show, don't tell: work through real examples together.\n"
        "- Be patient and candid; there are no silly questions.\n"
        "- Ask about your mentee's experience too: the learning runs both ways.\n"
        "- Log a short shared summary after each session."
    ),
    "mentee_responsibilities": _(
        "As the mentee you are here to learn, and to share what you know in return.\n"
        "- Come with a concrete question or task; practise between sessions.\n"
        "- Book and keep the sessions: your time commitment is the program's success.\n"
        "- Share industry knowledge, judgement and career advice when your mentor asks.\n"
        "- Treat your mentor as the expert in the room, whatever their grade.\n"
        "- Log a short shared summary after each session."
    ),
}

COMMUNICATION_GUIDELINES = _(
    "Agree at your first session how you will stay in touch (chat, e-mail) and how quickly you "
    "usually answer. Book sessions in Flipside so both calendars stay right. If you need to "
    "reschedule, do it at least a day ahead. Keep feedback specific, kind and two-way. If something "
    "isn't working, talk to each other first; you can always contact HR in confidence."
)

CONFIDENTIALITY_RULES: list = [
    _("What is said in a session stays between the two of you unless you both agree to share it."),
    _("Private reflections are yours alone: nobody else — not your pair, HR or program leads — "
      "can read them."),
    _("Shared session summaries are visible to you and your pair only."),
    _("Program leads see anonymous totals only, never individual answers or notes."),
    _("Neither of you reports on the other to their manager; this is not a performance review."),
    _("Either of you may end the pairing at any time, without giving a reason and without blame."),
]

AGREEMENT_TEXT = _(
    "Our mentoring agreement\n\n"
    "Expectations. We meet every two weeks for about 45 minutes, for six months, and aim for at "
    "least six sessions. The mentor shares digital skills; the mentee shares industry knowledge "
    "and experience. We both come prepared.\n\n"
    "Rules we agree to. We keep what we discuss confidential. We are honest, respectful and on "
    "time. We book, reschedule and log sessions in Flipside. Grade and hierarchy stay outside the "
    "room: in our sessions we are two colleagues learning from each other.\n\n"
    "Time commitment. About two hours a month including preparation, for the length of the program. "
    "Our managers know we take part; the time counts as development time.\n\n"
    "Ending without blame. If the pairing does not work for either of us, either may end it at any "
    "time through Flipside. The request goes to HR only, no reason is required, and nobody is blamed. "
    "HR can offer a new pairing."
)

GOALS: list[dict[str, object]] = [
    {"title": _("Pairs keep meeting"), "kind": Goal.Kind.SESSIONS_REACHED, "sessions": 6,
     "target": Decimal("80"),
     "description": _("At least 80% of pairs hold six sessions or more: the relationship needs time.")},
    {"title": _("Participants value their sessions"), "kind": Goal.Kind.SATISFACTION,
     "target": Decimal("4.0"),
     "description": _("Average session rating of 4 out of 5 or better.")},
    {"title": _("Senior leaders grow their digital skills"), "kind": Goal.Kind.SKILL_GAIN,
     "direction": Direction.JUNIOR_TEACHES, "target": Decimal("1.0"),
     "description": _("Mentees' self-assessed skill rises by a full point on average.")},
    {"title": _("Junior colleagues gain business insight"), "kind": Goal.Kind.SKILL_GAIN,
     "direction": Direction.SENIOR_TEACHES, "target": Decimal("0.5"),
     "description": _("Learning runs both ways: mentors' self-assessed skill rises too.")},
]

_AFTER = SurveyQuestion.Survey.AFTER_SESSION
_MID = SurveyQuestion.Survey.MID_PROGRAM
_END = SurveyQuestion.Survey.END_PROGRAM
_K = SurveyQuestion.Kind

QUESTIONS: list[dict[str, object]] = [
    {"survey": _AFTER, "kind": _K.RATING, "measures_satisfaction": True,
     "text": _("How useful was this session for you?")},
    {"survey": _AFTER, "kind": _K.TEXT, "required": False,
     "text": _("What did you learn, or what did you share?")},
    {"survey": _AFTER, "kind": _K.RATING, "first_session_only": True,
     "text": _("How well does your pairing fit what you hoped to learn?")},
    {"survey": _MID, "kind": _K.RATING, "measures_satisfaction": True,
     "text": _("How satisfied are you with the program so far?")},
    {"survey": _MID, "kind": _K.CHOICE, "text": _("How is the meeting rhythm working for you?"),
     "choices": ["About right", "Too often", "Not often enough"]},
    {"survey": _MID, "kind": _K.TEXT, "required": False,
     "text": _("What would make the rest of the program more useful?")},
    {"survey": _END, "kind": _K.RECOMMENDATION,
     "text": _("How likely are you to recommend this program to a colleague?")},
    {"survey": _END, "kind": _K.SKILLS,
     "text": _("Rate your skill in each topic now, and before the program (1–5).")},
    {"survey": _END, "kind": _K.TEXT, "required": False,
     "text": _("What is the most valuable thing you take away?")},
]

RESOURCES: list[dict[str, object]] = [
    {"audience": Resource.Audience.BOTH, "title": _("How reverse mentoring works"),
     "required_before_matching": True,
     "description": _("Ten minutes to read before you are matched: roles, confidentiality, ending well."),
     "body": _(
         "Reverse mentoring flips the usual direction: a junior colleague mentors a senior one on "
         "digital topics, and the senior shares industry knowledge back. Read the agreement and the "
         "confidentiality rules; agree your goals in the first session; meet regularly; log a short "
         "shared summary. Either of you can end the pairing without blame.")},
    {"audience": Resource.Audience.MENTORS, "title": _("Mentoring a senior colleague"),
     "description": _("Practical tips for junior mentors: preparing sessions, giving feedback upwards."),
     "body": _(
         "Start from your mentee's real tasks. Demonstrate, then let them try. Agree a small thing to "
         "practise before the next session. Feedback upwards is welcome here: be specific and kind.")},
    {"audience": Resource.Audience.MENTEES, "title": _("Learning from a junior colleague"),
     "description": _("For senior mentees: make the most of your sessions, and share back."),
     "body": _(
         "Come curious, not as the boss. Bring concrete questions, practise between sessions and keep "
         "your bookings. Share context and career advice when it helps: the learning runs both ways.")},
    {"audience": Resource.Audience.BOTH, "title": _("Your first session: a checklist"),
     "description": _("Introductions, goals in both directions, how you will stay in touch."),
     "body": _(
         "1. Introduce yourselves and what you hope to learn and to share.\n"
         "2. Agree two or three goals in each direction.\n"
         "3. Agree how you will stay in touch and book the next sessions.\n"
         "4. Re-read the confidentiality rules together.")},
]


def program_create_from_template(**kwargs) -> Program:
    """Shortcut to `services.program_create_from_template` (the service does the writing)."""
    from programs.services import program_create_from_template as create

    return create(**kwargs)
