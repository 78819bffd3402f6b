"""Choose the language of each response."""

from django.conf import settings
from django.utils import translation


class LanguageMiddleware:
    """
    Activate the person's chosen language, else Bahasa Indonesia.

    The choice comes from the language cookie (set by the language switch),
    then from the account's saved preference. The browser's Accept-Language
    header is ignored on purpose: the platform speaks Indonesian first, even
    to a phone set up in English.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = self.choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        translation.deactivate()
        return response

    def choose(self, request):
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in self.supported:
            return cookie
        user = getattr(request, "user", None)
        preference = getattr(user, "language", "") if user is not None else ""
        if preference in self.supported:
            return preference
        return settings.LANGUAGE_CODE
