"""Compile: every diagnostic code of the schema and reference checks, at its exact position."""

from __future__ import annotations

import pytest

from modelspec.compile import compile_documents
from modelspec.diagnostics import Diagnostic
from modelspec.loading import load_text

CONTRACT = """\
apiVersion: modelspec/v1
kind: DataContract
metadata: {name: churn, owner: growth}
spec:
  version: 1.0.0
  source: {path: data/churn.csv, format: csv}
  columns:
    - {name: tenure, type: integer, min: 0}
    - {name: plan, type: string, allowed: [basic, pro]}
    - {name: churned, type: boolean, required: true}
"""

MODEL = """\
apiVersion: modelspec/v1
kind: Model
metadata: {name: churn-model, owner: growth}
spec:
  version: 1.0.0
  task: classification
  data: {contract: churn, target: churned, features: [tenure, plan]}
  training:
    estimator:
      class: sklearn.ensemble.RandomForestClassifier
      params: {n_estimators: 10}
"""

TARGETS = """\
apiVersion: modelspec/v1
kind: Target
metadata: {name: staging, owner: platform}
spec: {platform: kserve, namespace: ml-staging}
---
apiVersion: modelspec/v1
kind: Target
metadata: {name: prod, owner: platform}
spec: {platform: kserve, namespace: ml-prod, protected: true, promotion_from: staging}
"""

DEPLOYMENT = """\
apiVersion: modelspec/v1
kind: Deployment
metadata: {name: churn-prod, owner: growth}
spec:
  model: churn-model
  target: prod
"""

POLICY = """\
apiVersion: modelspec/v1
kind: Policy
metadata: {name: canary, owner: risk}
spec:
  description: Protected targets use canary rollouts.
  enforcement: soft-mandatory
  applies_to: {kinds: [Deployment]}
  rules:
    - id: canary-required
      assert: {field: spec.rollout.strategy, in: [canary, shadow]}
"""

WAIVER = """\
apiVersion: modelspec/v1
kind: Waiver
metadata: {name: legacy, owner: risk}
spec:
  policy: canary
  rule: canary-required
  resources: [deployment.churn-prod]
  justification: Retires next quarter.
  approved_by: jane
  expires: 2027-03-31
"""

BASE = [CONTRACT, MODEL, TARGETS, DEPLOYMENT, POLICY, WAIVER]


def compile_texts(*texts: str) -> tuple[object, list[Diagnostic]]:
    docs = []
    for i, text in enumerate(texts):
        loaded, diags = load_text(f"f{i}.yaml", text)
        assert diags == []
        docs.extend(loaded)
    return compile_documents(docs)


def only(diags: list[Diagnostic]) -> Diagnostic:
    assert len(diags) == 1, diags
    return diags[0]


def test_valid_specs_compile_into_a_graph_in_dependency_order() -> None:
    graph, diags = compile_texts(*BASE)
    assert diags == []
    order = [r.address for r in graph]  # type: ignore[attr-defined]
    assert order.index("datacontract.churn") < order.index("model.churn-model")
    assert order.index("model.churn-model") < order.index("deployment.churn-prod")
    assert order.index("target.staging") < order.index("target.prod") < order.index("deployment.churn-prod")
    assert order.index("policy.canary") < order.index("waiver.legacy")
    deployment = graph.get("deployment.churn-prod")  # type: ignore[attr-defined]
    assert deployment.depends_on == ("model.churn-model", "target.prod")
    assert deployment.digest.startswith("sha256:") and len(deployment.digest) == 71


def test_digest_ignores_layout_and_explicit_defaults() -> None:
    graph_a, _ = compile_texts(CONTRACT)
    reordered = CONTRACT.replace("metadata: {name: churn, owner: growth}", "metadata:\n  owner: growth\n  name: churn")
    graph_b, _ = compile_texts(reordered)
    a = graph_a.get("datacontract.churn")  # type: ignore[attr-defined]
    b = graph_b.get("datacontract.churn")  # type: ignore[attr-defined]
    assert a.digest == b.digest


@pytest.mark.parametrize(
    ("replace", "by", "code", "line", "column"),
    [
        ("apiVersion: modelspec/v1\nkind: Model", "apiVersion: modelspec/v2\nkind: Model", "MS200", 1, 13),
        ("kind: Model", "kind: Modle", "MS201", 2, 7),
        ("  task: classification", "  task: classification\n  taks: x", "MS202", 7, 3),
        ("  version: 1.0.0\n", "", "MS203", 4, 1),
        ("n_estimators: 10}", "n_estimators: 10}\n  evaluation: {metrics: [{name: f1, min: high}]}", "MS204", 12, 42),
        ("task: classification", "task: clustering", "MS205", 6, 9),
        ("name: churn-model", "name: Churn_Model", "MS206", 3, 18),
        ("version: 1.0.0", "version: '1.0'", "MS207", 5, 12),
        ("version: 1.0.0", "version: 1.0", "MS204", 5, 12),
    ],
)
def test_schema_errors_in_a_model(replace: str, by: str, code: str, line: int, column: int) -> None:
    assert replace in MODEL
    _, diags = compile_texts(CONTRACT, MODEL.replace(replace, by))
    d = only(diags)
    assert (d.code, d.file, d.line, d.column) == (code, "f1.yaml", line, column)
    assert d.message


def test_unknown_field_suggests_the_right_one() -> None:
    _, diags = compile_texts(CONTRACT, MODEL.replace("  training:", "  trainng:"))
    codes = sorted(d.code for d in diags)
    assert codes == ["MS202", "MS203"]
    unknown = next(d for d in diags if d.code == "MS202")
    assert "did you mean 'training'" in unknown.hint
    assert unknown.path == "/spec/trainng"


def test_invalid_cron_and_batch_rules() -> None:
    batch = DEPLOYMENT + "  mode: batch\n  schedule: '61 * * * *'\n"
    _, diags = compile_texts(*BASE[:3], batch)
    d = only(diags)
    assert (d.code, d.line) == ("MS208", 8)
    online_with_schedule = DEPLOYMENT + "  schedule: '0 * * * *'\n"
    _, diags = compile_texts(*BASE[:3], online_with_schedule)
    d = only(diags)
    assert d.code == "MS209"
    assert d.path == "/spec/schedule"
    assert d.line == 7


def test_cross_field_bounds() -> None:
    text = CONTRACT.replace("{name: tenure, type: integer, min: 0}", "{name: tenure, type: integer, min: 10, max: 5}")
    _, diags = compile_texts(text)
    d = only(diags)
    assert d.code == "MS209"
    assert d.line == 8


def test_duplicate_name_flags_the_second_definition() -> None:
    _, diags = compile_texts(CONTRACT, MODEL, MODEL)
    d = only(diags)
    assert (d.code, d.file, d.line) == ("MS300", "f2.yaml", 3)
    assert "f1.yaml:3" in d.hint


def test_same_name_in_different_kinds_is_fine() -> None:
    target = "apiVersion: modelspec/v1\nkind: Target\nmetadata: {name: churn, owner: p}\nspec: {platform: local}\n"
    _, diags = compile_texts(CONTRACT, target)
    assert diags == []


@pytest.mark.parametrize(
    ("texts", "code", "path", "hint"),
    [
        ((CONTRACT, MODEL.replace("contract: churn,", "contract: chrun,")), "MS301", "/spec/data/contract", "'churn'"),
        ((*BASE[:3], DEPLOYMENT.replace("target: prod", "target: prd")), "MS301", "/spec/target", "'prod'"),
        ((*BASE[:3], DEPLOYMENT.replace("model: churn-model", "model: nope")), "MS301", "/spec/model", "known: model.churn-model"),
        ((TARGETS.replace("promotion_from: staging", "promotion_from: stagin"),), "MS301", "/spec/promotion_from", "'staging'"),
        ((*BASE[:5], WAIVER.replace("policy: canary", "policy: canery")), "MS301", "/spec/policy", "'canary'"),
        ((*BASE[:5], WAIVER.replace("deployment.churn-prod", "deployment.churn-prd")), "MS301", "/spec/resources/0", "'deployment.churn-prod'"),
        ((CONTRACT, MODEL.replace("features: [tenure, plan]", "features: [tenure, plam]")), "MS302", "/spec/data/features/1", "'plan'"),
        ((CONTRACT, MODEL.replace("target: churned", "target: churn_flag")), "MS302", "/spec/data/target", ""),
        ((CONTRACT, MODEL.replace("sklearn.ensemble.RandomForestClassifier", "os.system")), "MS303", "/spec/training/estimator/class", ""),
        ((CONTRACT, MODEL.replace("sklearn.ensemble.RandomForestClassifier", "sklearn.ensemble.RandomForestClasifier")), "MS303", "/spec/training/estimator/class", "'sklearn.ensemble.RandomForestClassifier'"),
        ((*BASE[:5], WAIVER.replace("rule: canary-required", "rule: canary-requried")), "MS304", "/spec/rule", "'canary-required'"),
        ((CONTRACT, MODEL.replace("task: classification", "task: regression").replace("[tenure, plan]", "[plan]").replace("target: churned", "target: tenure")), "MS306", "/spec/training/estimator/class", "regression"),
    ],
)
def test_reference_errors(texts: tuple[str, ...], code: str, path: str, hint: str) -> None:
    _, diags = compile_texts(*texts)
    d = only(diags)
    assert (d.code, d.path) == (code, path)
    assert hint in d.hint
    assert d.line > 0 and d.column > 0


def test_promotion_cycle() -> None:
    cycle = TARGETS.replace("spec: {platform: kserve, namespace: ml-staging}", "spec: {platform: kserve, namespace: ml-staging, promotion_from: prod}")
    _, diags = compile_texts(cycle)
    assert sorted(d.code for d in diags) == ["MS305", "MS305"]


def test_all_problems_are_reported_in_one_run() -> None:
    bad_model = MODEL.replace("version: 1.0.0", "version: one").replace("contract: churn,", "contract: x,")
    bad_deploy = DEPLOYMENT.replace("target: prod", "target: nowhere")
    bad_kind = "apiVersion: modelspec/v1\nkind: Thing\nmetadata: {name: a, owner: b}\n"
    _, diags = compile_texts(CONTRACT, bad_model, TARGETS, bad_deploy, bad_kind)
    assert sorted(d.code for d in diags) == ["MS201", "MS207", "MS301"]


def test_document_that_is_not_a_mapping() -> None:
    _, diags = compile_texts("- a\n- b\n")
    assert [(d.code, d.line) for d in diags] == [("MS106", 1)]


def test_estimator_is_never_imported() -> None:
    import sys

    _, diags = compile_texts(CONTRACT, MODEL.replace("sklearn.ensemble.RandomForestClassifier", "antigravity.Fly"))
    assert only(diags).code == "MS303"
    assert "antigravity" not in sys.modules
