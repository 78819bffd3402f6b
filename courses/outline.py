"""
Links to the units and lessons of a course, cached with the page tree.

Course and lesson pages list their units, lessons and neighbouring lessons
on every request. The lists change only when a page is saved, moved,
unpublished or deleted, which is when ``lms.page_routes`` replaces the
generation token of the page tree. So the lists are cached per site,
stamped with that token, and rebuilt from the database after any change. Without the
route cache (no shared cache between processes) they are read each time.
"""

from dataclasses import dataclass

from wagtail.models import Site

from lms.page_routes import get_current, route_cache_enabled, set_current

from .models import LessonPage, UnitPage


@dataclass(frozen=True)
class PageLink:
    """What a list of pages shows of each page: its title, address and summary."""

    pk: int
    title: str
    url: str
    path: str
    depth: int
    summary: str = ""


def build_links(pages, request):
    return [
        PageLink(
            pk=page.pk,
            title=page.title,
            url=page.get_url(request),
            path=page.path,
            depth=page.depth,
            summary=getattr(page, "summary", ""),
        )
        for page in pages
    ]


def cached_links(request, scope, pages):
    """
    Return ``PageLink`` objects for the ``pages`` queryset, cached as ``scope``.

    The URLs depend on the site that serves the request, so the site is
    part of the key.
    """
    if not route_cache_enabled():
        return build_links(pages, request)
    site = Site.find_for_request(request)
    key = f"course-outline:{site.pk if site else ''}:{scope}"
    entry = get_current(request, [key]).get(key)
    if entry is None:
        entry = {"links": build_links(pages, request)}
        set_current(request, key, entry)
    return entry["links"]


def lesson_links(request, course):
    """Return links to every live lesson of ``course``, in reading order."""
    lessons = (
        LessonPage.objects.descendant_of(course)
        .live()
        .defer_streamfields()
        .order_by("path")
    )
    return cached_links(request, f"lessons:{course.pk}", lessons)


def unit_links(request, course):
    """Return links to the live units of ``course``, in tree order."""
    units = UnitPage.objects.child_of(course).live().order_by("path")
    return cached_links(request, f"units:{course.pk}", units)


def sibling_links(request, lesson):
    """Return links to the live lessons beside ``lesson``, itself included."""
    parent_path = lesson.path[: -lesson.steplen]
    siblings = (
        LessonPage.objects.sibling_of(lesson)
        .live()
        .defer_streamfields()
        .order_by("path")
    )
    # All siblings share the parent's tree path, which needs no query.
    return cached_links(request, f"siblings:{parent_path}", siblings)
