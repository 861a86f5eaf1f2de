"""The runner image's Dockerfile, checked statically (no docker daemon in the test environment).

`docker build -t ghcr.io/modelspec/modelspec:0.1.0 .` builds it; these tests hold it to what
the rendered manifests assume: this source tree installed with the `serve` extra, `modelspec`
on PATH, no entrypoint, and the non-root uid the Workflow's securityContext runs as.
"""

from __future__ import annotations

import fnmatch
import json
import shlex
import tomllib
from pathlib import Path

from modelspec import DISTRIBUTION, __version__
from modelspec.generate.argo import RUNNER_UID
from modelspec.project import PipelinesConfig

ROOT = Path(__file__).resolve().parents[1]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical, current = [], ""
    for line in text.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(s.split(None, 1)[0].upper(), s.split(None, 1)[1]) for s in logical]


def _context() -> set[str]:
    """The files `docker build .` sends, by .dockerignore (last matching rule wins)."""
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    out = set()
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT).as_posix()
        if not path.is_file() or rel.startswith((".git/", ".venv")):
            continue
        included = True
        for rule in rules:
            negated, pattern = rule.startswith("!"), rule.lstrip("!").rstrip("/")
            parts = rel.split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes) or fnmatch.fnmatchcase(
                rel, pattern.replace("**/", "*/")
            ):
                included = negated
        if included:
            out.add(rel)
    return out


def test_the_image_installs_this_source_tree_with_the_serve_extra() -> None:
    steps = _instructions()
    [(_, base)] = [s for s in steps if s[0] == "FROM"]
    assert base.startswith("python:3.11") and ":latest" not in base
    installs = [args for kind, args in steps if kind == "RUN" and "pip install" in args]
    assert len(installs) == 1
    words = shlex.split(installs[0])
    target = words[words.index("install") + 1]
    assert target.endswith("[serve,kubeflow]")  # a path, never the PyPI name `modelspec` (another project)
    source = target.removesuffix("[serve,kubeflow]")
    assert source.startswith("/")
    copies = [args.split() for kind, args in steps if kind == "COPY"]
    assert ["src", f"{source}/src"] in copies
    assert any("pyproject.toml" in c and "README.md" in c for c in copies)
    assert "modelspec --version" in installs[0]  # the command is on PATH


def test_the_image_runs_as_the_workflows_non_root_user_without_an_entrypoint() -> None:
    steps = dict(_instructions())
    assert steps["USER"] == f"{RUNNER_UID}:{RUNNER_UID}"
    assert json.loads(steps["ENTRYPOINT"]) == []
    assert json.loads(steps["CMD"])[0] == "modelspec"


def test_the_default_image_is_the_one_the_dockerfile_says_to_build() -> None:
    image = PipelinesConfig().image
    assert image.endswith(f":{__version__}")
    assert f"docker build -t {image} ." in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["modelspec"] == "modelspec.cli:main"
    assert project["name"] == DISTRIBUTION  # the image installs that distribution from source
    assert "serve" in project["optional-dependencies"]


def test_the_build_context_holds_the_package_and_nothing_else() -> None:
    context = _context()
    assert {"pyproject.toml", "README.md", "src/modelspec/__init__.py"} <= context
    package = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "src").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".egg-info" not in str(p)
    }
    assert package <= context
    assert not {p for p in context if p.startswith(("tests/", "data/", ".modelspec/", "bench/"))}
