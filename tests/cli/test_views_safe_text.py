"""The CLI's views print spec and state text safely: no CI workflow command, no raw control
character, and JSON that is standard JSON whatever numbers the state holds."""

from __future__ import annotations

from pathlib import Path

from hostile import CONTROL, HOSTILE, SHORT, run, strict_json, workflow_commands

from modelspec.cli.views import approve, fmt, state
from modelspec.diagnostics import Diagnostic, Severity
from modelspec.operations.fmt import FileResult
from modelspec.state import ResourceState


def _resource() -> ResourceState:
    return ResourceState(
        address="model.m",
        kind="Model",
        name="m",
        digest="sha256:" + "ab" * 32,
        spec={"metadata": {"description": HOSTILE, "owner": SHORT}, "spec": {"max": float("inf")}},
        outputs={"metrics": {"roc_auc": float("nan"), "brier": 0.1}},
        artifacts={},
    )


def test_state_show_json_is_standard_json() -> None:
    out = state.show_json(_resource())
    document = strict_json(out)
    assert document["outputs"]["metrics"] == {"roc_auc": "NaN", "brier": 0.1}
    assert document["spec"]["spec"]["max"] == "Infinity"
    assert document["spec"]["metadata"]["description"] == HOSTILE  # exact, once parsed
    assert workflow_commands(out) == [] and "\x1b" not in out


def test_state_show_text_is_inert() -> None:
    out = state.show_text(_resource())
    assert workflow_commands(out) == [] and not CONTROL.search(out)
    assert "::error file=a::pwned" in out.replace("\\x3a", ":")  # still there to read


def test_fmt_views_are_inert() -> None:
    problem = Diagnostic(
        Severity.ERROR, "MS100", f"bad: {SHORT}", file="specs/a\n::error::b.yaml", line=2
    )
    shown = fmt.problem(problem)
    assert shown.startswith("specs/a\\n::error::b.yaml:2:1: error[MS100]: bad: @org/x")
    assert workflow_commands(shown) == [] and "\x1b" not in shown
    before = "c: |\n  ::error file=c::d\n"
    after = before + "b: |\n  ::error file=x::y\n  ##[error]z \x1b[2J\n"
    result = FileResult(Path("specs/a.yaml"), "specs/a.yaml", before=before, after=after)
    diff = fmt.unified_diff(result)
    assert workflow_commands(diff) == [] and "\x1b" not in diff
    # a context line starts with a space, which the runner trims; an added line with "+"
    assert "\n   \\x3a:error file=c::d\n" in diff and "\n+  ::error file=x::y\n" in diff
    assert "\n+  #\\x23[error]z \\x1b[2J\n" in diff
    assert (
        fmt.shown(FileResult(Path("x"), "specs/x\n::error::y.yaml")) == "specs/x\\n::error::y.yaml"
    )


def test_approve_refusal_is_one_line() -> None:
    problem = Diagnostic(Severity.ERROR, "MS301", f"no such model {SHORT}")
    line = approve.refusal([problem], "model.x")
    assert "\n" not in line and workflow_commands(line) == [] and "\x1b" not in line


def test_the_error_line_quotes_text_inertly(example_project: Path) -> None:
    code, out, err = run(example_project, "force-unlock", "x\n::error::pwned\x1b[31m")
    assert code == 1 and out == ""
    assert (
        err == "Error: cannot remove lock x\n\\x3a:error::pwned\\x1b[31m: the state is not locked\n"
    )
