"""Where the project sits in its git repository, so CI outputs name files from the repository root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

__all__ = ["repository_path", "repository_relative"]


def repository_path(project_root: Path) -> str:
    """The project root relative to the repository root, in POSIX form: "" at the top or outside git.

    Asks `git rev-parse --show-toplevel`, as code scanning and the Actions runner
    resolve paths from the checkout's top. When git is missing or refuses (a
    checkout owned by another user, say), the nearest directory above that holds
    a `.git` (a directory, or a file in a worktree or submodule) stands in.
    """
    root = project_root.resolve()
    top = _git_toplevel(root) or _dot_git_above(root)
    if top is None:
        return ""
    try:
        rel = root.relative_to(top.resolve())
    except ValueError:
        return ""
    return "" if rel == Path(".") else rel.as_posix()


def repository_relative(prefix: str, file: str) -> str:
    """file (relative to the project root) relative to the repository root instead."""
    file = file.replace("\\", "/")
    return str(PurePosixPath(prefix, file)) if prefix else file


def _git_toplevel(root: Path) -> Path | None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=root, capture_output=True, check=False, env=env, timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = done.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(out) if done.returncode == 0 and out else None


def _dot_git_above(root: Path) -> Path | None:
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return directory
    return None
