from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import (
    InvalidTransition,
    LiveConnection,
    LiveEvent,
    LiveSession,
    SessionState,
)


def _change_states(modeladmin, request, queryset, new_state):
    changed = 0
    for session in queryset:
        try:
            services.change_state(session, new_state, request.user)
        except InvalidTransition:
            continue
        changed += 1
    modeladmin.message_user(
        request,
        _("Live sessions changed: %(changed)d of %(selected)d.")
        % {"changed": changed, "selected": len(queryset)},
        messages.SUCCESS if changed else messages.WARNING,
    )


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "teacher", "starts_at", "state", "last_seq"]
    list_filter = ["state"]
    search_fields = ["title", "course__title", "teacher__username"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["course", "teacher"]
    readonly_fields = ["state", "opened_at", "ended_at", "last_seq", "created_at"]
    actions = ["open_sessions", "end_sessions"]

    @admin.action(description=gettext_lazy("Open the selected scheduled live sessions"))
    def open_sessions(self, request, queryset):
        _change_states(self, request, queryset, SessionState.OPEN)

    @admin.action(description=gettext_lazy("End the selected live sessions"))
    def end_sessions(self, request, queryset):
        _change_states(self, request, queryset, SessionState.ENDED)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Show rows that only the application writes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LiveEvent)
class LiveEventAdmin(ReadOnlyAdmin):
    list_display = ["session", "seq", "kind", "sender", "created_at"]
    list_filter = ["kind"]
    search_fields = ["session__title"]
    list_select_related = ["session", "sender"]

    def has_delete_permission(self, request, obj=None):
        # The event log is append-only.
        return False


@admin.register(LiveConnection)
class LiveConnectionAdmin(ReadOnlyAdmin):
    list_display = ["session", "user", "role", "connected_at"]
    list_select_related = ["session", "user"]
