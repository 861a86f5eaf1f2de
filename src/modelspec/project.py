"""The project: `modelspec.yaml`, found by searching upward from the working directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.paths import PathRefused, allowed_roots, resolve_inside

__all__ = ["CONFIG_FILE", "Project", "ProjectConfig", "find_root", "load_project"]

CONFIG_FILE = "modelspec.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class StateConfig(_Strict):
    backend: Literal["local", "postgres"] = Field(
        "local",
        description="Where state is kept: a local file, or PostgreSQL (connection from "
        "MODELSPEC_STATE_DSN or libpq's PG* environment variables, never from this file).",
    )
    path: str = Field(
        ".modelspec/state.json", description="State file of the local backend, relative to the project."
    )


class PipelinesConfig(_Strict):
    engine: Literal["local", "argo", "kubeflow"] = Field(
        "local", description="local runs the pipeline in apply; argo renders a Workflow."
    )
    image: str = Field(
        "ghcr.io/modelspec/modelspec:0.1.0",
        description="Container image the rendered pipeline steps run in.",
    )


class RegistryConfig(_Strict):
    backend: Literal["local", "mlflow"] = Field(
        "local",
        description="Where builds are registered: a local directory, or an MLflow model registry "
        "(the server from MLFLOW_TRACKING_URI).",
    )
    path: str = Field(".modelspec/registry", description="Local model registry directory.")
    uri: str = Field(
        "pvc://modelspec-registry",
        description="Where serving platforms read registered models from (storageUri prefix).",
    )


class ProjectConfig(_Strict):
    """The contents of modelspec.yaml."""

    project: str = Field(description="Project name.")
    specs: str = Field("specs", description="Directory holding the spec files.")
    generated: str = Field("generated", description="Directory apply renders artifacts into.")
    state: StateConfig = Field(
        default_factory=StateConfig, description="Where the last applied state is kept."
    )
    pipelines: PipelinesConfig = Field(
        default_factory=PipelinesConfig,
        description="How model pipelines run: on this machine (local) or as rendered workflows.",
    )
    registry: RegistryConfig = Field(
        default_factory=RegistryConfig, description="Where trained models are registered."
    )


@dataclass(frozen=True)
class Project:
    root: Path
    config: ProjectConfig

    @property
    def name(self) -> str:
        return self.config.project

    @property
    def specs_dir(self) -> Path:
        return self.root / self.config.specs

    @property
    def generated_dir(self) -> Path:
        return self.root / self.config.generated

    @property
    def state_path(self) -> Path:
        return self.root / self.config.state.path

    @property
    def work_dir(self) -> Path:
        """.modelspec/: lock, audit log, backups (git-ignored)."""
        return self.state_path.parent

    @property
    def registry_dir(self) -> Path:
        return self.root / self.config.registry.path


def find_root(start: Path) -> Path | None:
    """The nearest directory at or above start that holds modelspec.yaml."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_FILE).is_file():
            return directory
    return None


def load_project(start: Path) -> tuple[Project | None, list[Diagnostic]]:
    """Find and read modelspec.yaml; every problem is a diagnostic, never an exception."""
    from modelspec.loading import read_spec_text
    from modelspec.loading.yaml12 import load_text

    root = find_root(start)
    if root is None:
        return None, [
            Diagnostic(
                Severity.ERROR,
                "MS001",
                f"no {CONFIG_FILE} found in {start} or any parent directory",
                hint="run `modelspec init DIR` to create a project, or pass -C DIR",
            )
        ]
    text, problem = read_spec_text(root / CONFIG_FILE, CONFIG_FILE, allowed_roots(root))
    if problem is not None:
        return None, [problem]
    docs, diags = load_text(CONFIG_FILE, text)
    if diags:
        return None, diags
    if len(docs) != 1 or not isinstance(docs[0].data, dict):
        return None, [
            Diagnostic(
                Severity.ERROR, "MS001", f"{CONFIG_FILE} must hold one mapping", CONFIG_FILE, 1, 1,
                hint="start from the file `modelspec init` writes",
            )
        ]
    doc = docs[0]
    try:
        config = ProjectConfig.model_validate(doc.data)
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            out.append(
                doc.diagnostic(
                    "MS001",
                    f"{CONFIG_FILE}: {'.'.join(map(str, loc)) or 'document'}: {err['msg']}",
                    loc,
                    key=err["type"] == "extra_forbidden",
                )
            )
        return None, out
    problems = [
        doc.diagnostic("MS001", message, loc, hint=hint)
        for loc, message, hint in _path_problems(root, config)
    ]
    if problems:
        return None, problems
    return Project(root=root, config=config), []


_NAME_MAX = 255  # bytes in one file name on Linux, macOS and Windows file systems
_STATE_NAME_EXTRA = len(".backup") + len("..0123456789ab.tmp")  # backup and temp names


def _path_problems(root: Path, config: ProjectConfig) -> list[tuple[tuple[str, ...], str, str]]:
    """(where in modelspec.yaml, what is wrong, how to fix it) for each path that cannot be used.

    Every path resolves inside the project (paths.resolve_inside), checked before
    any command reads or writes through it.
    """
    settings = {
        ("specs",): config.specs,
        ("generated",): config.generated,
        ("state", "path"): config.state.path,
        ("registry", "path"): config.registry.path,
    }
    resolved: dict[tuple[str, ...], Path] = {}
    out: list[tuple[tuple[str, ...], str, str]] = []
    for loc, value in settings.items():
        what = ".".join(loc)
        longest = max(len(part.encode("utf-8", "surrogatepass")) for part in value.split("/"))
        if longest > _NAME_MAX:
            out.append((
                loc,
                f"{CONFIG_FILE}: {what}: a name in it is {longest} bytes; file systems hold "
                f"names of at most {_NAME_MAX}",
                "use shorter directory and file names",
            ))
            continue
        try:
            resolved[loc] = resolve_inside(root, value, what)
        except PathRefused as exc:
            out.append((loc, f"{CONFIG_FILE}: {exc}", "give a path relative to the project root"))
    if out:
        return out
    top = root.resolve()
    generated, specs = resolved[("generated",)], resolved[("specs",)]
    if generated == top or _overlap(generated, specs):
        out.append((
            ("generated",),
            f"{CONFIG_FILE}: generated: {config.generated!r} overlaps the project root or the "
            f"specs directory, and apply rewrites and removes files there",
            "use a directory of its own, such as generated",
        ))
    state = resolved[("state", "path")]
    if state == top or _is_dir(state):
        out.append((
            ("state", "path"),
            f"{CONFIG_FILE}: state.path: {config.state.path!r} is a directory, and the state is "
            "a file (its lock and backup sit beside it)",
            "name a file, such as .modelspec/state.json",
        ))
    elif state.suffix in (".lock", ".backup"):
        out.append((
            ("state", "path"),
            f"{CONFIG_FILE}: state.path: {config.state.path!r} ends in {state.suffix}, "
            f"a name the state's own lock or backup file takes",
            "use a name ending in .json, such as .modelspec/state.json",
        ))
    elif len(state.name.encode("utf-8")) + _STATE_NAME_EXTRA > _NAME_MAX:
        out.append((
            ("state", "path"),
            f"{CONFIG_FILE}: state.path: the file name is {len(state.name.encode('utf-8'))} "
            f"bytes; with its backup and temporary names it must fit in {_NAME_MAX} bytes",
            "use a shorter file name, such as state.json",
        ))
    registry = resolved[("registry", "path")]
    if registry == top or _overlap(registry, specs) or _overlap(registry, generated):
        out.append((
            ("registry", "path"),
            f"{CONFIG_FILE}: registry.path: {config.registry.path!r} overlaps the project root, "
            "the specs or the generated directory",
            "use a directory of its own, such as .modelspec/registry",
        ))
    return out


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name the file system cannot hold, a loop: not a directory
        return False


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a in b.parents or b in a.parents
