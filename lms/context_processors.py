from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    """
    Add the deployment's names, and what the menu needs to know of the person.

    ``IS_GUARDIAN`` is lazy, so pages that do not show the menu run no query.
    """
    user = getattr(request, "user", None)

    def is_guardian():
        return bool(
            user is not None and user.is_authenticated and user.guarded_links.exists()
        )

    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "IS_GUARDIAN": SimpleLazyObject(is_guardian),
    }
