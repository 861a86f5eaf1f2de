"""The benchmark's generator writes a complete, valid, deterministic project of N specs."""

from __future__ import annotations

import importlib
import re
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

BENCH = Path(__file__).resolve().parents[2] / "bench"
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


def _bench_module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def gen_specs() -> ModuleType:
    return _bench_module("gen_specs")


@pytest.fixture(scope="module")
def project(gen_specs: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench-20")
    gen_specs.generate(root, 20, seed=3)
    return root


def _files(root: Path) -> list[Path]:
    return sorted((root / "specs").rglob("*.yaml"))


def _documents(root: Path) -> list[dict[str, Any]]:
    return [d for f in _files(root) for d in yaml.safe_load_all(f.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def by_kind(project: Path) -> dict[str, dict[str, dict[str, Any]]]:
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in _documents(project):
        out.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    return out


def test_writes_a_project_with_n_documents_of_every_kind(project: Path) -> None:
    config = yaml.safe_load((project / "modelspec.yaml").read_text(encoding="utf-8"))
    assert config["project"] == "bench"
    docs = _documents(project)
    assert len(docs) == 20
    assert set(Counter(d["kind"] for d in docs)) == {"DataContract", "Model", "Target", "Deployment", "Policy"}
    assert any(len(list(yaml.safe_load_all(f.read_text()))) > 1 for f in _files(project))
    assert all(d["apiVersion"] == "modelspec/v1" for d in docs)


def test_every_document_validates_against_its_kind(project: Path) -> None:
    spec = pytest.importorskip("modelspec.spec")
    if not hasattr(spec, "KINDS"):
        pytest.skip("modelspec.spec.KINDS is not there yet")
    for doc in _documents(project):
        spec.KINDS[doc["kind"]].model_validate(doc)


def test_names_are_unique_dns_labels_and_versions_semver(project: Path) -> None:
    docs = _documents(project)
    keys = [(d["kind"], d["metadata"]["name"]) for d in docs]
    assert len(keys) == len(set(keys))
    assert all(NAME.match(name) and len(name) <= 63 for _, name in keys)
    versions = [d["spec"]["version"] for d in docs if d["kind"] in ("DataContract", "Model")]
    assert versions and all(SEMVER.match(v) for v in versions)


def test_references_resolve(by_kind: dict[str, dict[str, dict[str, Any]]]) -> None:
    contracts, targets = by_kind["DataContract"], by_kind["Target"]
    for model in by_kind["Model"].values():
        data = model["spec"]["data"]
        columns = {c["name"] for c in contracts[data["contract"]]["spec"]["columns"]}
        assert data["target"] in columns
        assert set(data["features"]) <= columns
        assert data["target"] not in data["features"]
    for deployment in by_kind["Deployment"].values():
        assert deployment["spec"]["model"] in by_kind["Model"]
        assert deployment["spec"]["target"] in targets


def test_same_seed_same_bytes_other_seed_other_bytes(gen_specs: ModuleType, tmp_path: Path) -> None:
    def snapshot(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in _files(root)}

    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        gen_specs.generate(tmp_path / name, 30, seed=seed)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")
    assert snapshot(tmp_path / "a") != snapshot(tmp_path / "c")


def test_yaml_1_1_and_the_modelspec_loader_read_the_same_data(project: Path) -> None:
    loading = pytest.importorskip("modelspec.loading.yaml12")
    for path in _files(project):
        text = path.read_text(encoding="utf-8")
        documents, diagnostics = loading.load_text(path.name, text)
        assert diagnostics == []
        assert [d.data for d in documents] == list(yaml.safe_load_all(text))


def test_modelines_point_at_the_written_schemas(project: Path) -> None:
    pytest.importorskip("modelspec.spec.schema")
    modelines = 0
    for path in _files(project):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if first.startswith("# yaml-language-server: $schema="):
            modelines += 1
            assert (path.parent / first.split("=", 1)[1]).resolve().is_file()
    assert modelines > 0


def test_documents_meet_the_combined_peer_schema(project: Path) -> None:
    pytest.importorskip("modelspec.spec.schema")
    jsonschema = pytest.importorskip("jsonschema")
    peer = _bench_module("peer")
    from modelspec.spec.schema import json_schemas

    validator = jsonschema.Draft202012Validator(peer.combined_schema(json_schemas()))
    docs = _documents(project)
    for doc in docs:
        assert list(validator.iter_errors(doc)) == []
    broken = {**docs[0], "metadata": {**docs[0]["metadata"], "ownr": "x"}}
    assert list(validator.iter_errors(broken))


def test_sizes_are_like_real_specs(gen_specs: ModuleType, tmp_path: Path) -> None:
    gen_specs.generate(tmp_path, 300)
    files = _files(tmp_path)
    size = sum(f.stat().st_size for f in files) / 300
    lines = sum(f.read_text().count("\n") for f in files) / 300
    assert 1100 < size < 1800
    assert 40 < lines < 70


def test_kind_mix_adds_up(gen_specs: ModuleType) -> None:
    for n in (7, 20, 2000, 10_000):
        counts = gen_specs.counts_for(n)
        assert counts.total == n
        assert min(counts.policies, counts.targets, counts.contracts, counts.models, counts.deployments) >= 1
    with pytest.raises(ValueError):
        gen_specs.counts_for(6)


@pytest.mark.parametrize(
    "text",
    ["no", "On", "null", "~", "0o17", "1e5", "12", "3.5", "2026-11-20", "a: b", "x #y", "ends:", "", " pad"],
)
def test_the_writer_keeps_ambiguous_strings_strings(text: str) -> None:
    yaml_text = _bench_module("yaml_text")
    dumped = yaml_text.dump({"value": text, "flow": yaml_text.Flow(value=text)})
    assert yaml.safe_load(dumped) == {"value": text, "flow": {"value": text}}
    loading = pytest.importorskip("modelspec.loading.yaml12")
    documents, diagnostics = loading.load_text("t.yaml", dumped)
    assert diagnostics == []
    assert documents[0].data == {"value": text, "flow": {"value": text}}
