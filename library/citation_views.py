"""Download citations of one item or of a search result list."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from . import citations
from .access import can_view_item
from .forms import SearchForm
from .models import LibraryItemPage
from .search import search_items

# The maximum number of results in one list export, in the order of the
# result pages. The search page states the cap next to the export links when
# a search has more hits. The cap bounds the work of one anonymous request,
# and 500 covers the 25 result pages of 20 that people read through.
MAX_EXPORT_ITEMS = 500


def _response(citation_list, format_name, filename):
    try:
        text, content_type, extension = citations.export(citation_list, format_name)
    except KeyError:
        raise Http404 from None
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{filename}.{extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _with_citation_fields(items):
    return items.select_related("school").prefetch_related("creators", "subjects")


@require_GET
def cite_item(request, pk, format_name):
    """
    Send the citation of one item the person may see, as a file.

    An alias is cited as its original, under the original's access rules.
    """
    if format_name not in citations.FORMATS:
        raise Http404
    item = get_object_or_404(_with_citation_fields(LibraryItemPage.objects), pk=pk)
    if item.alias_of_id is not None:
        item = _with_citation_fields(LibraryItemPage.objects).get(
            pk=item.original_item().pk
        )
    if not item.live and not can_view_item(request.user, item):
        raise Http404
    if not can_view_item(request.user, item):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    citation = citations.Citation.from_item(item, request)
    return _response([citation], format_name, citations.bibtex_key(citation))


@require_GET
def cite_results(request, format_name):
    """
    Send the citations of a search result list, with the search page's GET
    parameters, as a file.

    Only hits that the person may see are included, at most
    ``MAX_EXPORT_ITEMS`` of them. Invalid parameters show the search page
    with its errors and status 400.
    """
    if format_name not in citations.FORMATS:
        raise Http404
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "library/search.html",
            {"form": form, "query": request.GET.get("q", ""), "results": None},
            status=400,
        )
    found = search_items(
        request.user,
        form.cleaned_data["q"],
        form.filters(),
        page_number=1,
        per_page=MAX_EXPORT_ITEMS,
    )
    ranked_ids = [item.pk for item in found.page.object_list]
    items = _with_citation_fields(LibraryItemPage.objects.filter(pk__in=ranked_ids))
    by_id = {item.pk: item for item in items}
    citation_list = [
        citations.Citation.from_item(by_id[pk], request)
        for pk in ranked_ids
        if pk in by_id
    ]
    return _response(citation_list, format_name, "library-citations")
