from django.contrib import admin

from .models import ItemFile


@admin.register(ItemFile)
class ItemFileAdmin(admin.ModelAdmin):
    """Superusers' view of library files and their text extraction."""

    list_display = [
        "original_name",
        "item",
        "content_type",
        "size",
        "extraction_status",
        "page_count",
        "created_at",
    ]
    list_filter = ["extraction_status", "content_type"]
    search_fields = ["original_name", "sha256", "item__title"]
    raw_id_fields = ["item", "document", "uploaded_by"]
    readonly_fields = [
        "sha256",
        "size",
        "content_type",
        "extraction_status",
        "extraction_error",
        "extraction_message",
        "page_count",
        "extracted_at",
        "extracted_text",
    ]
