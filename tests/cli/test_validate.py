"""`modelspec validate` end to end: exit codes, every output format, no traceback, light imports."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec.cli import cli, main

BAD_MODEL = """\
apiVersion: modelspec/v1
kind: Model
metadata:
  name: bad-model
  owner: someone
spec:
  version: 1.0.0
  task: classification
  data: {contract: breast-cancer-biopsies, target: malignant, features: [mean_radius, mean_radiuss]}
  training:
    estimator:
      class: sklearn.ensemble.RandomForestClassifier
      parms: {n_estimators: 10}
"""


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["-C", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_example_project_is_valid(example_project: Path) -> None:
    code, out = run(example_project, "validate")
    assert code == 0, out
    assert "error" not in out
    assert "1 note in 10 files" in out  # the waived finding stays visible


def test_planted_mistakes_are_each_reported_with_position(example_project: Path) -> None:
    (example_project / "specs" / "bad.yaml").write_text(BAD_MODEL, encoding="utf-8")
    code, out = run(example_project, "validate", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["valid"] is False
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    found = {(d["code"], d["line"], d["column"], d["path"]) for d in errors}
    assert ("MS202", 13, 7, "/spec/training/estimator/parms") in found
    assert ("MS302", 9, 90, "/spec/data/features/1") not in found  # not reached: schema failed first
    assert report["error_count"] == len(errors) == 1
    assert all(d["file"] == "specs/bad.yaml" for d in errors)


def test_reference_mistakes_after_schema_passes(example_project: Path) -> None:
    text = BAD_MODEL.replace("parms", "params")
    (example_project / "specs" / "bad.yaml").write_text(text, encoding="utf-8")
    code, out = run(example_project, "validate", "--format", "json")
    assert code == 1
    (d,) = [d for d in json.loads(out)["diagnostics"] if d["severity"] == "error"]
    assert (d["code"], d["line"], d["path"]) == ("MS302", 9, "/spec/data/features/1")
    assert "mean_radius" in d["hint"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_every_format_on_a_broken_project(example_project: Path, fmt: str) -> None:
    (example_project / "specs" / "bad.yaml").write_text(BAD_MODEL, encoding="utf-8")
    code, out = run(example_project, "validate", "--format", fmt)
    assert code == 1
    if fmt == "text":
        assert "specs/bad.yaml:13:7: error[MS202]" in out
        assert "^" in out
    elif fmt == "json":
        assert json.loads(out)["error_count"] == 1
    elif fmt == "sarif":
        sarif = json.loads(out)
        (result,) = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
        assert result["ruleId"] == "MS202"
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (13, 7)
    elif fmt == "github":
        assert out.startswith("::error file=specs/bad.yaml,line=13,col=7,")
    else:
        suite = ET.fromstring(out)
        assert int(suite.get("failures") or suite[0].get("failures") or 0) == 1


def test_warnings_alone_exit_zero(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({})
    code, out = run(root, "validate")
    assert code == 0
    assert "MS003" in out


def test_no_project_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    code, out = run(tmp_path, "validate")
    assert code == 1
    assert "MS001" in out and "Traceback" not in out


def test_broken_project_config(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({}, config="project: x\nspecz: specs\n")
    code, out = run(root, "validate")
    assert code == 1
    assert "modelspec.yaml:2:1" in out and "MS001" in out


def test_unexpected_errors_print_one_line_without_traceback(
    example_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import modelspec.operations.validate

    def boom(project: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(modelspec.operations.validate, "validate_project", boom)
    with pytest.raises(SystemExit) as exit_info:
        main(["-C", str(example_project), "validate"])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "kaboom" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["-C", str(example_project), "--debug", "validate"])


def test_validate_never_imports_heavy_libraries(example_project: Path) -> None:
    code = (
        "import sys\n"
        "from modelspec.cli import main\n"
        "try:\n"
        f"    main(['-C', {str(example_project)!r}, 'validate', '--format', 'sarif'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "heavy = sorted(m for m in ('sklearn', 'pandas', 'scipy', 'great_expectations', 'numpy') if m in sys.modules)\n"
        "print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY=\n" in proc.stderr, proc.stderr


def test_module_entry_point_and_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "modelspec", "--version"], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("modelspec, version ")
