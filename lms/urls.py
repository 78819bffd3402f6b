from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms import page_routes
from lms.views import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("lms.account_urls")),
    path("courses/gradebook/", include("courses.gradebook.urls")),
    path("courses/assignments/", include("courses.assignments.urls")),
    path("courses/quizzes/", include("courses.quizzes.urls")),
    path("courses/", include("courses.urls")),
    path("library/", include("library.urls")),
    path("live/", include("live.urls")),
    path("oai/", include("library.oai.urls")),
    path("ppdb/", include("ppdb.urls")),
]

if settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage"):
    # Public uploads (lesson images and the like) on the embedded default.
    # Protected files never live under MEDIA_ROOT's public URL: their apps
    # serve them through views that check access.
    urlpatterns += [
        re_path(
            r"^media/(?P<path>(?:images|original_images)/.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Pages go through lms.page_routes, which remembers their routes. Wagtail's
# own paths under _util/ keep its views.
urlpatterns += [
    re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", page_routes.serve, name="page_serve"),
    path("", include(wagtail_urls)),
]

# A database outage gets a 503 with a request to retry (lms/unavailable.py).
handler500 = "lms.unavailable.server_error"
