"""Wagtail hooks of the library: file access and usage counting."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from wagtail import hooks

from .access import can_download, can_view_item
from .models import ItemFile, LibraryItemPage
from .usage.counting import count_use
from .usage.models import UsageKind


@hooks.register("before_serve_document")
def check_library_file_access(document, request):
    """
    Apply the library's access rules to Wagtail's own document URL.

    ``/documents/<id>/<name>`` would otherwise serve a protected file to
    anyone who guesses its address. Documents outside the library pass.
    Served library files count as downloads of their item.
    """
    item_file = (
        ItemFile.objects.select_related("item").filter(document=document).first()
    )
    if item_file is None:
        return None
    if can_download(request.user, item_file):
        if item_file.item.live:
            count_use(request, item_file.item_id, UsageKind.DOWNLOAD)
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


@hooks.register("before_serve_page")
def count_item_view(page, request, serve_args, serve_kwargs):
    """
    Count a view of a live library item that the visitor may open.

    The page's own ``serve`` still makes the access decision; this check
    only keeps refused requests out of the counts.
    """
    if not isinstance(page, LibraryItemPage) or not page.live:
        return None
    if can_view_item(request.user, page):
        # The views of an alias count for the work that it mirrors.
        count_use(request, page.original_item().pk, UsageKind.VIEW)
    return None
