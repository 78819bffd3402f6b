"""
Links to the units and lessons of a course, cached with the page tree.

Course and lesson pages list their units, lessons and neighbouring lessons
on every request. The lists change only when a page is saved, moved,
unpublished or deleted, which is when ``lms.page_routes`` replaces the
generation token of the page tree. So the lists are kept in the route data
of the page that shows them, and rebuilt from the database after any
change. Without the route cache (no shared cache between processes) they
are read each time.
"""

from dataclasses import dataclass

from lms.page_routes import route_data

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

    The route data is per site and path, which the URLs depend on.
    """
    return route_data(request).get_or_build(
        f"links:{scope}", lambda: build_links(pages, request)
    )


def lesson_links(request, course):
    """Return links to every live lesson of ``course``, in reading order."""
    lessons = (
        LessonPage.objects.descendant_of(course)
        .live()
        .defer_streamfields()
        .order_by("path")
    )
    return cached_links(request, f"lessons:{course.pk}", lessons)


def stored_lesson_links(request, course_id):
    """Return the links of ``lesson_links`` from the route data, or ``None``."""
    return route_data(request).get(f"links:lessons:{course_id}")


def unit_links(request, course):
    """Return links to the live units of ``course``, in tree order."""
    units = UnitPage.objects.child_of(course).live().order_by("path")
    return cached_links(request, f"units:{course.pk}", units)


def sibling_links(request, lesson):
    """Return links to the live lessons beside ``lesson``, itself included."""
    siblings = (
        LessonPage.objects.sibling_of(lesson)
        .live()
        .defer_streamfields()
        .order_by("path")
    )
    return cached_links(request, f"siblings:{lesson.pk}", siblings)
