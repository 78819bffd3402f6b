"""
Errors of the selection engine, each with a code and named parameters.

The engine does not import Django, so it cannot translate its messages.
Each message template is marked with ``gettext_noop`` below, which the
project's catalogue extractor finds by name. The Django side translates the
template and every parameter that is a ``Text``, then fills them in.
"""


class Text(str):
    """A message marked for translation, used as is outside Django."""

    __slots__ = ()


def gettext_noop(message):
    """Mark ``message`` for translation and return it as a ``Text``."""
    return Text(message)


class Problem:
    """One invalid value of an input file, with where it was found."""

    __slots__ = ("source", "line", "code", "template", "params")

    def __init__(self, source, line, code, template, **params):
        self.source = source
        self.line = line
        self.code = code
        self.template = template
        self.params = params

    def __repr__(self):
        return f"<Problem {self.source}:{self.line} {self.code}>"

    def __str__(self):
        message = self.template % self.params
        if self.line is None:
            return f"{self.source}: {message}"
        return f"{self.source}, line {self.line}: {message}"


class EngineError(Exception):
    """Base class of the errors the engine raises."""


class InputError(EngineError):
    """Raised when a rules, schools or applicants file is invalid."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class InvariantError(EngineError):
    """Raised when a selection result breaks one of the run's invariants."""

    def __init__(self, code, template, **params):
        self.code = code
        self.template = template
        self.params = params
        super().__init__(template % params)


class ProblemList:
    """Collect the problems of one file, keeping at most ``limit`` of them."""

    def __init__(self, source, limit=100):
        self.source = source
        self.limit = limit
        self.problems = []
        self.count = 0

    def __bool__(self):
        return self.count > 0

    def add(self, line, code, template, **params):
        self.count += 1
        if len(self.problems) < self.limit:
            self.problems.append(Problem(self.source, line, code, template, **params))

    def raise_if_any(self):
        if not self.count:
            return
        problems = list(self.problems)
        if self.count > len(problems):
            problems.append(
                Problem(
                    self.source,
                    None,
                    "more_problems",
                    gettext_noop("%(count)s more invalid rows are not listed."),
                    count=self.count - len(problems),
                )
            )
        raise InputError(problems)
