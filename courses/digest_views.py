"""The page where a parent chooses how to get the daily digest."""

import logging
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lms.auth import normalise_phone

from .access import forbidden
from .models import GuardianPreference

logger = logging.getLogger(__name__)


PHONE_RE = re.compile(r"^08\d{7,12}$")


class GuardianPreferenceForm(forms.ModelForm):
    """The channel a parent wants the daily digest by."""

    class Meta:
        model = GuardianPreference
        fields = ["channel", "phone"]
        widgets = {"channel": forms.RadioSelect}

    def clean(self):
        cleaned_data = super().clean()
        channel = cleaned_data.get("channel")
        phone = normalise_phone(cleaned_data.get("phone"))
        cleaned_data["phone"] = phone
        needs_phone = channel in (
            GuardianPreference.Channel.SMS,
            GuardianPreference.Channel.WHATSAPP,
        )
        if needs_phone and not phone:
            self.add_error(
                "phone",
                ValidationError(
                    gettext_lazy("Enter the phone number for SMS or WhatsApp."),
                    code="phone_required",
                ),
            )
        elif phone and not PHONE_RE.match(phone):
            self.add_error(
                "phone",
                ValidationError(
                    gettext_lazy("%(value)s is not a phone number like 081234567890."),
                    code="invalid_phone",
                    params={"value": cleaned_data.get("phone") or phone},
                ),
            )
        return cleaned_data


@login_required
@require_http_methods(["GET", "POST"])
def digest_preference(request):
    """Let a parent choose e-mail, SMS, WhatsApp or no digest."""
    if not request.user.children().exists():
        return forbidden(
            request, message=_("Only parents of a student receive the digest.")
        )
    preference = GuardianPreference.objects.filter(guardian=request.user).first()
    if preference is None:
        preference = GuardianPreference(
            guardian=request.user, phone=request.user.phone or ""
        )
    form = GuardianPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        logger.info(
            "digest preference saved user=%s channel=%s",
            request.user.pk,
            form.cleaned_data["channel"],
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("courses:digest_preference")
    return render(
        request,
        "courses/digest_preference.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
