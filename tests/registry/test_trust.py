"""What state vouches for: the digests of each build and the build apply deployed; hostile registries refused."""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes import passing_validate_data

from modelspec.cli import cli
from modelspec.errors import EngineError
from modelspec.registry import trust
from modelspec.state import LocalFileBackend, ResourceState, State

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"
DIGEST = "sha256:" + "a" * 64


def _state(**resources: dict[str, Any]) -> State:
    state = State.empty()
    for address, outputs in resources.items():
        kind, _, name = address.partition(".")
        state = state.with_resource(
            ResourceState(address, kind.capitalize(), name, DIGEST, {}, outputs, {})
        )
    return state


def test_merged_builds_keep_what_was_recorded_before_and_drop_what_cannot_be_verified() -> None:
    previous = {
        "build": "1.0.0+1",
        "builds": {
            "1.0.0+1": {"manifest.json": DIGEST},
            "../..": {"manifest.json": DIGEST},  # not a build name
            "1.0.0+0": {"manifest.json": "md5:x"},  # not a sha256
            "0.9.0+1": "sha256:...",  # not a file map
        },
    }
    new = {"build": "1.0.0+2", "builds": {"1.0.0+2": {"manifest.json": DIGEST}}}
    merged = trust.merged_builds(previous, new)
    assert merged["build"] == "1.0.0+2"
    assert merged["builds"] == {
        "1.0.0+1": {"manifest.json": DIGEST},
        "1.0.0+2": {"manifest.json": DIGEST},
    }
    assert trust.merged_builds(None, new) == new
    assert trust.merged_builds({"builds": ["x"]}, new) == new


def test_a_record_comes_from_the_models_state_or_the_build_is_refused() -> None:
    state = _state(**{"model.m": {"builds": {"1.0.0+1": {"manifest.json": DIGEST}}}})
    record = trust.record_for(state, "m", "1.0.0+1")
    assert (record.model, record.build, dict(record.files)) == ("m", "1.0.0+1", {"manifest.json": DIGEST})
    with pytest.raises(EngineError, match=r"state records no digests for build 1\.0\.0\+2 of model m"):
        trust.record_for(state, "m", "1.0.0+2")
    old = _state(**{"model.m": {"build": "1.0.0+1", "artifact_digest": DIGEST}})  # before builds
    with pytest.raises(EngineError, match=r"registered before modelspec recorded them.*retrain"):
        trust.record_for(old, "m", "1.0.0+1")
    with pytest.raises(EngineError, match="state has no record of model other"):
        trust.record_for(state, "other", "1.0.0+1")


def test_the_deployed_build_is_the_one_state_and_the_alias_agree_on(tmp_path: Path) -> None:
    for build in ("1.0.0+1", "1.0.0+2"):
        (tmp_path / "m" / build).mkdir(parents=True)
    aliases = tmp_path / "m" / "aliases.json"
    state = _state(**{"deployment.d": {"model_build": "1.0.0+2"}})
    assert trust.deployed_build(State.empty(), tmp_path, "d", "m", "prod") is None
    aliases.write_text('{"prod": "1.0.0+2"}')
    assert trust.deployed_build(state, tmp_path, "d", "m", "prod") == "1.0.0+2"
    aliases.write_text('{"prod": "1.0.0+1"}')
    with pytest.raises(EngineError, match=r"points at 1\.0\.0\+1 .*apply deployed 1\.0\.0\+2 .*set it back"):
        trust.deployed_build(state, tmp_path, "d", "m", "prod")
    with pytest.raises(EngineError, match="state records no build deployed for deployment d"):
        trust.deployed_build(State.empty(), tmp_path, "d", "m", "prod")
    aliases.write_text("{}")
    with pytest.raises(EngineError, match=r"prod alias of model m is missing .*apply deployed 1\.0\.0\+2"):
        trust.deployed_build(state, tmp_path, "d", "m", "prod")


# --- the real CLI on the applied example ---------------------------------------------------


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project applied once (both models built, every deployment's alias moved)."""
    import modelspec.engine.data_validation as data_validation
    from modelspec.examples.scaffold import init_project

    root = tmp_path_factory.mktemp("applied") / "example"
    init_project(root)
    with pytest.MonkeyPatch.context() as patch:  # GX validation is tested on its own
        patch.setattr(data_validation, "validate_data", passing_validate_data)
        result = CliRunner().invoke(cli, ["-C", str(root), "apply", "--auto-approve"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project(applied: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(applied, root, symlinks=True)
    return root


@pytest.fixture
def serving_stub(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """MLServer replaced: what serve would run (a ServeConfig) is kept, nothing listens."""
    from modelspec.serving import server as serving

    served: list[Any] = []
    monkeypatch.setattr(serving, "serve", lambda config, announce: served.append(config))
    return served


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-C", str(root), *args])


def _build(root: Path, model: str, build: str = "") -> Path:
    build = build or ("1.0.0+1" if model == CLASSIFIER else "2.0.1+1")
    return root / ".modelspec" / "registry" / model / build


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Marker:
    """A pickle that creates a file when it is unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (str(self.path), "w"))


def _rewrite_manifest(build: Path) -> None:
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["files"] = {
        p.name: _sha(p.read_bytes()) for p in sorted(build.iterdir()) if p.name != "manifest.json"
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


COMMANDS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "serve": (CLASSIFIER, lambda r: ["serve", "--deployment", "biopsy-classifier-prod", "--port", "0"]),
    "monitor": (
        CLASSIFIER,
        lambda r: ["monitor", "biopsy-classifier-prod", "--current", str(r / "data" / "breast_cancer.csv")],
    ),
    "score": (REGRESSOR, lambda r: ["run-step", "score", "--deployment", "diabetes-progression-batch"]),
    "serve --build-dir": (
        REGRESSOR,
        lambda r: ["serve", "--build-dir", str(_build(r, REGRESSOR).parent / "2.0.1"), "--port", "0"],
    ),
}


def _pickle_and_manifest(root: Path, model: str, marker: Path) -> list[str]:
    build = _build(root, model)
    recorded = _sha((build / "manifest.json").read_bytes())
    (build / "model.joblib").write_bytes(pickle.dumps(Marker(marker)))
    _rewrite_manifest(build)
    return [
        "manifest.json does not match the digest in state",
        f"it is {_sha((build / 'manifest.json').read_bytes())}",
        f"state recorded {recorded} when apply registered the build",
        "restore the build from a backup of the registry, or retrain the model",
    ]


def _truncated_skops(root: Path, model: str, marker: Path) -> list[str]:
    path = _build(root, model) / "model.skops"
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    return [
        f"registry build {model} {_build(root, model).name}",
        f"model.skops does not match its manifest: it is {_sha(content[: len(content) // 2])}",
        f"state recorded {_sha(content)}",
    ]


def _swapped_skops(root: Path, model: str, marker: Path) -> list[str]:
    other = _build(root, REGRESSOR if model == CLASSIFIER else CLASSIFIER)
    shutil.copy2(other / "model.skops", _build(root, model) / "model.skops")
    return ["model.skops does not match its manifest", "the build was altered and is not loaded"]


def _alias_out(root: Path, model: str, marker: Path) -> list[str]:
    aliases = _build(root, model).parent / "aliases.json"
    values = json.loads(aliases.read_text())
    aliases.write_text(json.dumps({target: "../.." for target in values}))
    return ["alias in", "is '../..', which is not a build of model " + model]


def _deep_manifest(root: Path, model: str, marker: Path) -> list[str]:
    (_build(root, model) / "manifest.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    return ["manifest.json does not match the digest in state"]


def _huge_alias(root: Path, model: str, marker: Path) -> list[str]:
    (_build(root, model).parent / "aliases.json").write_bytes(b'{"prod": ' + b"9" * 5000 + b"}")
    return ["cannot read registry file", "an integer of 5,000 digits is too large"]


def _planted_build(root: Path, model: str, marker: Path) -> list[str]:
    build = _build(root, model)
    planted = build.parent / build.name.replace("+1", "+7")
    shutil.copytree(build, planted)
    (planted / "model.joblib").write_bytes(pickle.dumps(Marker(marker)))
    _rewrite_manifest(planted)
    aliases = build.parent / "aliases.json"
    aliases.write_text(json.dumps({t: planted.name for t in json.loads(aliases.read_text())}))
    return [f"points at {planted.name}", f"apply deployed {build.name}", "changed outside modelspec"]


PLANTS = {
    "a rewritten pickle and manifest": _pickle_and_manifest,
    "a truncated model.skops": _truncated_skops,
    "another build's model.skops": _swapped_skops,
    "an alias of ../..": _alias_out,
    "a deep-JSON manifest": _deep_manifest,
    "a 5,000-digit alias": _huge_alias,
    "an alias moved to a planted build": _planted_build,
}


ALIAS_PLANTS = ("an alias of ../..", "a 5,000-digit alias", "an alias moved to a planted build")
CASES = [
    (plant, command)
    for command in COMMANDS
    for plant in PLANTS
    if not (command == "serve --build-dir" and plant in ALIAS_PLANTS)  # it reads no alias
]


@pytest.mark.slow
@pytest.mark.parametrize(("plant", "command"), CASES)
def test_a_hostile_registry_is_refused_with_exit_1_and_nothing_runs_or_changes(
    project: Path, tmp_path: Path, plant: str, command: str, serving_stub: list[Any]
) -> None:
    model, args = COMMANDS[command]
    marker = tmp_path / "unpickled"
    expected = PLANTS[plant](project, model, marker)
    before = _tree(project)
    result = run(project, *args(project))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    for fragment in expected:
        assert fragment in errors[0], (fragment, result.output)
    assert "Traceback" not in result.output
    assert not marker.exists() and serving_stub == []
    assert _tree(project) == before


@pytest.mark.slow
def test_the_applied_example_serves_monitors_and_scores_and_plans_no_change(
    project: Path, serving_stub: list[Any]
) -> None:
    result = run(project, "plan", "--detailed-exitcode")
    assert result.exit_code == 0 and "No changes" in result.output, result.output
    for command, (_, args) in COMMANDS.items():
        result = run(project, *args(project))
        assert result.exit_code == 0, (command, result.output)
    assert [(c.record.model, c.record.build) for c in serving_stub] == [
        (CLASSIFIER, "1.0.0+1"),
        (REGRESSOR, "2.0.1+1"),
    ]
    from modelspec.registry.verify import open_build
    from modelspec.serving.model import served_model

    served = served_model(open_build(serving_stub[0].build_dir, serving_stub[0].record))
    assert hasattr(served.estimator, "predict_proba")  # what the runtime loads: model.skops


@pytest.mark.slow
def test_a_pickle_is_never_unpickled_even_when_state_vouches_for_it(
    project: Path, tmp_path: Path, serving_stub: list[Any]
) -> None:
    """An attacker who can write the registry and state: modelspec still loads only model.skops."""
    marker = tmp_path / "unpickled"
    build = _build(project, CLASSIFIER)
    (build / "model.joblib").write_bytes(pickle.dumps(Marker(marker)))
    _rewrite_manifest(build)
    backend = LocalFileBackend(project / ".modelspec" / "state.json")
    state = backend.read()
    rs = state.resources[f"model.{CLASSIFIER}"]
    files = {p.name: _sha(p.read_bytes()) for p in build.iterdir()}
    outputs = {**rs.outputs, "builds": {build.name: files}}
    backend.write(state.with_resource(replace(rs, outputs=outputs)))
    for args in (
        ["serve", "--deployment", "biopsy-classifier-prod", "--port", "0"],
        ["monitor", "biopsy-classifier-prod", "--current", str(project / "data" / "breast_cancer.csv")],
    ):
        result = run(project, *args)
        assert result.exit_code == 0, result.output
    assert serving_stub and not marker.exists()


@pytest.mark.slow
def test_a_state_from_before_build_digests_refuses_to_serve_and_says_to_retrain(
    project: Path, serving_stub: list[Any]
) -> None:
    backend = LocalFileBackend(project / ".modelspec" / "state.json")
    state = backend.read()
    rs = state.resources[f"model.{CLASSIFIER}"]
    backend.write(
        state.with_resource(replace(rs, outputs={k: v for k, v in rs.outputs.items() if k != "builds"}))
    )
    before = _tree(project)
    result = run(project, "serve", "--deployment", "biopsy-classifier-prod", "--port", "0")
    assert result.exit_code == 1
    assert f"state records no digests for build 1.0.0+1 of model {CLASSIFIER}" in result.output
    assert "retrain the model with `modelspec apply`" in result.output
    assert serving_stub == [] and _tree(project) == before


@pytest.mark.slow
def test_a_build_dir_state_has_no_record_of_is_refused(
    project: Path, tmp_path: Path, serving_stub: list[Any]
) -> None:
    elsewhere = tmp_path / "mounted" / REGRESSOR / "2.0.1+9"
    shutil.copytree(_build(project, REGRESSOR), elsewhere)
    result = run(project, "serve", "--build-dir", str(elsewhere), "--port", "0")
    assert result.exit_code == 1
    assert f"state records no digests for build 2.0.1+9 of model {REGRESSOR}" in result.output
    # the same bytes under the name state recorded are served from wherever they are mounted
    elsewhere.rename(elsewhere.with_name("2.0.1+1"))
    result = run(project, "serve", "--build-dir", str(elsewhere.with_name("2.0.1+1")), "--port", "0")
    assert result.exit_code == 0, result.output
    assert [(c.record.model, c.record.build) for c in serving_stub] == [(REGRESSOR, "2.0.1+1")]
