"""Model card as JSON in the Model Card Toolkit's schema v0.0.2, from the spec and the build's outputs.

Pure and deterministic: sorted keys, no timestamps. The build's outputs
(what the local engine recorded in state: build, metrics, data digest) fill
the version and the performance metrics; without them the card describes the
spec only and lists no metrics. The schema is the one Model Card Toolkit
2.0.0 ships, where a metric's `value` (and a confidence interval's bounds)
is a string: numbers are written as plain decimals (see `metric_text`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from modelspec import jsonio
from modelspec.compile.graph import Resource
from modelspec.compile.views import ContractView, ModelView
from modelspec.generate.common import Artifact, safe_join

__all__ = ["SCHEMA_VERSION", "metric_text", "model_card_document", "render_model_card_json"]

SCHEMA_VERSION = "0.0.2"
_SENSITIVE = frozenset({"pii", "confidential"})


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _architecture(model: ModelView) -> str:
    training = model.training
    estimator = model.estimator
    params = ", ".join(
        f"{k}={jsonio.dumps(jsonio.spelled(v))}" for k, v in sorted(_dict(estimator.get("params")).items())
    )
    text = f"{estimator.get('class', 'unknown estimator')}({params})"
    prep = _dict(training.get("preprocessing"))
    text += (
        f"; numeric features: {prep.get('numeric', 'standard')} scaling; "
        f"categorical features: {prep.get('categorical', 'onehot')} encoding"
    )
    search = _dict(training.get("search"))
    if search:
        text += (
            f"; {search.get('strategy')} search over {', '.join(sorted(_dict(search.get('space'))))} "
            f"({search.get('cv', 5)}-fold cross-validation, scoring {search.get('scoring')})"
        )
    calibration = _dict(training.get("calibration"))
    if calibration:
        text += f"; {calibration.get('method')} probability calibration"
    return text


def _datasets(
    model: ModelView, contract: ContractView | None, outputs: Mapping[str, Any]
) -> list[dict[str, Any]]:
    split = model.split
    test_size = float(split.get("test_size", 0.2))
    source = "the contract's data"
    sensitive: list[str] = []
    if contract is not None:
        src = contract.source
        source = f"{src.get('path') or src.get('uri')} (contract {contract.name} {contract.version})"
        used = {*model.features, model.target_column}
        sensitive = sorted(
            f"{c['name']} ({c['classification']})"
            for c in contract.columns
            if isinstance(c, Mapping)
            and c.get("name") in used
            and c.get("classification") in _SENSITIVE
        )
    digest = (
        f"; sha256 {outputs['data_digest'].removeprefix('sha256:')}"
        if outputs.get("data_digest")
        else ""
    )
    how = f"split with seed {split.get('seed', 0)}" + (
        ", stratified by the target"
        if model.task == "classification" and split.get("stratify", True)
        else ""
    )
    out = []
    for name, share, role in (
        ("train", 1 - test_size, "training"),
        ("eval", test_size, "held-out evaluation"),
    ):
        entry: dict[str, Any] = {
            "name": name,
            "description": f"{round(share * 100)}% of the rows of {source}, the {role} part ({how}){digest}",
        }
        if sensitive:
            entry["sensitive"] = {"sensitive_data": sensitive}
        out.append(entry)
    return out


def _input_format(model: ModelView, contract: ContractView | None) -> str:
    types = {}
    if contract is not None:
        types = {c.get("name"): c.get("type") for c in contract.columns if isinstance(c, Mapping)}
    return "A table with the columns " + ", ".join(
        f"{f} ({types.get(f, 'unknown')})" for f in model.features
    )


def _output_format(model: ModelView) -> str:
    target = model.target_column
    if model.task == "classification":
        return f"The predicted class of {target} and, where the estimator gives them, class probabilities"
    return f"The predicted value of {target}"


def model_card_document(
    model: Resource, contract: Resource | None, build_outputs: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The card as a JSON document (Model Card Toolkit schema v0.0.2)."""
    spec, metadata = model.spec, model.metadata
    view = ModelView(model)
    contract_view = None if contract is None else ContractView(contract)
    outputs = _dict(build_outputs)
    card = view.card
    details: dict[str, Any] = {
        "name": model.name,
        "owners": [{"name": str(metadata.get("owner", ""))}],
        "version": {"name": str(outputs.get("build") or spec.get("version", ""))},
    }
    if metadata.get("description"):
        details["overview"] = str(metadata["description"])
    risk = view.risk
    details["documentation"] = (
        f"Task: {spec.get('task')}. Risk tier: {risk.get('tier', 'minimal')}; "
        f"personal data: {'yes' if risk.get('personal_data') else 'no'}. "
        f"Spec digest: {model.digest}."
        + (f" Human oversight: {card['human_oversight']}" if card.get("human_oversight") else "")
    )
    if card.get("license"):
        details["licenses"] = [{"identifier": str(card["license"])}]
    considerations: dict[str, Any] = {}
    if card.get("human_oversight"):
        considerations["users"] = [
            {"description": f"Overseen by people: {card['human_oversight']}"}
        ]
    if card.get("intended_use"):
        considerations["use_cases"] = [{"description": str(card["intended_use"])}]
    limitations = [{"description": str(item)} for item in _list(card.get("limitations"))]
    if card.get("out_of_scope"):
        limitations.append({"description": f"Out of scope: {card['out_of_scope']}"})
    if limitations:
        considerations["limitations"] = limitations
    ethical = [
        {"name": str(item.get("name")), "mitigation_strategy": str(item.get("mitigation"))}
        for item in _list(card.get("ethical_considerations"))
        if isinstance(item, Mapping)
    ]
    if ethical:
        considerations["ethical_considerations"] = ethical
    metrics = _dict(outputs.get("metrics"))
    return {
        "schema_version": SCHEMA_VERSION,
        "model_details": details,
        "model_parameters": {
            "model_architecture": _architecture(view),
            "data": _datasets(view, contract_view, outputs),
            "input_format": _input_format(view, contract_view),
            "output_format": _output_format(view),
        },
        "quantitative_analysis": {
            "performance_metrics": [
                _metric(name, value)
                for name, value in sorted(metrics.items())
                if isinstance(value, int | float) and not isinstance(value, bool)
            ],
        },
        "considerations": considerations,
    }


def _metric(name: str, value: float) -> dict[str, Any]:
    """One metric of the eval slice, its value as text (the schema's `value` is a string)."""
    return {"type": name, "slice": "eval", "value": metric_text(value)}


def metric_text(value: float) -> str:
    """A number as the card writes it: the shortest decimal that reads back as the same float.

    Positional, not scientific, from 1e-6 up to 1e21 (as JavaScript writes
    numbers): `0.9742063492`, `41.8934373`, `0.00001`, `12`; beyond that
    Python's `1e-08` / `1e+21`. Whole numbers have no `.0`; -0.0 is `0`. NaN
    and the infinities, which a metric can be (an undefined ROC AUC), are
    `NaN`, `Infinity` and `-Infinity`: float() and JavaScript's Number() read them.
    """
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    text = repr(number)  # the shortest round-trip digits
    if not 1e-6 <= abs(number) < 1e21:
        return text
    plain = format(Decimal(text), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def render_model_card_json(
    model: Resource, contract: Resource | None, build_outputs: Mapping[str, Any] | None
) -> Artifact:
    """`models/<name>/model-card.json`."""
    document = model_card_document(model, contract, build_outputs)
    content = jsonio.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return Artifact(
        path=safe_join("models", model.name, "model-card.json"), content=content.encode("utf-8")
    )
