"""A person's own account: logging in and out, passwords and the profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import audit
from ..identifiers import mask_identifier
from ..models import GuardianLink, Membership
from .forms import (
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "lms/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.get_user().password_is_temporary:
            messages.info(
                self.request,
                _(
                    "You logged in with a temporary password from your school. "
                    "Choose your own password now."
                ),
            )
            return redirect("accounts:password_change")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "lms/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            "password.changed", subject=self.request.user, request=self.request
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "lms/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "lms/password_reset_form.html"
    email_template_name = "lms/email/password_reset.txt"
    subject_template_name = "lms/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        # Mails are rendered without the request's context processors.
        return {"SITE_NAME": settings.WAGTAIL_SITE_NAME}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "lms/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "lms/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(
            "password.reset_by_email",
            actor=form.user,
            subject=form.user,
            request=self.request,
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "lms/password_reset_complete.html"


@never_cache
@login_required
def profile(request):
    """Show the person's own data and save their language preference."""
    user = request.user
    if request.method == "POST":
        form = LanguageForm(request.POST, instance=user)
        if form.is_valid():
            form.save()
            return _language_saved(request, form.cleaned_data["language"])
    else:
        form = LanguageForm(instance=user)

    context = {
        "form": form,
        "nisn_masked": mask_identifier(user.nisn),
        "memberships": user.memberships.select_related("school").order_by(
            "school__name", "role"
        ),
        "children": GuardianLink.objects.filter(guardian=user)
        .select_related("child")
        .prefetch_related("child__memberships__school")
        .order_by("child__first_name", "child__last_name"),
        "guardians": GuardianLink.objects.filter(child=user)
        .select_related("guardian")
        .order_by("guardian__first_name", "guardian__last_name"),
        "operator_schools": user.schools_with_role(Membership.Role.OPERATOR),
        "manages_all_schools": user.is_superuser or user.is_city_admin,
    }
    status = 400 if form.errors else 200
    return render(request, "lms/profile.html", context, status=status)


def _language_saved(request, language):
    # The confirmation is already in the new language.
    translation.activate(language)
    request.LANGUAGE_CODE = language
    messages.success(request, _("Your language preference is saved."))
    response = redirect("accounts:profile")
    # The cookie comes first for the language middleware, so it must follow
    # the saved preference (as Django's set_language view sets it).
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
