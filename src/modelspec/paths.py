"""Every path from config or specs stays inside the project, symlinks included.

A spec, a contract's data, the generated tree, the state file and the registry
all resolve, with every symlink followed, to a place inside the project root or
inside a root the operator allows through MODELSPEC_ALLOWED_ROOTS (paths joined
by the OS path separator, as in PATH). The allowance lives in the environment,
not in modelspec.yaml, because a pull request can change modelspec.yaml.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from modelspec.errors import UserError

__all__ = ["ALLOWED_ROOTS_ENV", "PathRefused", "allowed_roots", "inside", "resolve_inside"]

ALLOWED_ROOTS_ENV = "MODELSPEC_ALLOWED_ROOTS"


class PathRefused(UserError):
    """A path that leaves the project (or names nothing a file system can hold)."""


def allowed_roots(root: Path) -> tuple[Path, ...]:
    """The project root, then each root the operator allows, all fully resolved."""
    extra = [p for p in os.environ.get(ALLOWED_ROOTS_ENV, "").split(os.pathsep) if p]
    return (root.resolve(), *(Path(p).resolve() for p in extra if "\0" not in p))


def inside(path: Path, roots: Sequence[Path]) -> bool:
    """True when path, with every symlink followed, is one of roots or below one."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return False
    return any(resolved == root or root in resolved.parents for root in roots)


def resolve_inside(root: Path, value: str, what: str, *, roots: Sequence[Path] = ()) -> Path:
    """value (relative to root, or absolute) resolved, when it stays inside the allowed roots.

    what names the setting in the message ("state.path"). roots defaults to
    allowed_roots(root). Raises PathRefused saying what is wrong and how to fix it.
    """
    if "\0" in value:
        raise PathRefused(f"{what} contains a NUL byte; remove it")
    if not value.strip():
        raise PathRefused(f"{what} is empty; give a path relative to the project")
    allowed = tuple(roots) or allowed_roots(root)
    candidate = root / value
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise PathRefused(f"{what} {value!r} cannot be resolved: {exc}") from None
    if not inside(candidate, allowed):
        also = f" or below {ALLOWED_ROOTS_ENV}" if len(allowed) > 1 else ""
        raise PathRefused(
            f"{what} {value!r} resolves to {resolved}, outside the project{also}; "
            f"use a path inside the project (or list an outside root in {ALLOWED_ROOTS_ENV})"
        )
    return resolved
