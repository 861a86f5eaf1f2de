"""Typed views: each property reads the compiled spec it names, with the spec language's defaults."""

from __future__ import annotations

from typing import Any

from modelspec.compile import Graph, compile_documents
from modelspec.compile.graph import Resource
from modelspec.compile.views import ContractView, DeploymentView, ModelView, Refs, TargetView
from modelspec.loading import load_text

SPECS = """\
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
---
apiVersion: modelspec/v1
kind: Model
metadata: {name: churn-model, owner: growth}
spec:
  version: 1.0.0
  task: classification
  data: {contract: churn, target: churned, features: [tenure, plan]}
  risk: {tier: high, personal_data: true}
  training:
    estimator: {class: sklearn.ensemble.RandomForestClassifier}
---
apiVersion: modelspec/v1
kind: Target
metadata: {name: staging, owner: platform}
spec: {platform: kserve, namespace: ml-staging}
---
apiVersion: modelspec/v1
kind: Target
metadata: {name: prod, owner: platform}
spec: {platform: kserve, namespace: ml-prod, protected: true, promotion_from: staging}
---
apiVersion: modelspec/v1
kind: Deployment
metadata: {name: churn-prod, owner: growth}
spec: {model: churn-model, target: prod}
"""


def _graph() -> Graph:
    docs, diags = load_text("specs.yaml", SPECS)
    assert diags == []
    graph, diags = compile_documents(docs)
    assert diags == []
    return graph


def _resource(kind: str, spec: dict[str, Any]) -> Resource:
    return Resource(kind, "x", {"spec": spec}, "sha256:0", ())


def test_views_of_a_compiled_graph() -> None:
    graph = _graph()
    deployment = graph.get("deployment.churn-prod")
    assert deployment is not None
    refs = Refs.of(graph, deployment)
    model, contract, target = refs.model, refs.contract, refs.target
    assert model is not None and contract is not None and target is not None
    assert (model.name, model.version, model.task) == ("churn-model", "1.0.0", "classification")
    assert (model.contract_name, model.target_column) == ("churn", "churned")
    assert list(model.features) == ["tenure", "plan"]
    assert model.estimator_class == "sklearn.ensemble.RandomForestClassifier"
    assert (model.seed, list(model.gates)) == (0, [])
    assert contract.version == "1.0.0"
    assert (contract.source_path, contract.source_format) == ("data/churn.csv", "csv")
    assert contract.source_uri is None
    assert (model.risk["tier"], model.risk["personal_data"]) == ("high", True)
    assert contract.column_names == ["tenure", "plan", "churned"]
    assert contract.column_types == {"tenure": "integer", "plan": "string", "churned": "boolean"}
    assert (target.platform, target.namespace, target.protected) == ("kserve", "ml-prod", True)
    assert target.promotion_from == "staging"
    view = DeploymentView(deployment)
    assert (view.model_name, view.target, view.mode) == ("churn-model", "prod", "online")
    assert view.monitoring == {}
    assert model.resource is graph.get("model.churn-model")  # a view wraps, never copies


def test_views_of_sparse_specs_fall_back_to_the_defaults() -> None:
    model = ModelView(_resource("Model", {}))
    assert (model.version, model.task, model.target_column, model.estimator_class) == (None,) * 4
    assert (list(model.features), list(model.gates), model.seed, dict(model.card)) == ([], [], 0, {})
    assert dict(model.risk) == {}
    contract = ContractView(_resource("DataContract", {}))
    assert (contract.version, contract.source_format, contract.source_path) == ("", "csv", None)
    assert (list(contract.columns), contract.strict) == ([], False)
    remote = ContractView(_resource("DataContract", {"source": {"uri": "s3://b/k", "format": "parquet"}}))
    assert (remote.source_uri, remote.source_path, remote.source_format) == ("s3://b/k", None, "parquet")
    target = TargetView(_resource("Target", {"namespace": ""}))
    assert (target.platform, target.namespace, target.promotion_from) == ("local", None, None)
    assert DeploymentView(_resource("Deployment", {})).mode == "online"
    assert Refs({}).model is None and Refs({}).contract is None and Refs({}).target is None
