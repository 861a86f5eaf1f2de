"""`modelspec init`: write the example project (template, JSON Schemas, datasets) into a directory."""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "REPO_FILES",
    "SCHEMAS_DIR",
    "WORKFLOW",
    "existing_files",
    "init_project",
    "planned_files",
    "project_files",
    "write_files",
]

SCHEMAS_DIR = "schemas"
DATA_DIR = "data"

# Files that belong to the repository rather than the project: left out when the
# project goes into a repository that has its own (repo_files=False).
WORKFLOW = ".github/workflows/modelspec.yml"
REPO_FILES = frozenset({".gitignore", WORKFLOW})
# The workflow installs the version of modelspec that wrote it: init puts it in place of this.
_VERSION_PLACEHOLDER = b"@MODELSPEC_VERSION@"

_SKIPPED_NAMES = frozenset({"__pycache__", ".DS_Store"})


def project_files(*, repo_files: bool = True) -> dict[str, bytes]:
    """Relative posix path -> content of every file init writes, except the datasets.

    The template's files come first, then one JSON Schema per kind under schemas/.
    """
    from modelspec import __version__
    from modelspec.spec.schema import dump_schema, json_schemas

    template = _template_files(resources.files("modelspec.examples") / "project", "")
    files = {
        rel: content for rel, content in sorted(template) if repo_files or rel not in REPO_FILES
    }
    if WORKFLOW in files:
        files[WORKFLOW] = files[WORKFLOW].replace(_VERSION_PLACEHOLDER, __version__.encode())
    for name, schema in json_schemas().items():
        files[f"{SCHEMAS_DIR}/{name}"] = dump_schema(schema).encode("utf-8")
    return files


def planned_files(*, repo_files: bool = True) -> list[str]:
    """Relative posix path of every file init writes, datasets included."""
    from modelspec.examples.data import BREAST_CANCER_CSV, DIABETES_CSV

    return [
        *project_files(repo_files=repo_files),
        f"{DATA_DIR}/{BREAST_CANCER_CSV}",
        f"{DATA_DIR}/{DIABETES_CSV}",
    ]


def existing_files(directory: Path, *, repo_files: bool = True) -> list[Path]:
    """Files init would overwrite in directory (anything at one of its paths)."""
    return [
        directory / rel
        for rel in planned_files(repo_files=repo_files)
        if os.path.lexists(directory / rel)
    ]


def init_project(directory: Path, *, force: bool = False, repo_files: bool = True) -> list[Path]:
    """Write the example project into directory; return the files written, in order.

    Without force, nothing is written when any of the files exists already, and
    FileExistsError names them; callers that take user input check
    existing_files() first and report the conflict themselves. With
    repo_files=False, .gitignore and the CI workflow are left out.
    """
    if not force:
        clashes = existing_files(directory, repo_files=repo_files)
        if clashes:
            raise FileExistsError(
                f"{len(clashes)} file(s) exist already: " + ", ".join(str(p) for p in clashes)
            )
    written = write_files(directory, project_files(repo_files=repo_files))
    from modelspec.examples.data import write_datasets

    written.extend(write_datasets(directory / DATA_DIR))
    return written


def write_files(directory: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each relative path's content under directory, creating folders; return the paths."""
    written = []
    for rel, content in files.items():
        path = directory.joinpath(*rel.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # never write through a link placed where a file goes
            path.unlink()
        path.write_bytes(content)
        written.append(path)
    return written


def _template_files(node: Traversable, prefix: str) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for child in node.iterdir():
        if child.name in _SKIPPED_NAMES or child.name.endswith(".pyc"):
            continue
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            out.extend(_template_files(child, rel + "/"))
        else:
            out.append((rel, child.read_bytes()))
    return out
