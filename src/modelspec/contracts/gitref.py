"""Spec documents as they were at a git ref, read straight from the object store (no checkout)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.loading import SPEC_SUFFIXES, load_text
from modelspec.loading.documents import Document
from modelspec.loading.yaml12 import LIMITS

__all__ = ["GitError", "SpecsAtRef", "load_specs_at"]


class GitError(Exception):
    """git could not answer: not a repository, an unknown ref, or git missing. The message says which."""


@dataclass
class SpecsAtRef:
    commit: str
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def load_specs_at(root: Path, specs_dir: Path, ref: str) -> tuple[SpecsAtRef | None, list[Diagnostic]]:
    """Load every *.yaml / *.yml under specs_dir as it was at ref.

    File names are shown relative to the project root, as for the working
    tree. A bad ref, a directory outside git or a missing git is one error
    diagnostic, never an exception.
    """
    try:
        return _load(root, specs_dir, ref), []
    except GitError as exc:
        return None, [
            Diagnostic(
                Severity.ERROR, "MS002", str(exc),
                hint="pass a branch, tag or commit that exists here (in CI, fetch it first: "
                "`git fetch origin main` and use `--base origin/main`)",
            )
        ]


def _load(root: Path, specs_dir: Path, ref: str) -> SpecsAtRef:
    if ref.startswith("-"):
        raise GitError(f"{ref!r} is not a git ref")
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                  missing=f"unknown git ref {ref!r}").decode().strip()
    prefix = _relative(specs_dir, top)
    root_prefix = _relative(root, top)
    listing = _git(top, "ls-tree", "-r", "-z", "--full-name", "--name-only", commit, "--", prefix or ".")
    names = sorted(
        n for n in listing.decode("utf-8", "surrogateescape").split("\0")
        if n.endswith(SPEC_SUFFIXES) and not _hidden(n, prefix)
    )
    result = SpecsAtRef(commit)
    for name, content in zip(names, _cat_files(top, commit, names), strict=True):
        shown = name[len(root_prefix) + 1:] if root_prefix else name
        result.files.append(shown)
        if len(content) > LIMITS.max_file_bytes:
            result.diagnostics.append(Diagnostic(
                Severity.ERROR, "MS104",
                f"file at {ref} is {len(content):,} bytes, over the {LIMITS.max_file_bytes:,}-byte limit",
                shown, hint="split it into several spec files",
            ))
            continue
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            result.diagnostics.append(Diagnostic(
                Severity.ERROR, "MS002", f"file at {ref} is not UTF-8 text ({exc.reason})", shown
            ))
            continue
        documents, diagnostics = load_text(shown, text)
        result.documents.extend(documents)
        result.diagnostics.extend(diagnostics)
    return result


def _hidden(name: str, prefix: str) -> bool:
    """Below a hidden directory of the specs dir (discover() skips those too)."""
    rest = name[len(prefix) + 1:] if prefix else name
    return any(part.startswith(".") for part in rest.split("/")[:-1])


def _relative(path: Path, top: Path) -> str:
    try:
        rel = path.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise GitError(f"{path} is not inside the git repository at {top}") from None
    return "" if rel == "." else rel


def _cat_files(top: Path, commit: str, names: list[str]) -> list[bytes]:
    """Contents of names at commit, in one `git cat-file --batch` call."""
    if not names:
        return []
    request = "".join(f"{commit}:{n}\n" for n in names).encode("utf-8", "surrogateescape")
    out = _git(top, "cat-file", "--batch", stdin=request)
    contents: list[bytes] = []
    pos = 0
    for name in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        if len(header) != 3:
            raise GitError(f"git could not read {name} at {commit[:12]}")
        size = int(header[2])
        contents.append(out[end + 1:end + 1 + size])
        pos = end + 1 + size + 1  # content, then a newline
    return contents


def _git(cwd: Path, *args: str, stdin: bytes | None = None, missing: str = "") -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False,
            env=_environment(),
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = missing or (said[-1] if said else f"git {args[0]} failed")
        raise GitError(message.removeprefix("fatal: "))
    return done.stdout


def _environment() -> dict[str, str]:
    """The caller's environment with git's pager and prompts off: reading never waits on a terminal."""
    import os

    env = dict(os.environ)
    env.update({"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    return env
