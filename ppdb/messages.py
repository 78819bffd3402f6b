"""Translate the selection engine's messages, which carry no translation."""

from django.utils.translation import gettext as _

from .engine.errors import Text


def translate(template, params):
    """Translate an engine message and the parameters marked as text."""
    values = {
        name: _(value) if isinstance(value, Text) else value
        for name, value in params.items()
    }
    return _(template) % values


def describe(problem):
    """Return one engine ``Problem`` as a translated sentence with its line."""
    message = translate(problem.template, problem.params)
    if problem.line is None:
        return _("%(file)s: %(message)s") % {
            "file": problem.source,
            "message": message,
        }
    return _("%(file)s, line %(line)s: %(message)s") % {
        "file": problem.source,
        "line": problem.line,
        "message": message,
    }
