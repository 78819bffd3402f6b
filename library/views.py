"""Views of the library: search, upload, the uploader's list and downloads."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from lms import audit
from lms.unavailable import (
    STORAGE_ERRORS,
    retry_after_seconds,
    storage_unavailable_error,
)
from lms.uploads import FileSizeLimitHandler

from . import citation_views
from .access import can_download, publishes_at_once, upload_libraries
from .forms import SearchForm, UploadForm
from .models import ItemFile, LibraryItemPage
from .search import search_items
from .uploads import create_item
from .usage.counting import count_use
from .usage.models import UsageKind
from .version_views import can_add_version
from .workflow import resubmit, review_status, submit_for_review

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 20


@require_GET
def search(request):
    """
    List the live items that match the query and facets and that the person
    may see.

    Without any parameter the page shows only the search form. Every
    parameter is a GET parameter, so a result page can be shared by its URL.
    """
    form = SearchForm(request.GET)
    found = None
    query = request.GET.get("q", "")
    if form.is_valid():
        query = form.cleaned_data["q"]
        filters = form.filters()
        if query or filters:
            found = search_items(request.user, query, filters, request.GET.get("page"))
            _link_facets(request, found.facets)
    # The selects of the search box cover type and language. Other facet
    # filters are kept as hidden fields, so a new query keeps them.
    hidden_filters = [
        (name, request.GET[name])
        for name in ("school", "year", "subject")
        if request.GET.get(name) and name not in form.errors
    ]
    return render(
        request,
        "library/search.html",
        {
            "form": form,
            "query": query,
            "results": found.page if found else None,
            "facets": found.facets if found else [],
            "has_words": found.has_words if found else True,
            "hidden_filters": hidden_filters,
            "max_export_items": citation_views.MAX_EXPORT_ITEMS,
        },
    )


def _link_facets(request, facets):
    """Give each facet value the URL that selects it, or removes it if selected."""
    for facet in facets:
        for value in facet.values:
            params = request.GET.copy()
            params.pop("page", None)
            if value.selected:
                params.pop(facet.name, None)
            else:
                params[facet.name] = value.value
            value.url = f"?{params.urlencode()}"


@csrf_exempt
def upload(request):
    """
    Let a member of a school upload a file to the school's library.

    The size-limit handler must be installed before anything reads the
    request body, and the CSRF middleware does, so the CSRF check runs in
    ``_upload_form`` instead. Anonymous requests are redirected before the
    body is read at all.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    limit_handler = FileSizeLimitHandler(request, settings.LIBRARY_MAX_FILE_SIZE)
    request.upload_handlers.insert(0, limit_handler)
    return _upload_form(request, limit_handler)


@csrf_protect
def _upload_form(request, limit_handler):
    if not upload_libraries(request.user).exists():
        return render(request, "library/upload_unavailable.html", status=403)
    if request.method == "POST":
        form = UploadForm(
            request.POST,
            request.FILES,
            user=request.user,
            oversized_name=limit_handler.skipped_name,
        )
        if form.is_valid():
            return _store_upload(request, form)
    else:
        form = UploadForm(user=request.user)
    return render(request, "library/upload.html", {"form": form})


def _store_upload(request, form):
    index = form.cleaned_data["library"]
    publish = publishes_at_once(request.user, index)
    try:
        item_file = create_item(
            index,
            form.metadata(),
            form.cleaned_data["file"],
            user=request.user,
            content_type=form.content_type,
            publish=publish,
        )
    except STORAGE_ERRORS as error:
        # create_item has rolled back: no item and no row point at the file.
        logger.warning(
            "library upload failed, file store unreachable user=%s library=%s error=%s",
            request.user.pk,
            index.pk,
            error,
        )
        form.add_error("file", storage_unavailable_error())
        response = render(request, "library/upload.html", {"form": form}, status=503)
        response["Retry-After"] = str(retry_after_seconds())
        return response
    audit.record(
        "library.upload",
        obj=item_file,
        request=request,
        item=item_file.item_id,
        live=publish,
    )
    if publish:
        messages.success(request, _("The item is published in the library."))
        return redirect(item_file.item.url)
    submit_for_review(item_file.item, request.user)
    messages.success(
        request,
        _("Thank you. The item waits for review by the library staff."),
    )
    return redirect("library:my_uploads")


@login_required
def my_uploads(request):
    """List the items the person uploaded, published or waiting for review."""
    items = (
        LibraryItemPage.objects.filter(owner=request.user)
        .select_related("school")
        .prefetch_related("files")
        .order_by("-pk")
    )
    page = Paginator(items, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.review = review_status(item)
        files = list(item.files.all())
        replaced_ids = {f.replaces_id for f in files if f.replaces_id}
        item.current_files_list = [f for f in files if f.pk not in replaced_ids]
        item.may_add_version = can_add_version(request.user, item)
    return render(request, "library/my_uploads.html", {"items": page})


@require_POST
@login_required
def resubmit_upload(request, pk):
    """Send an item back to review after its uploader made the requested changes."""
    item = get_object_or_404(LibraryItemPage, pk=pk, owner=request.user)
    if resubmit(item, request.user) is None:
        messages.error(request, _("This item is not waiting for changes."))
    else:
        messages.success(request, _("The item waits for review again."))
    return redirect("library:my_uploads")


@require_GET
def download(request, pk):
    """Send a file as an attachment after checking access on every request."""
    item_file = get_object_or_404(
        ItemFile.objects.select_related("document", "item"), pk=pk
    )
    if not can_download(request.user, item_file):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    logger.info("library download item_file=%s user=%s", item_file.pk, request.user.pk)
    if item_file.item.live:
        count_use(request, item_file.item_id, UsageKind.DOWNLOAD)
    return file_response(item_file)


def file_response(item_file):
    """
    Return a response that delivers ``item_file`` as an attachment.

    With S3 storage this is a redirect to a pre-signed URL that expires
    after the storage's ``querystring_expire`` seconds. The URL's response
    parameters make S3 send the same headers. Other storages stream the file.
    """
    stored = item_file.document.file
    storage = stored.storage
    if _is_s3(storage):
        url = storage.url(
            stored.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(
                    True, item_file.original_name
                ),
                "ResponseContentType": item_file.content_type,
            },
        )
        response = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            storage.open(stored.name, "rb"),
            as_attachment=True,
            filename=item_file.original_name,
            content_type=item_file.content_type,
        )
        response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _is_s3(storage):
    # Imported here so that boto3 is loaded only when a download needs it.
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage) and storage.querystring_auth
