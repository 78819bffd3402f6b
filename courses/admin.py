from django.contrib import admin

from .models import Enrolment


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["student", "course", "method", "created_at", "ends_on"]
    list_filter = ["method", "ends_on"]
    search_fields = ["student__username", "student__first_name", "course__title"]
    raw_id_fields = ["student", "course"]
    date_hierarchy = "created_at"
