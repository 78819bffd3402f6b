"""The page of a person's in-app notifications."""

import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .models import Notification

logger = logging.getLogger(__name__)

PAGE_SIZE = 30


@login_required
@require_GET
def notifications(request):
    """List the person's notifications, newest first, unread ones marked."""
    own = Notification.objects.filter(recipient=request.user)
    page = Paginator(own, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "unread_count": own.filter(read_at__isnull=True).count(),
    }
    return render(request, "courses/notifications.html", context)


@login_required
@require_POST
def mark_read(request):
    """
    Mark notifications of the person as read, then go back or follow one.

    With ``id`` the one notification is marked, and the person is sent to
    its address when that is local. Without ``id`` all of them are marked.
    Ids of other people's notifications match nothing and change nothing.
    """
    own = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    raw_id = request.POST.get("id", "")
    if raw_id:
        target = (
            Notification.objects.filter(recipient=request.user, pk=raw_id).first()
            if raw_id.isdigit()
            else None
        )
        if target is None:
            return redirect("courses:notifications")
        own.filter(pk=target.pk).update(read_at=timezone.now())
        if target.url and url_has_allowed_host_and_scheme(
            target.url, allowed_hosts={request.get_host()}
        ):
            return redirect(target.url)
        return redirect("courses:notifications")
    count = own.update(read_at=timezone.now())
    logger.info("notifications read user=%s count=%s", request.user.pk, count)
    return redirect("courses:notifications")
