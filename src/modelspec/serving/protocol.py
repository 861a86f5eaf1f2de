"""KServe V1 prediction bodies: decoded, checked against the model's signature, answered as valid JSON.

This is where a V1 body becomes model input on `modelspec serve` (the V1
routes serving/runtime.py adds to MLServer; V2 tensors go through
serving/tensors.py):

- A body is parsed by `jsonio.loads`: UTF-8 only, no `NaN`/`Infinity`, no
  number outside a 64-bit float (`1e309`) or over 64 characters, no nesting
  over 100 levels. Its shape is checked against the build's signature (an
  object with a non-empty `instances` list of at most `MAX_INSTANCES`, each
  an object of feature values or a list of exactly one value per input,
  numbers where the signature says numeric) before the model sees it.
- Whatever the client got wrong is an `ApiError` with a 4xx status, answered
  as `{"error": "<what is wrong>"}` (the error body of KServe's V1 and V2
  protocols). Only a model that fails on input that passed `decode` is a 500,
  so the rendered error-rate alert (5xx over all) counts server faults, never
  hostile clients.
- Every answer is written by `encode`: a NaN or infinite model output is
  JSON `null`, so the response is valid JSON whatever the model returns.
"""

from __future__ import annotations

import math
from typing import Any

from modelspec import jsonio
from modelspec.serving.model import Overflow, ServedModel, predict_frame

__all__ = ["MAX_INSTANCES", "ApiError", "decode", "encode", "error_body", "predict", "rows"]

MAX_INSTANCES = 10_000  # one request's share of the model; a bigger batch is split by the client


class ApiError(Exception):
    """A request the server refuses: the HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(message: str) -> dict[str, str]:
    """The JSON answer to a refused request, as KServe's V1 and V2 protocols write it."""
    return {"error": message}


def encode(payload: Any) -> bytes:
    """A JSON answer: non-finite numbers become null, so it is valid JSON whatever the model said."""
    return (jsonio.dumps(jsonio.finite(payload)) + "\n").encode("utf-8")


def decode(
    model: ServedModel, body: bytes, *, max_instances: int = MAX_INSTANCES
) -> list[dict[str, Any]]:
    """The model's input rows from a raw request body; anything wrong with it is an ApiError (4xx)."""
    try:
        value = jsonio.loads(body)
    except jsonio.JsonRefused as exc:
        raise ApiError(400, f"the body is refused: {exc}") from None
    return rows(model, value, max_instances=max_instances)


def rows(
    model: ServedModel, body: Any, *, max_instances: int = MAX_INSTANCES
) -> list[dict[str, Any]]:
    """The input rows of a parsed body `{"instances": [...]}`, checked against the signature."""
    instances = body.get("instances") if isinstance(body, dict) else None
    if not isinstance(instances, list) or not instances:
        raise ApiError(400, 'the body must be {"instances": [...]} with at least one instance')
    if len(instances) > max_instances:
        raise ApiError(
            413,
            f"the body has {len(instances):,} instances; the limit is {max_instances:,} "
            "a request: send them in smaller batches",
        )
    found = []
    for index, instance in enumerate(instances):
        if isinstance(instance, list):
            if len(instance) != len(model.features):
                raise ApiError(
                    400,
                    f"instance {index} has {len(instance):,} values; the model takes "
                    f"{len(model.features)}: {', '.join(model.features)}",
                )
            instance = dict(zip(model.features, instance, strict=True))
        if not isinstance(instance, dict):
            raise ApiError(400, f"instance {index} must be an object or a list of feature values")
        found.append(_row(model, index, instance))
    return found


def _row(model: ServedModel, index: int, instance: dict[str, Any]) -> dict[str, Any]:
    missing = [f for f in model.features if f not in instance]
    if missing:
        raise ApiError(400, f"instance {index} is missing feature {', '.join(missing)}")
    row: dict[str, Any] = {}
    for name in model.features:
        value = instance[name]
        if name in model.numeric:
            if isinstance(value, bool) or not isinstance(value, int | float | None):
                raise ApiError(
                    400, f"instance {index}: feature {name} must be a number, not {_kind(value)}"
                )
            row[name] = math.nan if value is None else float(value)  # null: a missing value
        elif isinstance(value, dict | list):
            raise ApiError(
                400, f"instance {index}: feature {name} must be a single value, not {_kind(value)}"
            )
        else:
            row[name] = None if value is None else str(value)
    return row


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def predict(model: ServedModel, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The KServe V1 response for rows `decode` checked: `predictions` as the estimator's
    `predict` gives them (what KServe's sklearn server answers), and `probabilities` for
    classifiers."""
    import pandas as pd

    frame = pd.DataFrame(inputs, columns=list(model.features))
    try:
        answer = predict_frame(model, frame, probabilities=True)
    except Overflow as exc:
        raise ApiError(400, str(exc)) from None
    response: dict[str, Any] = {"predictions": answer["predict"].tolist()}
    if "predict_proba" in answer:
        response["probabilities"] = answer["predict_proba"].tolist()
    return response
