"""The program settings only reverse mentoring needs (issue 18), kept beside the Program model.

An abstract base of :class:`programs.models.Program`: the fields are columns of the program row
like every other setting, and each section form edits them; they live here so models.py stays short.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReverseMentoringSettings(models.Model):
    # Learning both ways and the junior mentor's safety (issue 18 items 3 + 4): the end-of-program
    # survey's reverse-back questions, and a private comfort pulse to junior mentors only.
    reverse_back_questions = models.BooleanField(
        _("ask the reverse-back questions at the end"), default=True,
        help_text=_("The end-of-program survey asks whether people would take part again, and "
                    "whether they would mentor or be mentored the other way next time."))
    safety_pulse = models.BooleanField(
        _("private pulse to junior mentors"), default=True,
        help_text=_("Asks each junior mentor, privately, how comfortable they are giving their mentee "
                    "honest feedback. HR sees a trend and an alert when a score drops."))
    safety_pulse_weeks = models.PositiveSmallIntegerField(
        _("pulse every (weeks)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)])

    # Commitment guard and protected recurring slots (issue 18, item 2; see meetings/commitment.py
    # and meetings/series.py).
    commitment_rebook_days = models.PositiveSmallIntegerField(
        _("a cancelled session gets a new time within (days)"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("When a mentee cancels, Flipside asks them for a new time within this many days; "
                    "halfway through it reminds them, and after it the sponsor or the program leads hear "
                    "about it."))
    commitment_max_cancellations = models.PositiveSmallIntegerField(
        _("tell the sponsor after this many cancellations by one side"), default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)])
    commitment_sponsor_name = models.CharField(
        _("executive sponsor's name"), max_length=120, blank=True,
        help_text=_("Leave empty to tell the program leads instead."))
    commitment_sponsor_email = models.EmailField(
        _("executive sponsor's e-mail"), blank=True,
        help_text=_("If the sponsor has a Flipside account with this address, they also get their chat "
                    "messages there."))
    series_allowed = models.BooleanField(
        _("pairs may agree a recurring slot"), default=True,
        help_text=_("A protected slot that repeats (for example every second Tuesday at 9:00) and sits "
                    "in both calendars."))
    # Out-of-hours guard (issue 18 item 5): booking, proposing or moving a session outside the
    # partner's working hours warns and asks to confirm; at night it is refused (meetings.hours).
    hours_guard = models.BooleanField(
        _("guard the partner's working hours"), default=True,
        help_text=_("Warn before a session outside the partner's working hours, and refuse one at "
                    "night (22:00–07:00 their time) unless they accept night sessions."))
    working_hours_start = models.TimeField(
        _("usual working day starts"), default=dt.time(8, 0),
        help_text=_("For people who have not published their availability, in their own time zone."))
    working_hours_end = models.TimeField(_("usual working day ends"), default=dt.time(18, 0))

    class Meta:
        abstract = True
