from django.contrib import admin

from .models import AdmissionPeriod, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 1
    fields = ["name", "kind", "opens_at", "closes_at"]


@admin.register(AdmissionPeriod)
class AdmissionPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "academic_year", "is_published", "updated_at"]
    list_filter = ["level", "is_published", "academic_year"]
    search_fields = ["name"]
    inlines = [StageInline]
