"""Tests for the example project: valid specs, references, hooks, the repo-root copy (CI: test_init_workflow)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelspec.examples.data import write_datasets
from modelspec.examples.scaffold import DATA_DIR, REPO_FILES, project_files
from modelspec.loading.yaml12 import load_text
from modelspec.project import ProjectConfig
from modelspec.spec import KINDS

REPO_ROOT = Path(__file__).resolve().parents[2]
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")

FILES = project_files()
SPEC_FILES = {
    rel: content.decode("utf-8") for rel, content in FILES.items() if rel.startswith("specs/")
}


def documents() -> list[tuple[str, dict[str, Any]]]:
    return [(rel, doc) for rel, text in SPEC_FILES.items() for doc in yaml.safe_load_all(text)]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in documents() if doc["kind"] == kind}


def test_the_example_has_every_kind_in_several_files() -> None:
    kinds = {doc["kind"] for _, doc in documents()}
    assert kinds == set(KINDS)
    assert len(SPEC_FILES) >= 5
    assert any(text.count("\n---\n") for text in SPEC_FILES.values()), "no multi-document file"
    assert {rel.split("/")[1] for rel in SPEC_FILES} >= {
        "contracts",
        "models",
        "deployments",
        "governance",
    }


@pytest.mark.parametrize("rel", sorted(SPEC_FILES))
def test_every_document_is_valid(rel: str) -> None:
    for doc in yaml.safe_load_all(SPEC_FILES[rel]):
        KINDS[doc["kind"]].model_validate(doc)


@pytest.mark.parametrize("rel", sorted(SPEC_FILES))
def test_yaml_1_1_and_1_2_read_the_same(rel: str) -> None:
    """No yes/no/on/off or bare dates whose meaning depends on the YAML version."""
    docs, diagnostics = load_text(rel, SPEC_FILES[rel])
    assert diagnostics == []
    assert [d.data for d in docs] == list(yaml.safe_load_all(SPEC_FILES[rel]))


@pytest.mark.parametrize("rel", sorted(SPEC_FILES))
def test_every_document_starts_with_a_modeline_naming_its_kinds_schema(rel: str) -> None:
    """yaml-language-server reads a modeline only in its own document: one after every `---`."""
    text = SPEC_FILES[rel]
    chunks = re.split(r"^---\n", text, flags=re.MULTILINE)
    kinds = [doc["kind"] for doc in yaml.safe_load_all(text)]
    assert len(chunks) == len(kinds)
    for chunk, kind in zip(chunks, kinds, strict=True):
        match = MODELINE.match(chunk.splitlines()[0])
        assert match, f"a {kind} document of {rel} has no yaml-language-server modeline"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), match.group(1)))
        assert target == f"schemas/{kind.lower()}.schema.json"
        assert target in FILES


def test_the_example_has_one_modeline_per_document() -> None:
    count = sum(len(list(yaml.safe_load_all(text))) for text in SPEC_FILES.values())
    modelines = sum(
        1 for text in SPEC_FILES.values() for line in text.splitlines() if MODELINE.match(line)
    )
    assert count == modelines == 16


def test_project_file_is_valid() -> None:
    text = FILES["modelspec.yaml"].decode("utf-8")
    config = ProjectConfig.model_validate(yaml.safe_load(text))
    assert config.specs == "specs"
    match = MODELINE.match(text.splitlines()[0])
    assert match and match.group(1) in FILES


def test_references_resolve() -> None:
    contracts, models, targets = by_kind("DataContract"), by_kind("Model"), by_kind("Target")
    for model in models.values():
        data = model["spec"]["data"]
        columns = {c["name"] for c in contracts[data["contract"]]["spec"]["columns"]}
        assert data["target"] in columns
        assert set(data["features"]) <= columns
    for deployment in by_kind("Deployment").values():
        assert deployment["spec"]["model"] in models
        assert deployment["spec"]["target"] in targets
    for target in targets.values():
        assert target["spec"].get("promotion_from", "staging") in targets


def test_governance_story() -> None:
    models, deployments, policies = by_kind("Model"), by_kind("Deployment"), by_kind("Policy")
    classifier = models["biopsy-malignancy-classifier"]["spec"]
    assert classifier["risk"] == {"tier": "high", "personal_data": True}
    assert classifier["card"]["human_oversight"]
    assert {m["name"] for m in classifier["evaluation"]["metrics"]} >= {"roc_auc", "brier_score"}
    prod = deployments["biopsy-classifier-prod"]["spec"]
    assert prod["rollout"]["strategy"] in ("canary", "shadow")
    assert prod["monitoring"]["on_breach"] == "retrain"
    assert by_kind("Target")["prod"]["spec"]["protected"] is True
    assert {p["spec"]["enforcement"] for p in policies.values()} >= {
        "hard-mandatory",
        "soft-mandatory",
    }
    for waiver in by_kind("Waiver").values():
        spec = waiver["spec"]
        policy = policies[spec["policy"]]["spec"]
        assert policy["enforcement"] != "hard-mandatory", "a hard-mandatory rule cannot be waived"
        assert spec["rule"] in {r["id"] for r in policy["rules"]}
        assert spec["expires"].startswith("2027-")
        for address in spec["resources"]:
            kind, name = address.split(".", 1)
            assert name in by_kind(next(k for k in KINDS if k.lower() == kind))


@pytest.mark.parametrize("normalized", [False, True], ids=["as-written", "with-defaults"])
def test_no_pii_features_policy_expression(normalized: bool) -> None:
    """The CEL rule passes for both models and fails once an identifier becomes a feature."""
    celpy = pytest.importorskip("celpy")
    policy = by_kind("Policy")["no-pii-features"]
    expression = policy["spec"]["rules"][0]["assert"]["expr"]
    environment = celpy.Environment()
    program = environment.program(environment.compile(expression))
    contracts = by_kind("DataContract")

    def holds(model: dict[str, Any]) -> bool:
        contract = contracts[model["spec"]["data"]["contract"]]
        if normalized:  # absent optional fields become nulls
            contract = (
                KINDS["DataContract"]
                .model_validate(contract)
                .model_dump(by_alias=True, mode="json")
            )
        activation = {
            "resource": celpy.json_to_cel(model),
            "refs": celpy.json_to_cel({"contract": contract}),
        }
        return bool(program.evaluate(activation))

    classifier = by_kind("Model")["biopsy-malignancy-classifier"]
    assert all(holds(model) for model in by_kind("Model").values())
    leaky = {**classifier, "spec": {**classifier["spec"], "data": {**classifier["spec"]["data"]}}}
    leaky["spec"]["data"]["features"] = [*classifier["spec"]["data"]["features"], "patient_id"]
    assert not holds(leaky)


def test_pre_commit_hooks() -> None:
    hooks = {
        hook["id"]: hook
        for hook in yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    }
    assert hooks["modelspec-validate"]["entry"] == "modelspec validate"
    assert hooks["modelspec-fmt"]["entry"] == "modelspec fmt --check"
    known = {
        "id", "name", "entry", "language", "files", "exclude", "types", "types_or", "exclude_types",
        "always_run", "fail_fast", "verbose", "pass_filenames", "require_serial", "description",
        "language_version", "minimum_pre_commit_version", "args", "stages",
    }  # fmt: skip
    for hook in hooks.values():
        assert set(hook) <= known
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert re.search(hook["files"], "specs/models/a.yaml") and re.search(hook["files"], "b.yml")
        assert not re.search(hook["files"], "data/a.csv")


def test_repo_root_copy_is_not_stale(tmp_path: Path) -> None:
    """The example at the repository root is what init writes (without the repository's own files)."""
    regenerate = (
        'regenerate it from the repository root with: python -c "from pathlib import Path; '
        "from modelspec.examples.scaffold import init_project; init_project(Path('.'), force=True, repo_files=False)\""
    )
    expected = project_files(repo_files=False)
    assert not set(expected) & REPO_FILES
    for path in write_datasets(tmp_path):
        expected[f"{DATA_DIR}/{path.name}"] = path.read_bytes()
    stale = [rel for rel, content in expected.items() if _read(REPO_ROOT / rel) != content]
    for folder in ("specs", "schemas", DATA_DIR):
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            rel = path.relative_to(REPO_ROOT).as_posix()
            if path.is_file() and rel not in expected:
                stale.append(rel + " (not in the template)")
    assert stale == [], f"the repository's example differs from the template: {stale}; {regenerate}"


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None
