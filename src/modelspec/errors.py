"""The errors every layer may raise: a leaf module, so nothing imports upward to reach them.

A user's mistake travels as a Diagnostic wherever a stage can carry one back.
These exceptions are for the places that cannot: a pipeline step that fails
halfway, or an operation that cannot start. The CLI turns every
ModelspecError into one line on stderr and exit 1; any other exception is a bug.
"""

from __future__ import annotations

__all__ = ["EngineError", "ModelspecError", "UserError"]


class ModelspecError(Exception):
    """A known error that is the user's to fix; its message says what to do."""


class UserError(ModelspecError):
    """An operation cannot run as asked (bad option, unreadable file, missing project)."""


class EngineError(ModelspecError):
    """A pipeline step failed; apply stops there and says so."""
