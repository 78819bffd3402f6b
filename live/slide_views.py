"""The page images of the slides shown in a live session."""

import logging

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from . import slides
from .errors import error_message
from .models import SlideDeck
from .protocol import ProtocolError
from .views import forbidden, load_session

logger = logging.getLogger(__name__)

# A page image never changes under its address, which carries the file's
# hash, so browsers may keep it for the rest of the day.
IMAGE_MAX_AGE_SECONDS = 24 * 3600


@login_required
@require_safe
def slide_image(request, session_id, deck_id, page):
    """
    Send one page of a slide deck as a WebP image.

    Only the people who may join the session get it, during the class and
    afterwards. The page is rendered on the first request if the storage
    lacks it.
    """
    session, course, role = load_session(request, session_id)
    if role is None:
        return forbidden(request, session, course)
    deck = get_object_or_404(
        SlideDeck.objects.select_related("document"), pk=deck_id, session=session
    )
    if not 1 <= page <= deck.page_count:
        raise Http404("The slide deck has no such page.")
    try:
        name = slides.ensure_image(deck, page)
    except ProtocolError as error:
        logger.warning(
            "live slide image failed session=%s deck=%s page=%s code=%s",
            session.pk,
            deck.pk,
            page,
            error.code,
        )
        return HttpResponse(
            error_message(error.code, error.params),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(default_storage.open(name, "rb"), content_type="image/webp")
    response["Cache-Control"] = f"private, max-age={IMAGE_MAX_AGE_SECONDS}"
    return response
