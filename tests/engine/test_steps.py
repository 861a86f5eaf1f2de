"""The four steps hand over through a work directory and give the same build as the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modelspec.engine import steps
from modelspec.engine.local import run_pipeline
from modelspec.errors import EngineError

Example = Any  # the `example` fixture (tests/support/engine_fixtures.py)
REGRESSOR = "diabetes-progression-regressor"


def _context(example: Example, workdir: Path) -> steps.StepContext:
    return steps.step_context(example.project, example.graph(), REGRESSOR, workdir)


def test_steps_chained_through_a_workdir_give_the_engines_build(
    example: Example, tmp_path: Path
) -> None:
    shared = tmp_path / "volume"
    # each step gets a fresh context, as a separate container would
    steps.validate_data_step(_context(example, shared))
    steps.train_step(_context(example, shared))
    evaluation = steps.evaluate_step(_context(example, shared))
    by_steps = steps.register_step(_context(example, shared))
    by_engine = run_pipeline(example.project, example.graph(), REGRESSOR)

    assert by_steps["build"] == "2.0.1+1" and by_engine["build"] == "2.0.1+2"
    for key in ("metrics", "data_digest", "artifact_digest", "version"):
        assert by_steps[key] == by_engine[key]
    assert evaluation["passed"] and [g["metric"] for g in evaluation["gates"]] == ["r2", "rmse"]
    assert sorted(p.name for p in shared.iterdir()) == [
        "build.json",
        "evaluation.json",
        "model.joblib",
        "model.skops",
        "train.json",
        "validation.json",
    ]
    assert json.loads((shared / "build.json").read_text()) == by_steps


def test_the_default_workdir_is_under_modelspec_work(example: Example) -> None:
    ctx = steps.step_context(example.project, example.graph(), REGRESSOR)
    assert ctx.workdir == example.root / ".modelspec" / "work" / REGRESSOR


def test_a_step_needs_the_one_before(example: Example, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="run the validate-data step first"):
        steps.train_step(_context(example, tmp_path / "w"))
    steps.validate_data_step(_context(example, tmp_path / "w"))
    with pytest.raises(EngineError, match="run the train step first"):
        steps.evaluate_step(_context(example, tmp_path / "w"))


def test_a_step_refuses_the_work_of_another_spec(example: Example, tmp_path: Path) -> None:
    work = tmp_path / "w"
    steps.validate_data_step(_context(example, work))
    steps.train_step(_context(example, work))
    example.edit("specs/models/diabetes-progression-regressor.yaml", "{alpha: 1.0}", "{alpha: 2.0}")
    with pytest.raises(EngineError, match="ran on another spec or other data"):
        steps.evaluate_step(_context(example, work))


@pytest.mark.parametrize("victim", ["model.joblib", "model.skops"])
def test_a_tampered_work_model_is_never_unpickled(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    import modelspec.registry.local as registry

    work = tmp_path / "w"
    steps.validate_data_step(_context(example, work))
    steps.train_step(_context(example, work))
    steps.evaluate_step(_context(example, work))
    (work / victim).write_bytes(b"not the model train wrote")
    monkeypatch.setattr(registry, "joblib_module", lambda: pytest.fail("unpickled a tampered file"))
    with pytest.raises(EngineError, match=f"{victim} does not match what train wrote"):
        steps.register_step(_context(example, work))
    with pytest.raises(EngineError, match=f"{victim} does not match what train wrote"):
        steps.evaluate_step(_context(example, work))
    assert not (example.project.registry_dir / REGRESSOR).exists()


def test_the_evaluated_model_is_the_one_rebuilt_from_skops(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """evaluate loads model.skops with the trusted types only: the pickle is never read back."""
    import modelspec.registry.local as registry

    work = tmp_path / "w"
    steps.validate_data_step(_context(example, work))
    steps.train_step(_context(example, work))
    monkeypatch.setattr(registry, "joblib_module", lambda: pytest.fail("joblib used after train"))
    evaluation = steps.evaluate_step(_context(example, work))
    assert evaluation["passed"]
    training = json.loads((work / "train.json").read_text())
    assert training["skops_sha256"].startswith("sha256:") and training["model_sha256"].startswith("sha256:")


def test_a_hostile_work_record_is_a_clear_error(example: Example, tmp_path: Path) -> None:
    work = tmp_path / "w"
    steps.validate_data_step(_context(example, work))
    (work / "validation.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(EngineError, match="run the validate-data step first"):
        steps.train_step(_context(example, work))


def test_register_refuses_a_model_that_failed_its_gates(example: Example, tmp_path: Path) -> None:
    work = tmp_path / "w"
    example.edit(
        "specs/models/diabetes-progression-regressor.yaml",
        "{name: r2, min: 0.35}",
        "{name: r2, min: 0.99}",
    )
    steps.validate_data_step(_context(example, work))
    steps.train_step(_context(example, work))
    with pytest.raises(EngineError, match=r"r2 0\.4\d* is below the gate 0\.99"):
        steps.evaluate_step(_context(example, work))
    with pytest.raises(EngineError, match="did not pass evaluation and is not registered"):
        steps.register_step(_context(example, work))
    assert not (example.project.registry_dir / REGRESSOR).exists()


def test_an_unknown_model_names_the_known_ones(example: Example) -> None:
    with pytest.raises(EngineError, match=r"no Model named 'nope'.*diabetes-progression-regressor"):
        steps.step_context(example.project, example.graph(), "nope")
