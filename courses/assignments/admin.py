from django.contrib import admin

from .models import (
    Assignment,
    Extension,
    Grade,
    Rubric,
    RubricCriterion,
    RubricLevel,
    Submission,
)


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 1


class RubricLevelInline(admin.TabularInline):
    model = RubricLevel
    extra = 2


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["title", "course"]
    search_fields = ["title"]
    inlines = [RubricCriterionInline]


@admin.register(RubricCriterion)
class RubricCriterionAdmin(admin.ModelAdmin):
    list_display = ["title", "rubric", "position"]
    inlines = [RubricLevelInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "opens_at", "due_at", "late_policy"]
    list_filter = ["late_policy", "submission_kind"]
    search_fields = ["title"]
    raw_id_fields = ["course", "created_by"]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "student", "due_at", "granted_by", "granted_at"]
    raw_id_fields = ["assignment", "student", "granted_by"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "student", "version", "submitted_at", "days_late"]
    raw_id_fields = ["assignment", "student"]
    readonly_fields = ["file", "original_name", "file_type", "size"]


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["submission", "score", "graded_by", "returned_at"]
    raw_id_fields = ["submission", "graded_by"]
