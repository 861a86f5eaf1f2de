"""The wheel, built offline, installs the way init's workflow installs it and runs the example."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelspec import DISTRIBUTION, __version__
from modelspec.examples.scaffold import WORKFLOW, planned_files, project_files

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
WHEEL = f"{DISTRIBUTION.replace('-', '_')}-{__version__}-py3-none-any.whl"
_OFFLINE = {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _package_files() -> set[str]:
    """Every file of the import package in the source tree, as the wheel names it."""
    src = ROOT / "src"
    return {
        p.relative_to(src).as_posix()
        for p in (src / "modelspec").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel --no-build-isolation --no-deps` builds from a copy of the tree.

    A copy, so the build's build/ and *.egg-info never land in the shared source tree.
    """
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    dist = base / "dist"
    argv = [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "."]
    result = subprocess.run(
        [*argv, "-w", str(dist)], cwd=source, env={**os.environ, **_OFFLINE},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert [p.name for p in dist.iterdir()] == [WHEEL]
    return dist / WHEEL


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv whose own site-packages will hold only the wheel.

    Offline there is nowhere to install the dependencies from, so the venv sees the
    test venv's site-packages as a plain path entry, after its own. Its `.pth` files
    are not run from there, so the test venv's editable modelspec stays out of reach.
    """
    venv = tmp_path_factory.mktemp("venv") / "fresh"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120
    )
    python = venv / "bin" / "python"
    own = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(own) / "dependencies-from-the-test-venv.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return venv


def _env(venv: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, "PATH": f"{venv / 'bin'}:/usr/bin:/bin", **extra}


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _step(job: str, name: str) -> str:
    flow: dict[str, Any] = yaml.safe_load(project_files()[WORKFLOW])
    [found] = [s for s in flow["jobs"][job]["steps"] if s.get("name") == name]
    script: str = found["run"]
    return script


@pytest.fixture(scope="module")
def installed(
    wheel: Path, fresh_venv: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The fresh venv after the workflow's own install step ran in it, offline, from the wheel."""
    work = tmp_path_factory.mktemp("checkout")
    (work / "modelspec.yaml").write_bytes(project_files()["modelspec.yaml"])
    output = work / "github_output"
    script = work / "install.sh"
    script.write_text(_step("check", "Install modelspec"), encoding="utf-8")
    # pip options as environment variables: the step's command is run exactly as written.
    env = _env(
        fresh_venv, PIP_FIND_LINKS=str(wheel.parent), PIP_NO_DEPS="1", PIP_IGNORE_INSTALLED="1",
        MODELSPEC_VERSION=__version__, GITHUB_OUTPUT=str(output), **_OFFLINE,
    )  # fmt: skip
    result = _run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], work, env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"Successfully installed {DISTRIBUTION}-{__version__}" in result.stdout
    assert f"modelspec, version {__version__}" in result.stdout
    assert output.read_text(encoding="utf-8").split() == ["state=local", "registry=local"]
    yield fresh_venv


def test_the_wheel_holds_the_whole_package_and_names_the_distribution(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(
            f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info/METADATA"
        )
        entry_points = archive.read(
            f"{DISTRIBUTION.replace('-', '_')}-{__version__}.dist-info/entry_points.txt"
        ).decode()
    missing = _package_files() - names
    assert missing == set(), f"the wheel leaves out {sorted(missing)[:10]}"
    assert {
        "modelspec/examples/project/.gitignore",
        f"modelspec/examples/project/{WORKFLOW}",
        "modelspec/generate/templates/model_card.md.j2",
        "modelspec/py.typed",
    } <= names
    headers = dict(
        line.split(": ", 1)
        for line in metadata.decode().splitlines()
        if ": " in line and line[0] != " "
    )
    assert headers["Name"] == DISTRIBUTION and headers["Version"] == __version__
    assert "modelspec = modelspec.cli:main" in entry_points


def test_the_installed_tool_is_the_wheels(installed: Path) -> None:
    python = str(installed / "bin" / "python")
    code = (
        "import importlib.metadata as m, modelspec; "
        f"print(modelspec.__file__); print(m.version({DISTRIBUTION!r}))"
    )
    result = _run([python, "-c", code], installed, _env(installed))
    assert result.returncode == 0, result.stderr
    where, version = result.stdout.split()
    assert Path(where).is_relative_to(installed) and version == __version__
    assert (installed / "bin" / "modelspec").is_file()


def test_init_validate_plan_apply_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    env = _env(installed)
    project = tmp_path / "team-repo"
    result = _run(["modelspec", "init", str(project)], tmp_path, env)
    assert result.returncode == 0, result.stderr
    # every file init writes came from the wheel's package data, byte for byte
    written = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert written == set(planned_files())
    for rel, content in project_files().items():
        assert (project / rel).read_bytes() == content, rel
    for argv, expected in (
        (["validate"], 0),
        (["plan", "--detailed-exitcode"], 2),
        (["apply", "--auto-approve"], 0),
        (["plan", "--detailed-exitcode"], 0),
    ):
        result = _run(["modelspec", *argv], project, env)
        assert result.returncode == expected, (argv, result.stdout[-3000:], result.stderr[-3000:])
    assert "No changes" in result.stdout
    assert (project / ".modelspec" / "state.json").is_file()
    assert any((project / "generated").rglob("*.yaml"))


def test_the_workflows_plan_step_runs_the_wheels_modelspec(installed: Path, tmp_path: Path) -> None:
    project = tmp_path / "team-repo"
    assert _run(["modelspec", "init", str(project)], tmp_path, _env(installed)).returncode == 0
    script = tmp_path / "plan.sh"
    script.write_text(_step("check", "Plan"), encoding="utf-8")
    summary = tmp_path / "summary.md"
    env = _env(installed, STATE="local", GITHUB_STEP_SUMMARY=str(summary))
    result = _run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], project, env)
    assert result.returncode == 0, result.stderr
    plan = (project / "plan.md").read_text(encoding="utf-8")
    assert "16 to create" in plan
    assert summary.read_text(encoding="utf-8") == plan
