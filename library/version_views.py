"""Upload a new version of a library file."""

import logging
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from lms import audit
from lms.uploads import FileSizeLimitHandler

from .access import can_manage_item, publishes_at_once
from .forms import FORMAT_NAMES, check_content, check_size
from .models import ItemFile
from .versions import NotCurrentVersion, add_version

logger = logging.getLogger(__name__)


def can_add_version(user, item):
    """
    Return whether ``user`` may upload new versions of ``item``'s files.

    The item's managers may, but an uploader whose uploads wait for review
    (a student) may replace files only while the item is still a draft, so
    a published item's files change only with a reviewer's consent.
    """
    if not can_manage_item(user, item):
        return False
    if not item.live or item.owner_id != user.pk:
        return True
    return publishes_at_once(user, item.get_parent().specific)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, current, oversized_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        # The name of a file that the upload handler dropped for its size.
        self.oversized_name = oversized_name
        if oversized_name is not None:
            self.fields["file"].required = False
        self.content_type = None
        self.fields["file"].help_text = _(
            "A PDF, EPUB or plain-text file of at most %(limit)s."
        ) % {"limit": filesizeformat(settings.LIBRARY_MAX_FILE_SIZE)}

    def clean_file(self):
        if self.oversized_name is not None:
            raise ValidationError(
                _(
                    "The file %(name)s is larger than the limit of %(limit)s. "
                    "Upload a smaller file."
                ),
                code="file_too_large",
                params={
                    "name": Path(self.oversized_name).name,
                    "limit": filesizeformat(settings.LIBRARY_MAX_FILE_SIZE),
                },
            )
        upload = self.cleaned_data["file"]
        name = Path(upload.name).name
        check_size(upload, name)
        content_type = check_content(upload, name)
        if content_type != self.current.content_type:
            raise ValidationError(
                _(
                    "The new file must have the same format as the current "
                    "version (%(format)s)."
                ),
                code="format_changed",
                params={
                    "format": FORMAT_NAMES.get(
                        self.current.content_type, self.current.content_type
                    )
                },
            )
        self.content_type = content_type
        return upload


@csrf_exempt
def new_version(request, pk):
    """
    Let the people whom ``can_add_version`` allows upload a new version of a file.

    As in the upload view, the size-limit handler is installed before
    anything reads the body, so the CSRF check runs in ``_version_form``.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    limit_handler = FileSizeLimitHandler(request, settings.LIBRARY_MAX_FILE_SIZE)
    request.upload_handlers.insert(0, limit_handler)
    return _version_form(request, pk, limit_handler)


@csrf_protect
def _version_form(request, pk, limit_handler):
    current = get_object_or_404(
        ItemFile.objects.select_related("item", "document"), pk=pk
    )
    item = current.item
    if not can_add_version(request.user, item):
        raise PermissionDenied
    if ItemFile.objects.filter(replaces=current).exists():
        return _not_current(request, item)
    if request.method == "POST":
        form = VersionForm(
            request.POST,
            request.FILES,
            current=current,
            oversized_name=limit_handler.skipped_name,
        )
        if form.is_valid():
            try:
                new_file = add_version(
                    current,
                    form.cleaned_data["file"],
                    user=request.user,
                    content_type=form.content_type,
                )
            except NotCurrentVersion:
                logger.info(
                    "library new version rejected, file already replaced "
                    "item_file=%s user=%s",
                    current.pk,
                    request.user.pk,
                )
                return _not_current(request, item)
            audit.record(
                "library.new_version",
                obj=new_file,
                request=request,
                item=item.pk,
                replaces=current.pk,
            )
            messages.success(
                request,
                gettext("The new version is stored. Its text is being extracted."),
            )
            return redirect(item.url if item.live else "library:my_uploads")
    else:
        form = VersionForm(current=current)
    return render(
        request,
        "library/new_version.html",
        {"form": form, "item": item, "current": current},
        status=400 if form.is_bound else 200,
    )


def _not_current(request, item):
    messages.error(
        request, gettext("Only the current version of a file can be replaced.")
    )
    return redirect(item.url if item.live else "library:my_uploads")
