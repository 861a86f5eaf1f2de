"""Generates a realistic modelspec project of N spec documents for the benchmark.

`generate(directory, n, seed)` writes modelspec.yaml, schemas/ and specs/ with
DataContracts (10-20 columns), Models trained on them, Targets, Deployments of
the models on the targets and a few Policies: every reference resolves, every
name is a unique DNS-1123 label, every version is semver, and every policy holds,
so `modelspec validate` walks its whole success path. The same seed gives the
same bytes. About 1.45 KB and 52 lines a document on average (2,000: 2.9 MB).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from spec_content import (
    GeneratedDoc,
    contract_document,
    deployment_document,
    model_document,
    policy_documents,
    target_document,
)
from yaml_text import dump

__all__ = ["Counts", "GeneratedDoc", "counts_for", "generate", "generate_documents"]

DOMAINS = ("growth", "risk", "fraud", "marketing", "supply", "pricing", "support", "payments")


@dataclass(frozen=True)
class Counts:
    """How many documents of each kind a project of n documents holds."""

    policies: int
    targets: int
    contracts: int
    models: int
    deployments: int

    @property
    def total(self) -> int:
        return self.policies + self.targets + self.contracts + self.models + self.deployments


def counts_for(n: int) -> Counts:
    """The kind mix for n documents (n >= 7): mostly contracts, models and deployments."""
    if n < 7:
        raise ValueError("a benchmark project needs at least 7 documents")
    policies = min(max(1, n // 250), 21)
    targets = min(max(3, n // 150), 90)
    rest = n - policies - targets
    contracts = max(1, rest * 26 // 100)
    models = max(1, rest * 36 // 100)
    deployments = rest - contracts - models
    return Counts(policies, targets, contracts, models, deployments)


@dataclass
class _File:
    path: str  # relative to specs/
    docs: list[GeneratedDoc] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def generate_documents(n: int, seed: int = 0) -> list[tuple[str, list[GeneratedDoc], list[str]]]:
    """The project's spec files as (path under specs/, documents, header comment lines)."""
    rng = random.Random(seed)
    counts = counts_for(n)
    files: list[_File] = []

    targets = [target_document(i) for i in range(counts.targets)]
    per_file = 8
    for start in range(0, len(targets), per_file):
        chunk = targets[start : start + per_file]
        header = [] if start else ["Serving targets, grouped by region. Protected targets are production."]
        files.append(_File(f"platform/targets-{start // per_file + 1:02d}.yaml", list(chunk), header))

    contracts = []
    for i in range(counts.contracts):
        domain = DOMAINS[i % len(DOMAINS)]
        doc = contract_document(rng, i, domain)
        contracts.append(doc)
        files.append(_File(f"{domain}/contracts/{doc.name}.yaml", [doc]))

    models = []
    for i in range(counts.models):
        contract = contracts[(i * 7) % len(contracts)] if i >= len(contracts) else contracts[i]
        doc = model_document(rng, i, contract)
        models.append(doc)

    by_model: dict[str, list[GeneratedDoc]] = {m.name: [] for m in models}
    for j in range(counts.deployments):
        model = models[j % len(models)]
        deployment = deployment_document(rng, j // len(models), model, targets)
        by_model[model.name].append(deployment)

    for model in models:
        domain = model.data["metadata"]["labels"]["domain"]
        deployments = by_model[model.name]
        layout = rng.random()
        if deployments and layout < 0.15:
            files.append(
                _File(
                    f"{domain}/models/{model.name}.yaml",
                    [model, *deployments],
                    ["The model and where it runs, kept together."],
                )
            )
            continue
        files.append(_File(f"{domain}/models/{model.name}.yaml", [model]))
        if layout < 0.45 and len(deployments) > 1:
            files.append(_File(f"{domain}/deployments/{model.name}.yaml", list(deployments)))
        else:
            files.extend(_File(f"{domain}/deployments/{d.name}.yaml", [d]) for d in deployments)

    for doc in policy_documents(rng, counts.policies, DOMAINS):
        files.append(_File(f"governance/{doc.name}.yaml", [doc]))

    files.sort(key=lambda f: f.path)
    return [(f.path, f.docs, f.header) for f in files]


def _file_text(path: str, docs: list[GeneratedDoc], header: list[str]) -> str:
    kinds = {d.kind for d in docs}
    lines: list[str] = []
    if len(kinds) == 1:
        depth = path.count("/") + 1  # specs/ plus the folders below it
        schema = "../" * depth + f"schemas/{docs[0].kind.lower()}.schema.json"
        lines.append(f"# yaml-language-server: $schema={schema}")
    lines.extend(f"# {line}" for line in header)
    parts = [dump(d.data, d.comments) for d in docs]
    return "\n".join(lines) + ("\n" if lines else "") + "---\n".join(parts)


PROJECT_FILE = """\
# Benchmark project: generated specs, not a real team's models.
project: bench
specs: specs
generated: generated
# argo renders pipelines instead of training, so apply stays cheap for thousands of models
pipelines: {engine: argo, image: ghcr.io/modelspec/modelspec:0.1.0}
"""


def generate(directory: Path, n: int, seed: int = 0) -> None:
    """Write a complete project of n spec documents into directory (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "modelspec.yaml").write_text(PROJECT_FILE, encoding="utf-8")
    specs = directory / "specs"
    for path, docs, header in generate_documents(n, seed):
        target = specs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_file_text(path, docs, header), encoding="utf-8")
    _write_schemas(directory / "schemas")


def _write_schemas(directory: Path) -> None:
    try:
        from modelspec.spec.schema import dump_schema, json_schemas
    except ImportError:  # the schema export is not there: the project still validates
        return
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (directory / name).write_text(dump_schema(schema), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--n", type=int, default=2000, help="number of spec documents")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate(args.directory, args.n, args.seed)
    print(f"wrote {args.n} spec documents to {args.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
