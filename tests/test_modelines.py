"""A yaml-language-server modeline in every document: fmt keeps and completes them, validate ignores them."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from modelspec.cli import cli
from modelspec.examples.scaffold import project_files
from modelspec.formatting import format_text
from modelspec.yamledit import add_document_modelines

TARGET = "# yaml-language-server: $schema=../schemas/target.schema.json\n"
POLICY = "# yaml-language-server: $schema=../schemas/policy.schema.json\n"
ProjectFactory = Callable[[dict[str, str]], Path]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


TARGETS = dedent(
    """
    # yaml-language-server: $schema=../schemas/target.schema.json
    # Where models run.
    apiVersion: modelspec/v1
    kind: Target
    metadata: {name: staging, owner: platform}
    spec: {platform: kserve, namespace: ml-staging}
    ---
    # Production.
    apiVersion: modelspec/v1
    kind: Target
    metadata: {name: prod, owner: platform}
    spec: {platform: kserve, namespace: ml-prod}
    ---
    apiVersion: modelspec/v1
    kind: Policy
    metadata: {name: p, owner: governance}
    spec:
      description: Every model is owned.
      enforcement: advisory
      applies_to: {kinds: [Model]}
      rules:
        - {id: owned, assert: {field: metadata.owner, exists: true}}
    """
)


def test_fmt_gives_every_document_the_modeline_of_its_kind() -> None:
    out = format_text(TARGETS)
    assert out == TARGETS.replace("---\n# Production.", "---\n" + TARGET + "# Production.").replace(
        "---\napiVersion: modelspec/v1\nkind: Policy",
        "---\n" + POLICY + "apiVersion: modelspec/v1\nkind: Policy",
    )
    assert out.count("yaml-language-server") == 3
    assert format_text(out) == out


def test_fmt_keeps_every_modeline_and_never_rewrites_one() -> None:
    custom = "# yaml-language-server: $schema=https://example.org/all-kinds.json\n"
    text = TARGETS.replace("---\n# Production.", "---\n" + custom + "# Production.")
    out = format_text(text)
    assert out.count(custom) == 1 and out.count(TARGET) == 1 and out.count(POLICY) == 1


def test_fmt_keeps_modelines_when_it_reorders_keys() -> None:
    text = dedent(
        f"""
        {TARGET.strip()}
        kind: Target
        apiVersion: modelspec/v1
        metadata: {{name: a, owner: o}}
        ---
        {TARGET.strip()}
        spec: {{platform: kserve, namespace: n}}
        kind: Target
        metadata: {{owner: o, name: b}}
        apiVersion: modelspec/v1
        """
    )
    out = format_text(text)
    for document in out.split("---\n"):
        assert document.startswith(TARGET + "apiVersion: modelspec/v1\nkind: Target\nmetadata:")


@pytest.mark.parametrize(
    "text",
    [
        TARGETS.replace(TARGET, ""),  # no modeline at all: the author chose none
        TARGETS.replace(
            TARGET, "# yaml-language-server: $schema=https://example.org/modelspec.json\n"
        ),
        TARGETS.replace(TARGET, "# yaml-language-server: $schema=../schemas/policy.schema.json\n"),
    ],
    ids=["none", "one-schema-for-all", "names-another-kind"],
)
def test_fmt_adds_none_unless_a_modeline_names_its_own_kinds_schema(text: str) -> None:
    assert format_text(text).count("yaml-language-server") == text.count("yaml-language-server")


def test_a_leading_document_marker_keeps_the_first_modeline_above_it() -> None:
    text = (
        TARGET
        + "---\nkind: Target\napiVersion: modelspec/v1\n---\nkind: Policy\napiVersion: modelspec/v1\n"
    )
    out = format_text(text)
    assert out == TARGET + "---\napiVersion: modelspec/v1\nkind: Target\n---\n" + POLICY + (
        "apiVersion: modelspec/v1\nkind: Policy\n"
    )


def test_documents_that_cannot_be_told_apart_by_line_are_left_alone() -> None:
    text = TARGET + "kind: Target\n--- {kind: Policy}\n"
    assert add_document_modelines(text, ["Target", "Policy"]) == text
    assert add_document_modelines(TARGETS, ["Target", "Target"]) == TARGETS  # wrong count


def test_the_example_is_already_laid_out_with_every_modeline() -> None:
    for rel, content in project_files().items():
        if rel.startswith("specs/") or rel == "modelspec.yaml":
            text = content.decode("utf-8")
            assert format_text(text) == text, rel


def _validate(root: Path) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["-C", str(root), "validate", "--format", "json"])
    diagnostics: list[dict[str, object]] = json.loads(result.output)["diagnostics"]
    return diagnostics


def test_validate_reports_the_same_findings_at_the_same_nodes(make_project: ProjectFactory) -> None:
    """Each modeline fmt adds moves what follows down by one line, and nothing else."""
    broken = TARGETS.replace("namespace: ml-prod", "namespace: ml-prod, replicas: 2").replace(
        "enforcement: advisory", "enforcement: sometimes"
    )
    root = make_project({"targets.yaml": broken})
    before = _validate(root)
    path = root / "specs" / "targets.yaml"
    result = CliRunner().invoke(cli, ["-C", str(root), "fmt"])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.count("yaml-language-server") == 3
    after = _validate(root)
    assert len(before) == len(after) >= 2
    lines = text.splitlines()
    for old, new in zip(before, after, strict=True):
        added_above = (
            sum(1 for line in lines[: int(str(new["line"])) - 1] if "yaml-language-server" in line)
            - 1
        )
        assert {**old, "line": int(str(old["line"])) + added_above} == new
