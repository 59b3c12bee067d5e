"""Back-office views of the pairing app. Exit reasons are confidential: never in list views."""

from __future__ import annotations

from django.contrib import admin

from pairing.models import (
    AvailabilityWindow,
    Enrollment,
    ExitRequest,
    Expertise,
    LearningInterest,
    MatchRun,
    Pair,
    PairExclusion,
    Profile,
    SkillRating,
    TrainingCompletion,
)


class ExpertiseInline(admin.TabularInline):
    model = Expertise
    extra = 0


class InterestInline(admin.TabularInline):
    model = LearningInterest
    extra = 0


class AvailabilityInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user"]
    inlines = [ExpertiseInline, InterestInline, AvailabilityInline]


class TrainingInline(admin.TabularInline):
    model = TrainingCompletion
    extra = 0


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "role", "status", "applied_at", "decided_at"]
    list_filter = ["status", "role", "program"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["user", "program"]
    raw_id_fields = ["user", "decided_by"]
    inlines = [TrainingInline]


@admin.register(SkillRating)
class SkillRatingAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "topic", "direction", "phase", "score"]
    list_filter = ["phase", "direction"]
    raw_id_fields = ["enrollment"]


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["id", "program", "status", "progress", "matched", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["program"]
    readonly_fields = ["unmatched", "error"]


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["id", "program", "mentor", "mentee", "status", "score", "locked", "published_at"]
    list_filter = ["status", "locked", "program"]
    list_select_related = ["program", "mentor__user", "mentor__program", "mentee__user", "mentee__program"]
    raw_id_fields = ["mentor", "mentee", "match_run"]


@admin.register(PairExclusion)
class PairExclusionAdmin(admin.ModelAdmin):
    list_display = ["program", "mentor", "mentee", "created_at"]
    list_select_related = ["program", "mentor__user", "mentor__program", "mentee__user", "mentee__program"]
    raw_id_fields = ["mentor", "mentee"]


@admin.register(ExitRequest)
class ExitRequestAdmin(admin.ModelAdmin):
    # `reason` is confidential to HR: it is on the change page only, never in lists or searches.
    list_display = ["id", "pair", "requested_by", "kind", "created_at", "resolved_at", "outcome"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["pair__mentor__user", "pair__mentee__user", "requested_by"]
    raw_id_fields = ["pair", "requested_by", "resolved_by"]
