"""The topic menu's parts of the programs models (kept apart so models.py stays readable): a menu
entry's session agenda and preparation kit, and a pair member's topic proposal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    """Who teaches whom. Reverse mentoring: the junior mentor teaches the senior mentee."""

    JUNIOR_TEACHES = "junior_teaches", _("Junior mentor teaches senior mentee")
    SENIOR_TEACHES = "senior_teaches", _("Senior mentee teaches junior mentor")


class TopicKit(models.Model):
    """A session agenda and a preparation kit (ProgramTopic: one entry of a program's menu)."""

    agenda = models.TextField(_("session agenda"), max_length=2000, blank=True,
                              help_text=_("A short plan for a session on this topic, one step per line."))
    prep_links = models.TextField(
        _("links to read or watch"), max_length=2000, blank=True,
        help_text=_("One per line: a title, a vertical bar and the link, e.g. "
                    "“Prompting basics | https://example.com/prompts”."))
    prep_exercise = models.TextField(_("a 5-minute exercise"), max_length=1000, blank=True)
    prep_questions = models.TextField(_("questions to bring"), max_length=1000, blank=True,
                                      help_text=_("One per line."))

    class Meta:
        abstract = True

    # The kit as the pages and e-mails show it (parsing lives in programs.topic_menu).
    @property
    def agenda_steps(self) -> list[str]:
        from programs.topic_menu import lines

        return lines(self.agenda)

    @property
    def question_list(self) -> list[str]:
        from programs.topic_menu import lines

        return lines(self.prep_questions)

    @property
    def link_list(self) -> list[tuple[str, str]]:
        from programs.topic_menu import kit_links

        return kit_links(self)

    @property
    def has_kit(self) -> bool:
        return any(getattr(self, name).strip() for name in ("agenda", "prep_links", "prep_exercise",
                                                          "prep_questions"))


class TopicProposal(models.Model):
    """A pair member's suggestion for the program's topic menu; HR approves or declines it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for HR")
        APPROVED = "approved", _("Added to the menu")
        DECLINED = "declined", _("Declined")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="topic_proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    name = models.CharField(_("topic"), max_length=80)
    direction = models.CharField(_("who teaches it"), max_length=20, choices=Direction.choices)
    why = models.TextField(_("why it would help"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note to the proposer"), max_length=300, blank=True)
    program_topic = models.ForeignKey("programs.ProgramTopic", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Topic proposal “{self.name}” ({self.status})"
