"""Back-office views of the program schema. Everyday work happens in the HR pages."""

from __future__ import annotations

from django.contrib import admin

from programs.models import (
    AgreementVersion,
    ConfidentialityRule,
    EmployeeImport,
    EmployeeInvitation,
    Goal,
    OrgChange,
    Program,
    ProgramChange,
    ProgramTopic,
    Resource,
    SurveyQuestion,
    Topic,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class GoalInline(ReadOnlyInline):
    model = Goal
    fields = ["order", "title", "kind", "target", "sessions", "direction"]


class ProgramTopicInline(ReadOnlyInline):
    model = ProgramTopic
    fields = ["topic", "direction"]


class RuleInline(ReadOnlyInline):
    model = ConfidentialityRule
    fields = ["order", "text"]


class AgreementInline(ReadOnlyInline):
    model = AgreementVersion
    fields = ["version", "published_at", "created_by", "created_at"]


class QuestionInline(ReadOnlyInline):
    model = SurveyQuestion
    fields = ["survey", "order", "kind", "text", "required"]


class ResourceInline(ReadOnlyInline):
    model = Resource
    fields = ["order", "audience", "title", "required_before_matching"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "cohort", "starts_on", "ends_on", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "cohort"]
    # Status changes go through program_advance (checks and history), never a plain edit.
    readonly_fields = ["status", "cloned_from", "created_by", "created_at", "updated_at",
                       "end_survey_sent_at"]
    filter_horizontal = ["leads"]
    inlines = [GoalInline, ProgramTopicInline, RuleInline, AgreementInline, QuestionInline, ResourceInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "usual_direction"]
    list_filter = ["usual_direction"]
    search_fields = ["name"]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ["program", "version", "published_at", "created_by"]
    list_filter = ["program"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Published versions are what participants accepted: never edited (see agreement_save).
        return False


@admin.register(ProgramChange)
class ProgramChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "program", "actor", "area", "summary"]
    list_filter = ["area", "program"]
    search_fields = ["summary"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrgChange)
class OrgChangeAdmin(ProgramChangeAdmin):
    list_display = ["at", "actor", "area", "summary"]
    list_filter = ["area"]


@admin.register(EmployeeImport)
class EmployeeImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "uploaded_by", "applied_at", "applied_by"]
    exclude = ["raw_text"]
    readonly_fields = ["uploaded_by", "created_at", "filename", "applied_at", "applied_by", "result"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(EmployeeInvitation)
class EmployeeInvitationAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "user", "invited_by"]
    readonly_fields = ["sent_at", "user", "invited_by"]

    def has_add_permission(self, request) -> bool:
        return False
