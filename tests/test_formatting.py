"""Tests for the canonical layout of spec files."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

import modelspec
from modelspec.formatting import FormatError, format_text


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def load_all(text: str) -> list[Any]:
    return list(YAML(typ="safe", pure=True).load_all(text))


def same_data(a: object, b: object) -> bool:
    """Equal data, NaN included."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b, strict=True))
    return a == b


MODEL = dedent(
    """
    # yaml-language-server: $schema=../schemas/model.json
    # The churn model: owned by growth.
    kind: Model     # what this is
    apiVersion: modelspec/v1
    spec:
        version: 2.1.0
        task: classification
        data:
            contract: churn
            target: churned
            features: [tenure_months, plan, monthly_charges]
        evaluation:
            metrics:
            - {name: roc_auc, min: 0.80}
            # brier is a calibration check
            - name: brier_score
              max: 0.20   # lower is better
        card:
            intended_use: "Rank accounts for retention outreach."
            license: 'Apache-2.0'
            limitations: [Trained on 2024-2025 customers only.]
    # who owns it
    metadata:
        labels: {domain: growth, country: NO}
        owner: growth-ml
        name: churn-classifier
    # end of the model
    """
)

DEPLOYMENT = dedent(
    """
    apiVersion: modelspec/v1
    kind: Deployment
    metadata:
      name: churn-prod
      owner: growth-ml
    spec:
      model: churn-classifier
      target: prod
      replicas: {min: 2, max: 10}
      resources: {cpu: 500m, memory: 1Gi}
    """
)


def test_canonical_text_is_left_as_it_is() -> None:
    assert format_text(DEPLOYMENT) == DEPLOYMENT


def test_envelope_and_metadata_keys_are_reordered() -> None:
    out = format_text(MODEL)
    top = [line.split(":")[0] for line in out.splitlines() if line[:1].isalpha()]
    assert top == ["apiVersion", "kind", "metadata", "spec"]
    meta = out.split("metadata:\n", 1)[1].splitlines()[:3]
    assert [line.split(":")[0].strip() for line in meta if not line.strip().startswith("#")] == [
        "name",
        "owner",
        "labels",
    ]


def test_other_keys_keep_their_order_after_the_envelope() -> None:
    text = "zeta: 1\nspec: {}\nalpha: 2\nkind: Model\n"
    assert format_text(text) == "kind: Model\nspec: {}\nzeta: 1\nalpha: 2\n"


def test_full_layout_of_a_model() -> None:
    assert format_text(MODEL) == dedent(
        """
        # yaml-language-server: $schema=../schemas/model.json
        # The churn model: owned by growth.
        apiVersion: modelspec/v1
        kind: Model     # what this is
        # who owns it
        metadata:
          name: churn-classifier
          owner: growth-ml
          labels: {domain: growth, country: NO}
        spec:
          version: 2.1.0
          task: classification
          data:
            contract: churn
            target: churned
            features: [tenure_months, plan, monthly_charges]
          evaluation:
            metrics:
              - {name: roc_auc, min: 0.80}
              # brier is a calibration check
              - name: brier_score
                max: 0.20     # lower is better
          card:
            intended_use: "Rank accounts for retention outreach."
            license: 'Apache-2.0'
            limitations: [Trained on 2024-2025 customers only.]
        # end of the model
        """
    )


def test_comments_are_kept_head_inline_between_keys_and_at_the_end() -> None:
    out = format_text(MODEL)
    for comment in (
        "# The churn model: owned by growth.",
        "# what this is",
        "# brier is a calibration check",
        "# lower is better",
        "# who owns it",
    ):
        assert comment in out
    assert out.startswith("# yaml-language-server: $schema=../schemas/model.json\n")
    assert out.endswith("# end of the model\n")


def test_comment_before_a_moved_key_moves_with_it() -> None:
    text = dedent(
        """
        spec:
          x: 1
        # about kind
        kind: Model
        metadata:
          # the owner
          owner: me
          # the name
          name: x
        apiVersion: v1
        # end
        """
    )
    assert format_text(text) == dedent(
        """
        apiVersion: v1
        # about kind
        kind: Model
        metadata:
          # the name
          name: x
          # the owner
          owner: me
        spec:
          x: 1
        # end
        """
    )


def test_modeline_is_kept_above_an_explicit_document_start() -> None:
    text = "# yaml-language-server: $schema=../schemas/target.json\n---\nkind: Target\napiVersion: modelspec/v1\n"
    assert format_text(text) == (
        "# yaml-language-server: $schema=../schemas/target.json\n"
        "---\napiVersion: modelspec/v1\nkind: Target\n"
    )


def test_multi_document_files_keep_their_separators_and_comments() -> None:
    text = dedent(
        """
        kind: Policy
        apiVersion: modelspec/v1
        # between documents
        ---
        # second head
        kind: Waiver
        apiVersion: modelspec/v1
        spec:
            expires: 2027-03-31
        ---
        apiVersion: modelspec/v1
        kind: Approval
        # end of file
        """
    )
    out = format_text(text)
    assert out == dedent(
        """
        apiVersion: modelspec/v1
        kind: Policy
        # between documents
        ---
        # second head
        apiVersion: modelspec/v1
        kind: Waiver
        spec:
          expires: 2027-03-31
        ---
        apiVersion: modelspec/v1
        kind: Approval
        # end of file
        """
    )
    assert len(load_all(out)) == 3


def test_empty_documents_stay_documents() -> None:
    assert format_text("a: 1\n---\n---\nb: 2\n---\n") == "a: 1\n---\n---\nb: 2\n---\n"


def test_the_norway_problem_does_not_happen() -> None:
    out = format_text("metadata:\n  labels: {country: NO}\nspec:\n  answer: yes\n  flag: off\n")
    data = load_all(out)[0]
    assert data["metadata"]["labels"]["country"] == "NO"
    assert data["spec"] == {"answer": "yes", "flag": "off"}
    assert "country: NO" in out


def test_quotes_and_flow_collections_are_kept() -> None:
    text = "spec:\n    a: 'single'\n    b: \"double\"\n    c: {min: 0, max: 1}\n    d: [x, 'y']\n"
    assert format_text(text) == (
        "spec:\n  a: 'single'\n  b: \"double\"\n  c: {min: 0, max: 1}\n  d: [x, 'y']\n"
    )


def test_long_strings_are_not_wrapped() -> None:
    text = "description: " + " ".join(["word"] * 80) + "\n"
    assert format_text(text) == text


def test_block_sequences_are_indented_under_their_key() -> None:
    assert format_text("columns:\n- name: a\n  type: string\n- name: b\n") == (
        "columns:\n  - name: a\n    type: string\n  - name: b\n"
    )


def test_trailing_whitespace_and_final_newlines_are_normalised() -> None:
    assert format_text("a: 1   \n# note   \nb: 2\n\n\n\n") == "a: 1\n# note\nb: 2\n"
    assert format_text("a: 1") == "a: 1\n"


def test_trailing_spaces_inside_a_literal_block_are_data_and_stay() -> None:
    text = "text: |\n  kept  \n  line\nafter: 1\n"
    out = format_text(text)
    assert load_all(out) == load_all(text)
    assert load_all(out)[0]["text"] == "kept  \nline\n"


def test_comment_only_and_empty_texts() -> None:
    assert format_text("# only a comment  \n\n") == "# only a comment\n"
    assert format_text("") == ""


@pytest.mark.parametrize(
    "text",
    [
        MODEL,
        DEPLOYMENT,
        "a: 1\n---\n---\nb: 2\n",
        "d: 2026-11-20\nv: 1.10\nhex: 0x1F\nn: .nan\nnull_value: ~\n",
        "t: |+\n  a\n\n",
        "- a\n- b\n",
        "--- # second\nb: 2\n",
    ],
)
def test_idempotent_and_data_preserving(text: str) -> None:
    once = format_text(text)
    assert format_text(once) == once
    assert same_data(load_all(once), load_all(text))
    assert not any(line != line.rstrip() for line in once.splitlines() if "|" not in text)


def test_invalid_yaml_raises_with_line_and_column() -> None:
    with pytest.raises(FormatError) as info:
        format_text("kind: Model\nspec:\n  a: [1, 2\n")
    assert info.value.line == 4
    assert info.value.column == 1
    assert "YAML syntax error" in info.value.message  # as validate says it


def test_merge_keys_are_refused_as_validate_refuses_them() -> None:
    with pytest.raises(FormatError) as info:
        format_text("base: &b {x: 1}\nother: *b\nmerged:\n  <<: *b\n  y: 2\n")
    assert (info.value.line, info.value.column) == (4, 3)
    assert info.value.message == "merge keys (<<) are not part of YAML 1.2"


def test_duplicate_keys_are_a_format_error() -> None:
    with pytest.raises(FormatError) as info:
        format_text("kind: Model\nkind: Target\n")
    assert (info.value.line, info.value.column) == (2, 1)
    assert str(info.value).startswith("2:1: ")


def test_a_top_level_sequence_starts_at_column_zero() -> None:
    assert format_text("- a\n- b:\n  - c\n") == "- a\n- b:\n    - c\n"


def test_refuses_rather_than_drop_a_comment_inside_a_flow_collection() -> None:
    with pytest.raises(FormatError, match="lose a comment"):
        format_text("features: [a,  # first\n    b]\n")


EXAMPLES = Path(modelspec.__file__).parent / "examples"


@pytest.mark.skipif(not EXAMPLES.is_dir(), reason="the package ships no example project")
def test_packaged_example_specs_keep_data_and_comments() -> None:
    files = sorted(EXAMPLES.rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        once = format_text(text)
        assert format_text(once) == once, path
        assert same_data(load_all(once), load_all(text)), path
        comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
        assert all(comment in once for comment in comments), path


def test_comment_after_a_block_scalar_moves_with_the_next_key() -> None:
    text = "metadata:\n  description: |\n    Two\n    lines.\n# the kind\nkind: Model\n# end\n"
    assert format_text(text) == (
        "# the kind\nkind: Model\nmetadata:\n  description: |\n    Two\n    lines.\n# end\n"
    )
