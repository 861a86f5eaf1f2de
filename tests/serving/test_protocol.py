"""Request bodies: every hostile body is a 4xx naming the problem, over HTTP too, and answers are valid JSON."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from modelspec.serving.model import ServedModel
from modelspec.serving.protocol import MAX_INSTANCES, ApiError, decode, encode, predict

if TYPE_CHECKING:  # tests/serving/conftest.py (fixtures, not importable under importlib mode)
    from conftest import Server

REGRESSOR = "diabetes-progression-regressor"
FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "site")
GOOD = [0.038, 0.05, 0.061, 0.021, -0.044, -0.034, -0.043, -0.002, 0.019, -0.017, "north-clinic"]


class _Constant:
    """An estimator that answers `value` for every row."""

    def __init__(self, value: float) -> None:
        self.value = value

    def predict(self, x: Any) -> Any:
        return np.full(len(x), self.value)


def _stub(value: float = 1.0) -> ServedModel:
    return ServedModel(
        name="stub",
        build="1.0.0+1",
        estimator=_Constant(value),
        signature={"inputs": [{"name": f, "kind": "numeric"} for f in FEATURES[:-1]]},
        features=FEATURES,
        numeric=FEATURES[:-1],
    )


def _row(first: str) -> bytes:
    """An instance whose first value is the raw JSON text `first`, the rest good."""
    rest = json.dumps(GOOD[1:])[1:-1]
    return f'{{"instances": [[{first}, {rest}]]}}'.encode()


NESTED = b'{"instances": ' + b"[" * 5000 + b"]" * 5000 + b"}"

# (body, status, the message's distinctive part)
HOSTILE: list[tuple[bytes, int, str]] = [
    (_row("Infinity"), 400, "the body is refused: Infinity is not a JSON number"),
    (_row("-Infinity"), 400, "-Infinity is not a JSON number"),
    (_row("NaN"), 400, "the body is refused: NaN is not a JSON number"),
    (_row("1e309"), 400, "1e309 is out of the range of a 64-bit float"),
    (_row("9" * 400), 400, "an integer of 400 digits is too large"),
    (NESTED, 400, "nested more than 100 levels deep"),
    (b'{"instances": [["\xff\xfe"]]}', 400, "not UTF-8 text"),
    (b'{"instances": [', 400, "not valid JSON at line 1, column 16"),
    (b"", 400, "not valid JSON at line 1, column 1"),
    (b'"instances"', 400, 'the body must be {"instances": [...]}'),
    (b'{"instances": {}}', 400, 'the body must be {"instances": [...]}'),
    (b'{"instances": []}', 400, "with at least one instance"),
    (b'{"instances": [7]}', 400, "instance 0 must be an object or a list of feature values"),
    (b'{"instances": [[1, 2]]}', 400, "instance 0 has 2 values; the model takes 11: age, sex"),
    (
        b'{"instances": [[' + b"0," * 200_000 + b"0]]}",
        400,
        "instance 0 has 200,001 values; the model takes 11",
    ),
    (_row('"old"'), 400, "instance 0: feature age must be a number, not a string"),
    (_row("true"), 400, "feature age must be a number, not true or false"),
    (_row("[1]"), 400, "feature age must be a number, not a list"),
    (b'{"instances": [{"age": 1}]}', 400, "instance 0 is missing feature sex, bmi"),
    (
        json.dumps({"instances": [[*GOOD[:-1], {"a": 1}]]}).encode(),
        400,
        "instance 0: feature site must be a single value, not an object",
    ),
    (
        json.dumps({"instances": [GOOD] * (MAX_INSTANCES + 1)}).encode(),
        413,
        "the body has 10,001 instances; the limit is 10,000 a request",
    ),
]


@pytest.mark.parametrize(("body", "status", "message"), HOSTILE, ids=lambda v: repr(v)[:40])
def test_a_hostile_body_is_a_client_error_naming_the_problem(
    body: bytes, status: int, message: str
) -> None:
    with pytest.raises(ApiError) as refused:
        decode(_stub(), body)
    assert refused.value.status == status
    assert message in refused.value.message


def test_a_good_body_becomes_rows_in_signature_order() -> None:
    rows = decode(
        _stub(), json.dumps({"instances": [GOOD, dict(zip(FEATURES, GOOD, strict=True))]}).encode()
    )
    assert rows[0] == rows[1]
    assert list(rows[0]) == list(FEATURES)
    assert rows[0]["site"] == "north-clinic" and rows[0]["age"] == 0.038
    nulls = decode(_stub(), json.dumps({"instances": [[None] * len(FEATURES)]}).encode())
    assert math.isnan(nulls[0]["age"]) and nulls[0]["site"] is None  # null: a missing value


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_a_non_finite_model_output_is_answered_as_null(value: float) -> None:
    model = _stub(value)
    response = predict(model, decode(model, json.dumps({"instances": [GOOD]}).encode()))
    text = encode(response).decode()
    assert text == '{"predictions": [null]}\n'
    assert json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the answer")) == {
        "predictions": [None]
    }


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if (
            match
            and match[1] == name
            and dict(re.findall(r'([a-z_]+)="([^"]*)"', match[2] or "")) == labels
        ):
            return float(match[3])
    return 0.0


@pytest.mark.slow
def test_the_server_answers_each_hostile_body_with_4xx_and_keeps_serving(regressor: Server) -> None:
    path = f"/v1/models/{regressor.name}:predict"
    route = "/v1/models/{model_name}:predict"
    before = regressor.request("GET", "/metrics", metrics=True)[1]
    expected: dict[int, int] = {}
    for body, status, message in HOSTILE:
        got, answer = regressor.request("POST", path, raw=body)
        assert (got, message in answer["error"]) == (status, True), (body[:60], answer)
        assert set(answer) == {"error"}
        expected[status] = expected.get(status, 0) + 1
    # values a scaler overflows on are the client's to fix, not a server failure
    huge = json.dumps({"instances": [[1e308, -1e308] * 5 + ["x"]]}).encode()
    status, answer = regressor.request("POST", path, raw=huge)
    assert status == 400 and "overflow the model's arithmetic" in answer["error"]
    expected[400] += 1
    status, answer = regressor.request("POST", path, {"instances": [GOOD]})
    assert status == 200 and isinstance(answer["predictions"][0], float)
    text = regressor.request("GET", "/metrics", metrics=True)[1]

    def counted(code: str) -> float:
        labels = {"app_name": "mlserver", "method": "POST", "path": route, "status_code": code}
        return _sample(text, "rest_server_requests_total", **labels) - _sample(
            before, "rest_server_requests_total", **labels
        )

    assert counted("400") == expected[400]
    assert counted("413") == expected[413] == 1
    assert counted("200") == 1
    assert counted("500") == 0
