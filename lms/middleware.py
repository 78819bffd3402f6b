"""Per-request rules: the response language and temporary passwords."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
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


class TemporaryPasswordMiddleware:
    """
    Send a person who logged in with a temporary password to change it.

    Operators hand out temporary passwords on paper login cards, so until the
    person picks their own, every page but the password change form, logging
    out, the language switch and static files redirects to that form.
    """

    allowed_names = {"accounts:password_change", "accounts:logout", "set_language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "password_is_temporary", False)
            and not self.is_allowed(request)
        ):
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return self.get_response(request)

    def is_allowed(self, request):
        if request.path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in self.allowed_names
