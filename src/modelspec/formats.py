"""Output formats looked up by name: one registry per kind of output; an unknown name is an error.

Each registry maps a format name to the renderer that writes it, named as
"module:function" and imported on first use, so a command that prints text
never loads the SARIF rules or xml.etree. Every renderer of one registry takes
the same arguments and returns the whole output as one string.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from typing import Any

from modelspec.errors import UserError

__all__ = ["Formats", "UnknownFormat"]


class UnknownFormat(UserError):
    """A format name no renderer is registered under."""


class Formats:
    """The formats of one kind of output (diagnostics, plans, reports, ...), by name."""

    def __init__(self, what: str, renderers: Mapping[str, str]) -> None:
        self.what = what
        self._renderers = dict(renderers)
        self._loaded: dict[str, Callable[..., str]] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The format names, in the order they were registered (the first is the default)."""
        return tuple(self._renderers)

    def __contains__(self, name: object) -> bool:
        return name in self._renderers

    def renderer(self, name: str) -> Callable[..., str]:
        """The renderer registered under name; UnknownFormat names the ones there are."""
        if name not in self._renderers:
            close = difflib.get_close_matches(name, self.names, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownFormat(
                f"unknown {self.what} format {name!r}: use one of {', '.join(self.names)}{hint}"
            )
        if name not in self._loaded:
            module_name, _, function = self._renderers[name].partition(":")
            self._loaded[name] = getattr(importlib.import_module(module_name), function)
        return self._loaded[name]

    def render(self, name: str, *args: Any, **kwargs: Any) -> str:
        return self.renderer(name)(*args, **kwargs)
