"""The admission app's models, one module per stage of the process."""

from .aftermath import Complaint, Objection
from .applications import (
    Application,
    ApplicationChoice,
    ApplicationDocument,
    ApplicationQuerySet,
)
from .periods import (
    TRACK_CHOICES,
    AdmissionPeriod,
    AdmissionPeriodQuerySet,
    Stage,
)
from .schools import PeriodSchool, SeatOverride
from .selection import SelectionChoiceResult, SelectionResult, SelectionRun
from .verification import VerificationDecision

__all__ = [
    "TRACK_CHOICES",
    "AdmissionPeriod",
    "AdmissionPeriodQuerySet",
    "Application",
    "ApplicationChoice",
    "ApplicationDocument",
    "ApplicationQuerySet",
    "Complaint",
    "Objection",
    "PeriodSchool",
    "SeatOverride",
    "SelectionChoiceResult",
    "SelectionResult",
    "SelectionRun",
    "Stage",
    "VerificationDecision",
]
