"""
Serve Wagtail pages without routing them again on every request.

Wagtail's ``serve`` view looks up the site (one query), then walks the page
tree from the site's root, two queries per path segment, and checks the
view restrictions of the page and its ancestors (two more queries). A
lesson three segments below the home page cost ten queries this way
before its own code ran (counted on Wagtail 8.0).

This view remembers, per host, port and path, which site and page a path
leads to and whether any view restriction applies to it. On a hit it loads
the page with one query, by primary key, and hands it to Wagtail's
``serve``, which runs the ``before_serve_page`` and ``on_serve_page``
hooks and the page's own ``serve`` as usual.

The remembered routes live in the shared cache, each stamped with the
generation token of the page tree that it was found in. Saving or deleting
any page, site or view restriction, and moving or unpublishing a page,
replace the token once the transaction commits, so every process stops
using the old routes. The token and the route are read in one round trip.
The page is loaded only if it is still live at the remembered ``url_path``,
so a page that changed in a way that sent no signal (a queryset
``update``) falls back to full routing.

Beside the route, each path has one entry of route data per language:
values that a page type derives from the page tree, such as the links to
its neighbours or its rendered body (see ``RouteData``). The generation
token, the route and the route data come in one round trip, and the page
type may use the route data to load the page and the viewer's role in the
same query (see ``CachedRouteMixin.get_route_queryset``).

The cache is used only when ``PAGE_ROUTE_CACHE`` is true. The settings turn
it on with ``REDIS_URL``, because an in-memory cache of one process would
keep serving old routes after another process (a management command, a
second daphne) changed the tree.
"""

import hashlib
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_unpublished, post_page_move
from wagtail.url_routing import RouteResult

GENERATION_KEY = "page-route:generation"


class CachedRouteMixin:
    """
    Let a page type skip the view restriction queries on a remembered route.

    Wagtail's ``check_view_restrictions`` hook calls ``get_view_restrictions``
    on every request. When this view has found, under the current
    generation, that no restriction applies to the page or its ancestors, it
    sets ``_route_is_unrestricted`` and the queries are skipped.
    """

    @classmethod
    def get_route_queryset(cls, request, page_id):
        """
        Return the queryset that loads page ``page_id`` on a cached route.

        ``request.route_data`` contains the route data of the path, so a page
        type can annotate what it needs about the viewer in the same query.
        The caller filters the queryset by ``page_id``.
        """
        return cls.objects.all()

    def get_view_restrictions(self):
        if getattr(self, "_route_is_unrestricted", False):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class RouteData:
    """
    Values that a page derives from the page tree, cached with its route.

    The entry is per path and language, and is used only under the
    generation of the page tree it was built in. So it may contain titles,
    links and rendered page content, which change only with a page save,
    move, unpublish or delete. It must contain nothing about the person
    viewing the page. A value from another table that can change without a
    page save needs a signal that replaces the generation, as
    ``courses.signals`` does for teachers' names.

    Without a key (the route cache is off) every value is built each time.
    """

    def __init__(self, request, key=None, entry=None):
        self.request = request
        self.key = key
        self.values = dict(entry["values"]) if entry else {}
        self.changed = False

    def get(self, name, default=None):
        """Return the value stored under ``name``, without building it."""
        return self.values.get(name, default)

    def get_or_build(self, name, build):
        """Return the value under ``name``, calling ``build()`` if it is missing."""
        if name not in self.values:
            self.values[name] = build()
            self.changed = True
        return self.values[name]

    def save(self):
        """Store the values if a build added any and there is a key."""
        if self.changed and self.key is not None:
            set_current(self.request, self.key, {"values": self.values})
            self.changed = False


def route_data(request):
    """
    Return the ``RouteData`` of the page that ``request`` is for.

    Requests that did not come through this module's ``serve`` (the route
    cache is off, or a test calls ``page.serve``) get route data that
    caches nothing.
    """
    data = getattr(request, "route_data", None)
    if data is None:
        data = request.route_data = RouteData(request)
    return data


def route_cache_enabled():
    return getattr(settings, "PAGE_ROUTE_CACHE", False)


def current_generation(request=None, cached=None):
    """
    Return the generation token of the page tree, creating one if missing.

    Other caches of data derived from the tree, such as lists of page
    links, stamp their entries with it too. With ``request``, the token is
    read once per request, so that one response does not mix two
    generations. ``cached`` is the token when the caller has just read it.
    """
    generation = getattr(request, "page_tree_generation", None) or cached
    if generation is None:
        generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    if request is not None:
        request.page_tree_generation = generation
    return generation


def get_current(request, keys):
    """
    Return the entries under ``keys`` that belong to the current generation.

    Each entry is a dict whose ``generation`` is the token it was built
    under. On the first call of a request, the token comes in the same
    round trip as the entries.
    """
    if getattr(request, "page_tree_generation", None) is None:
        found = cache.get_many([GENERATION_KEY, *keys])
        generation = current_generation(request, found.get(GENERATION_KEY))
    else:
        found = cache.get_many(keys)
        generation = request.page_tree_generation
    return {
        key: entry
        for key, entry in found.items()
        if key != GENERATION_KEY and entry.get("generation") == generation
    }


def set_current(request, key, entry):
    """Store ``entry`` under ``key``, stamped with the request's generation."""
    entry = {**entry, "generation": current_generation(request)}
    cache.set(key, entry, timeout=settings.PAGE_ROUTE_CACHE_TIMEOUT)


def forget_routes():
    """Replace the generation token, so that every remembered route is unused."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def forget_routes_on_commit():
    # A token replaced before the commit would let a concurrent request
    # remember the old tree under the new token.
    transaction.on_commit(forget_routes)


def route_key(request, path):
    # The host has passed ALLOWED_HOSTS in CommonMiddleware, and the path is
    # hashed so that a long one cannot exceed a cache's key length.
    digest = hashlib.sha256(path.encode()).hexdigest()[:32]
    return f"page-route:{request.get_host()}:{request.get_port()}:{digest}"


def route_data_key(key):
    # Route data may contain translated text, so each language has its own.
    return f"{key}:data:{get_language()}"


def load_route(request, entry):
    """
    Return the ``(site, page)`` of a remembered route ``entry``, or ``None``.

    The page is loaded fresh from the database, and only while it is live
    at the remembered ``url_path``.
    """
    if entry is None:
        return None
    model = ContentType.objects.get_for_id(entry["content_type_id"]).model_class()
    if model is None or not issubclass(model, Page):
        return None
    if hasattr(model, "get_route_queryset"):
        queryset = model.get_route_queryset(request, entry["page_id"])
    else:
        queryset = model.objects.all()
    # The primary key matches one row at most, so the query needs no ORDER BY.
    # Django compiles an ordered query more slowly, because it matches every
    # selected column against the ordering (Django 5.2).
    pages = queryset.filter(
        pk=entry["page_id"], live=True, url_path=entry["url_path"]
    ).order_by()
    page = next(iter(pages), None)
    if page is None:
        return None
    if entry["unrestricted"]:
        page._route_is_unrestricted = True
    return entry["site"], page


def remember_route(request, path, key):
    """Store the route that Wagtail's own routing found for this request."""
    site = getattr(request, "_wagtail_site", None)
    route = getattr(request, "_wagtail_route_for_request", None)
    if site is None or route is None:
        return
    page, args, kwargs = route
    # Only a plain path-to-page route can be replayed. A page type that
    # routes sub-paths itself (RoutablePageMixin) gets args or a url_path
    # that differs from the request path, and is routed by Wagtail each time.
    if args or kwargs:
        return
    if page.url_path != site.root_page.url_path + path:
        return
    entry = {
        "site": site,
        "page_id": page.pk,
        "content_type_id": page.content_type_id,
        "url_path": page.url_path,
        "unrestricted": not Page.get_view_restrictions(page).exists(),
    }
    set_current(request, key, entry)


def serve(request, path):
    """Serve the Wagtail page at ``path``, routing it from the cache if possible."""
    # Imported here because lms.models imports this module while the app
    # registry loads, and Wagtail's views look up the page model on import.
    from wagtail import views as wagtail_views

    if not route_cache_enabled() or request.method not in ("GET", "HEAD"):
        return wagtail_views.serve(request, path)

    key = route_key(request, path)
    data_key = route_data_key(key)
    entries = get_current(request, [key, data_key])
    request.route_data = RouteData(request, data_key, entries.get(data_key))
    found = load_route(request, entries.get(key))
    if found is None:
        response = wagtail_views.serve(request, path)
        remember_route(request, path, key)
    else:
        # NOTE: Wagtail 8 keeps the site and the route of a request in these
        # two attributes (see Site.find_for_request and
        # Page.route_for_request), so its serve view and every later get_url
        # call use them without a query.
        site, page = found
        request._wagtail_site = site
        request._wagtail_route_for_request = RouteResult(page)
        response = wagtail_views.serve(request, path)
    # Pages build their route data while they make their context, which
    # happens before the template response is rendered.
    request.route_data.save()
    return response


@receiver(post_save)
@receiver(post_delete)
def tree_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if isinstance(instance, (Page, Site, PageViewRestriction)):
        forget_routes_on_commit()


@receiver(post_page_move)
@receiver(page_unpublished)
def page_moved_or_unpublished(sender, **kwargs):
    forget_routes_on_commit()
