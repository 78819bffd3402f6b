"""Course announcements and discussion threads with their replies."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .access import (
    ALL_ROLES,
    READER_ROLES,
    STAFF_ROLES,
    CourseDenied,
    course_role_or_deny,
    course_view,
    forbidden,
)
from .api import enrolled_students
from .forms import AnnouncementForm, PostForm, ThreadForm
from .models import Announcement, LessonPage, Notification, Post, Thread
from .notify import notify

logger = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
@course_view(ALL_ROLES)
def announcements(request, course, role):
    """List a course's announcements; its teachers post new ones here."""
    may_post = role in STAFF_ROLES
    form = AnnouncementForm(request.POST or None) if may_post else None
    if request.method == "POST":
        if not may_post:
            return forbidden(request, course=course)
        if form.is_valid():
            announcement = Announcement.objects.create(
                course=course,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
            url = reverse("courses:announcements", args=[course.pk])
            students = list(enrolled_students(course))
            guardians = course.enrolments.active().values_list(
                "student__guardian_links__guardian", flat=True
            )
            notify(
                [*students, *guardians],
                Notification.Kind.ANNOUNCEMENT,
                f"{course.title}: {announcement.title}",
                url,
            )
            logger.info(
                "announcement posted course=%s announcement=%s",
                course.pk,
                announcement.pk,
            )
            messages.success(request, _("The announcement is posted."))
            return redirect(url)
    context = {
        "course": course,
        "role": role,
        "form": form,
        "announcements": course.announcements.select_related("author"),
    }
    return render(
        request,
        "courses/announcements.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


def _lesson_of(course, raw_id):
    if not raw_id:
        return None
    if not str(raw_id).isdigit():
        raise Http404
    lesson = LessonPage.objects.live().descendant_of(course).filter(pk=raw_id).first()
    if lesson is None:
        raise Http404
    return lesson


@login_required
@require_http_methods(["GET", "POST"])
@course_view(READER_ROLES)
def threads(request, course, role):
    """List the threads of a course, or of one lesson; anyone in it may start one."""
    lesson = _lesson_of(course, request.GET.get("lesson") or request.POST.get("lesson"))
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            thread = Thread.objects.create(
                course=course,
                lesson=lesson,
                author=request.user,
                title=form.cleaned_data["title"],
            )
            Post.objects.create(
                thread=thread, author=request.user, body=form.cleaned_data["body"]
            )
        logger.info(
            "thread started course=%s thread=%s user=%s",
            course.pk,
            thread.pk,
            request.user.pk,
        )
        return redirect("courses:thread", thread_id=thread.pk)
    listed = course.threads.select_related("author", "lesson")
    if lesson is not None:
        listed = listed.filter(lesson=lesson)
    if role not in STAFF_ROLES:
        listed = listed.filter(is_hidden=False)
    context = {
        "course": course,
        "lesson": lesson,
        "role": role,
        "threads": listed,
        "form": form,
    }
    return render(
        request,
        "courses/threads.html",
        context,
        status=400 if form.errors else 200,
    )


def _load_thread(request, thread_id):
    thread = get_object_or_404(
        Thread.objects.select_related("course", "lesson"), pk=thread_id
    )
    if not thread.course.live:
        raise Http404
    role = course_role_or_deny(request.user, thread.course, READER_ROLES)
    if thread.is_hidden and role not in STAFF_ROLES:
        raise Http404
    return thread, role


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request, thread_id):
    """Show a thread with its posts and take replies while it is open."""
    try:
        thread, role = _load_thread(request, thread_id)
    except CourseDenied as denied:
        return forbidden(request, course=denied.course)
    form = PostForm(request.POST or None)
    if request.method == "POST":
        if thread.is_locked:
            form.add_error(
                None,
                ValidationError(
                    _("This thread is locked, so it takes no more replies."),
                    code="locked",
                ),
            )
        elif form.is_valid():
            _reply(request, thread, form.cleaned_data["body"])
            return redirect("courses:thread", thread_id=thread.pk)
    posts = thread.posts.select_related("author")
    if role not in STAFF_ROLES:
        posts = posts.filter(is_hidden=False)
    context = {
        "thread": thread,
        "course": thread.course,
        "role": role,
        "posts": posts,
        "form": form,
        "may_moderate": role in STAFF_ROLES,
    }
    return render(
        request,
        "courses/thread.html",
        context,
        status=400 if form.errors else 200,
    )


def _reply(request, thread, body):
    with transaction.atomic():
        post = Post.objects.create(thread=thread, author=request.user, body=body)
        Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    if thread.author_id and thread.author_id != request.user.pk:
        notify(
            [thread.author_id],
            Notification.Kind.REPLY,
            _("New reply in %(thread)s") % {"thread": thread.title},
            reverse("courses:thread", args=[thread.pk]),
        )
    logger.info(
        "reply posted thread=%s post=%s user=%s", thread.pk, post.pk, request.user.pk
    )


@login_required
@require_POST
def moderate_thread(request, thread_id):
    """Lock or unlock, hide or show a thread; for the course's teachers."""
    try:
        thread, role = _load_thread(request, thread_id)
    except CourseDenied as denied:
        return forbidden(request, course=denied.course)
    if role not in STAFF_ROLES:
        return forbidden(request, course=thread.course)
    action = request.POST.get("action")
    changes = {
        "lock": {"is_locked": True},
        "unlock": {"is_locked": False},
        "hide": {"is_hidden": True},
        "show": {"is_hidden": False},
    }.get(action)
    if changes is None:
        messages.error(request, _("Unknown action."))
        return redirect("courses:thread", thread_id=thread.pk)
    Thread.objects.filter(pk=thread.pk).update(**changes)
    logger.info(
        "thread moderated thread=%s action=%s user=%s",
        thread.pk,
        action,
        request.user.pk,
    )
    return redirect("courses:thread", thread_id=thread.pk)


@login_required
@require_POST
def moderate_post(request, post_id):
    """Hide or show one post; for the course's teachers."""
    post = get_object_or_404(Post.objects.select_related("thread__course"), pk=post_id)
    try:
        role = course_role_or_deny(request.user, post.thread.course, READER_ROLES)
    except CourseDenied as denied:
        return forbidden(request, course=denied.course)
    if role not in STAFF_ROLES:
        return forbidden(request, course=post.thread.course)
    hidden = request.POST.get("action") == "hide"
    Post.objects.filter(pk=post.pk).update(is_hidden=hidden)
    logger.info(
        "post moderated post=%s hidden=%s user=%s", post.pk, hidden, request.user.pk
    )
    return redirect("courses:thread", thread_id=post.thread_id)
