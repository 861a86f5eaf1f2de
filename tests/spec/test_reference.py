"""The committed spec reference is the one the models render."""

from __future__ import annotations

from pathlib import Path

from modelspec.spec import KINDS
from modelspec.spec.estimators import ALLOWED
from modelspec.spec.reference import render_markdown

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "spec-reference.md"


def test_committed_reference_is_current() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render_markdown(), (
        "docs/spec-reference.md is stale: regenerate it with "
        "python -c 'from modelspec.spec.reference import render_markdown as r; "
        'print(r(), end="")\' > docs/spec-reference.md'
    )


def test_reference_covers_every_kind_field_condition_and_estimator() -> None:
    text = render_markdown()
    for kind in KINDS:
        assert f"## {kind}\n" in text
    for field in [
        "`spec.training.estimator.class`",
        "`spec.rollout.canary_percent`",
        "`spec.columns[].min_length`",
        "`spec.rules[].require_approval.role`",
        "`spec.card.ethical_considerations[].mitigation`",
        "`spec.expires`",
        "`spec.digest`",
        "`metadata.labels`",
        "| `not_in` |",
        "| `expr` |",
    ]:
        assert field in text, field
    for path in ALLOWED:
        assert f"`{path}`" in text
    assert 'default `"standard"`' in text
    assert render_markdown() == text
