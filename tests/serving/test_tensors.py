"""V2 tensors as model input: the shapes a build accepts become the same frame, the rest a 4xx naming why."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from mlserver.types import InferenceRequest

from modelspec.serving.model import ServedModel
from modelspec.serving.tensors import RequestRefused, frame_of

FEATURES = ("age", "bmi", "site")
ROWS = [[50.0, 22.5, "north"], [61.0, 30.1, "south"]]


def _model() -> ServedModel:
    return ServedModel(
        name="m", build="1.0.0+1", estimator=None, signature={}, features=FEATURES,
        numeric=FEATURES[:2],
    )


def _columns(**parameters: Any) -> dict[str, Any]:
    inputs = [
        {"name": f, "shape": [2, 1], "datatype": "BYTES" if f == "site" else "FP64",
         "data": [row[k] for row in ROWS]}
        for k, f in enumerate(FEATURES)
    ]
    return {"inputs": inputs[::-1], **({"parameters": parameters} if parameters else {})}


@pytest.mark.parametrize("body", [_columns(), _columns(content_type="pd")], ids=["plain", "pandas"])
def test_one_input_per_feature_becomes_the_frame_in_signature_order(body: dict[str, Any]) -> None:
    frame = frame_of(_model(), InferenceRequest.model_validate(body))
    assert list(frame.columns) == list(FEATURES)
    assert frame.values.tolist() == ROWS


def test_a_numeric_matrix_is_read_in_signature_order() -> None:
    model = ServedModel("m", "1.0.0+1", None, {}, ("a", "b"), ("a", "b"))
    body = {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [[1, 2], [3, 4]]}]}
    frame = frame_of(model, InferenceRequest.model_validate(body))
    assert list(frame.columns) == ["a", "b"]
    assert np.array_equal(frame.values, [[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"inputs": []}, 400, "the request has no inputs"),
        ({**_columns(), "parameters": {"content_type": "np"}}, 400, "content_type 'np' is not served"),
        ({"inputs": _columns()["inputs"][:2]}, 400, "missing feature age"),
        ({"inputs": [*_columns()["inputs"], {"name": "zip", "shape": [2], "datatype": "FP64", "data": [1, 2]}]},
         400, "unknown input zip"),
        ({"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1, 2]}]}, 400, "the model takes [n, 3]"),
        ({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "BYTES", "data": ["a", "b", "c"]}]}, 400, "must be numeric"),
        ({"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP64", "data": [1]}]}, 400, "does not fit its shape"),
        ({"inputs": [{"name": "x", "shape": [10_001, 3], "datatype": "FP64", "data": [0] * 30_003}]}, 413, "the limit is 10,000"),
        ({"inputs": [{**i, "datatype": "BYTES", "data": ["x", "y"]} if i["name"] == "age" else i
                     for i in _columns()["inputs"]]}, 400, "input age is BYTES; the feature is numeric"),
    ],
)
def test_a_bad_request_is_refused_naming_the_problem(body: dict[str, Any], status: int, message: str) -> None:
    with pytest.raises(RequestRefused) as refused:
        frame_of(_model(), InferenceRequest.model_validate(body))
    assert refused.value.status_code == status
    assert message in str(refused.value)
