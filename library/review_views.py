"""The library's own review page: reviewers approve or reject submitted items."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from lms import audit

from . import workflow
from .models import LibraryItemPage

MAX_COMMENT_LENGTH = 2000


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", _("Publish")), ("reject", _("Request changes"))]
    )
    comment = forms.CharField(
        label=_("Comment for the submitter"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not cleaned.get("comment", "").strip():
            raise ValidationError(
                {
                    "comment": ValidationError(
                        _("Say what the submitter should change."),
                        code="comment_required",
                    )
                }
            )
        return cleaned


def _is_reviewer(user):
    return (
        user.is_superuser
        or user.groups.filter(name__startswith=workflow.REVIEWER_GROUP_PREFIX).exists()
    )


@login_required
def review_list(request, forms_by_item=None, status=200):
    """List the submitted items that the person may publish or send back."""
    if not _is_reviewer(request.user):
        raise PermissionDenied
    items = workflow.pending_reviews(request.user)
    forms_by_item = forms_by_item or {}
    for item in items:
        item.review_form = forms_by_item.get(item.pk) or ReviewForm(
            auto_id=f"review-{item.pk}-%s"
        )
    return render(request, "library/review_list.html", {"items": items}, status=status)


@require_POST
@login_required
def review_item(request, pk):
    """Publish or send back one submitted item, as its school's reviewer."""
    item = get_object_or_404(LibraryItemPage, pk=pk)
    if not workflow.can_review(request.user, item):
        raise PermissionDenied
    form = ReviewForm(request.POST, auto_id=f"review-{item.pk}-%s")
    if not form.is_valid():
        return review_list(request, forms_by_item={item.pk: form}, status=400)
    action = form.cleaned_data["action"]
    workflow.review(item, request.user, action, form.cleaned_data["comment"].strip())
    audit.record("library.review", obj=item, request=request, decision=action)
    if action == "approve":
        messages.success(
            request, gettext("“%(title)s” is published.") % {"title": item.title}
        )
    else:
        messages.success(
            request,
            gettext("“%(title)s” was sent back to the submitter.")
            % {"title": item.title},
        )
    return redirect("library:review")
