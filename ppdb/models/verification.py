"""The school operator's verification of an application, aspect by aspect."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .applications import Application


class VerificationDecision(models.Model):
    """
    One decision on one aspect of an application, with the operator's note.

    Decisions are never edited: a new decision on the same aspect replaces
    the old one in force, and the old one stays in the history.
    """

    class Aspect(models.TextChoices):
        IDENTITY = "identity", _("identity")
        DOMICILE = "domicile", _("domicile and location")
        DOCUMENTS = "documents", _("documents of the track")
        SCORES = "scores", _("scores")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("approved")
        NEEDS_FIX = "needs_fix", _("needs a correction")
        REJECTED = "rejected", _("rejected")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="verification_decisions",
        verbose_name=_("application"),
    )
    aspect = models.CharField(_("aspect"), max_length=12, choices=Aspect.choices)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "-decided_at", "-id"]
        indexes = [models.Index(fields=["application", "aspect", "-decided_at"])]
        constraints = [
            # The parent must learn what to fix, so a decision other than
            # approval carries a note.
            models.CheckConstraint(
                condition=models.Q(decision="approved") | ~models.Q(note=""),
                name="verification_decision_explained",
            )
        ]
        verbose_name = _("verification decision")
        verbose_name_plural = _("verification decisions")

    def __str__(self):
        return f"{self.application}: {self.aspect} {self.decision}"
