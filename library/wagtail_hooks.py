"""Wagtail hooks of the library."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from wagtail import hooks

from .access import can_download
from .models import ItemFile


@hooks.register("before_serve_document")
def check_library_file_access(document, request):
    """
    Apply the library's access rules to Wagtail's own document URL.

    ``/documents/<id>/<name>`` would otherwise serve a protected file to
    anyone who guesses its address. Documents outside the library pass.
    """
    item_file = (
        ItemFile.objects.select_related("item").filter(document=document).first()
    )
    if item_file is None or can_download(request.user, item_file):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied
