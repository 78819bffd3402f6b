from django.conf import settings


def site(request):
    """Add the deployment's names to every template."""
    return {"SITE_NAME": settings.WAGTAIL_SITE_NAME, "CITY_NAME": settings.CITY_NAME}
