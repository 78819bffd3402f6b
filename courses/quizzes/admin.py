from django.contrib import admin

from .models import Allowance, Attempt, Choice, Question, Quiz, QuizQuestion


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 4


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "category", "course"]
    list_filter = ["kind"]
    search_fields = ["text", "category"]
    raw_id_fields = ["course"]
    inlines = [ChoiceInline]


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    raw_id_fields = ["question"]
    extra = 1


class AllowanceInline(admin.TabularInline):
    model = Allowance
    raw_id_fields = ["student"]
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "opens_at", "closes_at", "grades_released"]
    raw_id_fields = ["course"]
    inlines = [QuizQuestionInline, AllowanceInline]


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ["quiz", "student", "number", "status", "score", "started_at"]
    list_filter = ["status"]
    raw_id_fields = ["quiz", "student"]
    readonly_fields = ["seed", "layout"]
