"""Forms of the account pages: login, passwords and the profile."""

import datetime
import logging

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import audit, lockout
from ..auth import find_user
from ..models import AuditLog, User
from .tasks import send_account_mail

logger = logging.getLogger(__name__)

# Password reset mails per account and period: more requests get the usual
# response but send nothing, so nobody can flood a family's inbox.
RESET_MAILS_PER_PERIOD = 3
RESET_MAIL_PERIOD = datetime.timedelta(hours=1)
RESET_MAIL_ACTION = "password.reset_mail_sent"

ACCOUNT_LOCKED = _(
    "Too many failed logins. This account is locked until %(time)s. Try again "
    "then, or ask your school operator to unlock it."
)
ADDRESS_LOCKED = _(
    "Too many failed logins from your network. Logins from it are locked until "
    "%(time)s. Try again then, or ask your school operator for help."
)


def block_error(block):
    """Return the validation error that explains ``block`` to the person."""
    if block.is_lock:
        message = ACCOUNT_LOCKED if block.scope == lockout.ACCOUNT else ADDRESS_LOCKED
        until = formats.time_format(timezone.localtime(block.until), "H:i")
        return ValidationError(message, code="login_locked", params={"time": until})
    seconds = block.seconds_left()
    message = ngettext(
        "Too many failed logins. Wait %(seconds)d second before trying again.",
        "Too many failed logins. Wait %(seconds)d seconds before trying again.",
        seconds,
    )
    return ValidationError(
        message, code="login_slowed_down", params={"seconds": seconds}
    )


class LoginForm(auth_forms.AuthenticationForm):
    """
    Log in with any identifier, with failed logins slowed down and locked.

    The backend enforces the limits. This form checks them first as well, to
    tell the person why an attempt was rejected and how long to wait.
    """

    username = forms.CharField(
        label=_("Username, NISN, e-mail or phone number"),
        max_length=254,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "username",
                "autocapitalize": "none",
            }
        ),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "The login name or the password is wrong. Check both and try again."
        ),
    }

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if identifier is None or not password:
            return self.cleaned_data

        key = lockout.account_key(find_user(identifier), identifier)
        ip = lockout.client_address(self.request)
        block = lockout.check(key, ip)
        if block is not None:
            raise block_error(block)

        self.user_cache = authenticate(
            self.request, username=identifier, password=password
        )
        if self.user_cache is None:
            errors = [self.get_invalid_login_error()]
            block = lockout.check(key, ip)
            if block is not None:
                errors.append(block_error(block))
            raise ValidationError(errors)
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Change one's own password, which ends a temporary password."""

    def save(self, commit=True):
        self.user.password_is_temporary = False
        return super().save(commit)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Choose a new password from a reset link, which ends a temporary one."""

    def save(self, commit=True):
        self.user.password_is_temporary = False
        return super().save(commit)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """
    Request a password reset link by e-mail.

    The page responds the same whether or not the address belongs to an
    account, and the mail goes out as a background task so that the response
    takes as long either way.
    """

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "Students without an e-mail address: ask your school operator to "
            "reset your password."
        ),
    )

    def get_users(self, email):
        """Yield the accounts of ``email`` that have not had too many mails."""
        since = timezone.now() - RESET_MAIL_PERIOD
        for user in super().get_users(email):
            sent = AuditLog.objects.filter(
                action=RESET_MAIL_ACTION, subject=user, created_at__gte=since
            ).count()
            if sent < RESET_MAILS_PER_PERIOD:
                yield user
            else:
                logger.warning(
                    "password reset mail skipped user=%s sent=%s", user.pk, sent
                )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        # Siblings may share one address: each mail names its account, in
        # that account's language when it has one.
        user = context["user"]
        with translation.override(user.language or translation.get_language()):
            subject = loader.render_to_string(subject_template_name, context)
            body = loader.render_to_string(email_template_name, context)
        subject = "".join(subject.splitlines())
        send_account_mail.enqueue(subject, body, from_email, to_email)
        audit.record(RESET_MAIL_ACTION, subject=user, obj=user)
        logger.info("password reset mail queued user=%s", user.pk)


class LanguageForm(forms.ModelForm):
    """Save the language that a person wants the site in."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.language:
            self.initial["language"] = translation.get_language()
