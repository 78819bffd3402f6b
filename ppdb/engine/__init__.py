"""
The admission (PPDB) selection engine, in plain Python.

This package imports nothing from Django, so the web application, the
management commands and the benchmarks all call the same code, and a run
can be repeated from files alone. Modules import in one direction: rules and
inputs first, then eligibility and seats, then selection, invariants and
outputs, and simulate last.
"""

from .errors import EngineError, InputError, InvariantError, Problem
from .inputs import read_applicants, read_schools
from .outputs import write_outputs
from .rules import RuleSet, load_rules, parse_rules
from .selection import Outcome, run_selection
from .simulate import Summary, simulate

__all__ = [
    "EngineError",
    "InputError",
    "InvariantError",
    "Outcome",
    "Problem",
    "RuleSet",
    "Summary",
    "load_rules",
    "parse_rules",
    "read_applicants",
    "read_schools",
    "run_selection",
    "simulate",
    "write_outputs",
]
