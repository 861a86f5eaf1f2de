"""`modelspec serve` as a real MLServer process: every request shape gives the skops model's own predictions."""

from __future__ import annotations

import csv
import json
import shutil
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # tests/serving/conftest.py (fixtures, not importable under importlib mode)
    from conftest import Server, Trained

pytestmark = pytest.mark.slow

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"
ROWS = 5


def _signature(build: Path) -> list[dict[str, Any]]:
    inputs: list[dict[str, Any]] = json.loads((build / "signature.json").read_text())["inputs"]
    return inputs


def _rows(root: Path, data: str, inputs: list[dict[str, Any]]) -> list[list[Any]]:
    with (root / "data" / data).open(newline="") as handle:
        records = list(csv.DictReader(handle))[:ROWS]
    return [
        [float(r[i["name"]]) if i["kind"] == "numeric" else r[i["name"]] for i in inputs]
        for r in records
    ]


def _local_predictions(build: Path, inputs: list[dict[str, Any]], rows: list[list[Any]]) -> list[Any]:
    """What the build's model.skops predicts in this process, through modelspec's own loader."""
    import pandas as pd

    from modelspec.learn.train import feature_frame
    from modelspec.registry.modelfile import load_model

    estimator = load_model((build / "model.skops").read_bytes(), "model.skops")
    frame = pd.DataFrame(rows, columns=[i["name"] for i in inputs])
    numeric = tuple(i["name"] for i in inputs if i["kind"] == "numeric")
    categorical = tuple(i["name"] for i in inputs if i["kind"] != "numeric")
    predictions: list[Any] = estimator.predict(feature_frame(frame, numeric, categorical)).tolist()
    return predictions


def _v2_type(kind: str) -> str:
    return "FP64" if kind == "numeric" else "BYTES"


def _shapes(inputs: list[dict[str, Any]], rows: list[list[Any]]) -> dict[str, tuple[str, Any]]:
    """Every request shape the server takes, for the same rows: (version, body)."""
    names = [i["name"] for i in inputs]
    columns = [
        {"name": i["name"], "shape": [len(rows), 1], "datatype": _v2_type(i["kind"]),
         "data": [row[k] for row in rows]}
        for k, i in enumerate(inputs)
    ]
    shapes: dict[str, tuple[str, Any]] = {
        "v1 lists": ("v1", {"instances": rows}),
        "v1 objects": ("v1", {"instances": [dict(zip(names, row, strict=True)) for row in rows]}),
        "v2 pandas codec": ("v2", {"inputs": columns, "parameters": {"content_type": "pd"}}),
        "v2 per feature": ("v2", {"inputs": columns}),
    }
    if all(i["kind"] == "numeric" for i in inputs):
        shapes["v2 fp64 tensor"] = (
            "v2",
            {"inputs": [{"name": "input-0", "shape": [len(rows), len(names)], "datatype": "FP64",
                         "data": rows}]},
        )
    return shapes


def _predictions(server: Server, version: str, body: Any) -> list[Any]:
    if version == "v1":
        status, answer = server.request("POST", f"/v1/models/{server.name}:predict", body)
        assert status == 200, answer
        return list(answer["predictions"])
    status, answer = server.request("POST", f"/v2/models/{server.name}/infer", body)
    assert status == 200, answer
    [output] = answer["outputs"]
    assert output["name"] == "predict" and output["shape"] == [ROWS, 1]
    assert answer["model_name"] == server.name
    return list(output["data"])


@pytest.mark.parametrize("model", [CLASSIFIER, REGRESSOR])
def test_every_request_shape_answers_what_the_skops_model_predicts(
    model: str, request: pytest.FixtureRequest, trained: Trained
) -> None:
    server: Server = request.getfixturevalue("classifier" if model == CLASSIFIER else "regressor")
    build = trained.classifier if model == CLASSIFIER else trained.regressor
    inputs = _signature(build)
    data = "breast_cancer.csv" if model == CLASSIFIER else "diabetes.csv"
    rows = _rows(trained.root, data, inputs)
    expected = _local_predictions(build, inputs, rows)
    shapes = _shapes(inputs, rows)
    answers = {name: _predictions(server, *shape) for name, shape in shapes.items()}
    assert answers == {name: expected for name in shapes}
    kinds = {type(p) for p in expected}
    assert kinds == ({bool} if model == CLASSIFIER else {float})


def test_health_and_metadata_endpoints(classifier: Server, trained: Trained) -> None:
    name = classifier.name
    inputs = _signature(trained.classifier)
    assert classifier.request("GET", "/v2/health/live")[0] == 200
    assert classifier.request("GET", "/v2/health/ready")[0] == 200
    assert classifier.request("GET", f"/v2/models/{name}/ready")[0] == 200
    status, server = classifier.request("GET", "/v2")
    assert status == 200 and server["name"] == "mlserver" and server["version"] == "1.7.1"
    status, meta = classifier.request("GET", f"/v2/models/{name}")
    assert status == 200 and meta["name"] == name and meta["platform"] == "sklearn"
    assert [(i["name"], i["datatype"]) for i in meta["inputs"]] == [
        (i["name"], _v2_type(i["kind"])) for i in inputs
    ]
    assert meta["outputs"] == [{"name": "predict", "datatype": "BOOL", "shape": [-1, 1]}]
    assert classifier.request("GET", "/") == (200, {"status": "alive"})
    assert classifier.request("GET", "/v1/models") == (200, {"models": [name]})
    status, v1 = classifier.request("GET", f"/v1/models/{name}")
    assert status == 200 and v1["ready"] is True and v1["name"] == name
    assert v1["build"] == "1.0.0+1" and v1["signature"]["inputs"] == inputs
    # the Model's own name is not what clients use: the deployment's is
    assert classifier.request("GET", f"/v1/models/{CLASSIFIER}")[0] == 404
    assert classifier.request("GET", f"/v2/models/{CLASSIFIER}")[0] == 404
    # no model repository API: a client can neither unload the model nor load others
    assert classifier.request("POST", "/v2/repository/index", {})[0] == 404
    assert classifier.request("POST", f"/v2/repository/models/{name}/unload", {})[0] == 404


def test_bad_requests_are_4xx_with_an_error_and_no_traceback(classifier: Server) -> None:
    name = classifier.name
    v1, v2 = f"/v1/models/{name}:predict", f"/v2/models/{name}/infer"
    cases = [
        (v1, b"{bad json", 400),
        (v1, b'{"instances": [[Infinity]]}', 400),
        (v1, b'{"instances": [[1, 2]]}', 400),
        (v2, b"{bad json", 422),
        (v2, b"[1, 2]", 422),
        (v2, b'{"inputs": []}', 400),
        (v2, b'{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]}', 400),
        (v2, b'{"inputs": [{"name": "x", "shape": [2, 10], "datatype": "FP64", "data": [1]}]}', 400),
        (v2, b'{"inputs": [{"name": "x", "shape": [1, 10], "datatype": "FP64", "data": [1]}],'
             b' "outputs": [{"name": "transform"}]}', 400),
    ]
    for path, body, status in cases:
        got, answer = classifier.request("POST", path, raw=body)
        assert (got, set(answer)) == (status, {"error"}), (body, answer)
        assert "Traceback" not in json.dumps(answer)
    assert "Traceback" not in classifier.output()


def test_an_oversized_body_is_refused_before_it_is_read(classifier: Server) -> None:
    with socket.create_connection(("127.0.0.1", classifier.port), timeout=10) as sock:
        sock.sendall(
            f"POST /v1/models/{classifier.name}:predict HTTP/1.1\r\nHost: x\r\n"
            f"Content-Type: application/json\r\nContent-Length: {64 << 20}\r\n\r\n".encode()
        )
        received = b""
        while b'"}' not in received:  # the headers and the body may come in separate segments
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
        answer = received.decode()
    assert answer.startswith("HTTP/1.1 413"), answer
    assert '"error": "the body is over 10,485,760 bytes' in answer


def test_metrics_port_exports_mlserver_series_after_requests(classifier: Server) -> None:
    name = classifier.name
    body = {"inputs": [{"name": "x", "shape": [1, 10], "datatype": "FP64", "data": [1.0] * 10}]}
    assert classifier.request("POST", f"/v2/models/{name}/infer", body)[0] == 200
    assert classifier.request("POST", f"/v1/models/{name}:predict", {"instances": [[1.0] * 10]})[0] == 200
    status, text = classifier.request("GET", "/metrics", metrics=True)
    assert status == 200
    assert f'model_infer_request_success_total{{model="{name}",version="None"}}' in text
    for series in (
        'rest_server_requests_total{app_name="mlserver",method="POST",'
        'path="/v2/models/{model_name}/infer",status_code="200"}',
        'rest_server_requests_total{app_name="mlserver",method="POST",'
        'path="/v1/models/{model_name}:predict",status_code="200"}',
        "rest_server_request_duration_seconds_bucket{",
        "rest_server_requests_in_progress{",
        "model_infer_request_duration_count{",
        "model_infer_request_failure_total{",
    ):
        assert series in text, series
    assert classifier.request("GET", "/metrics")[0] == 404  # metrics live on their own port


def test_a_tampered_build_is_refused_at_start(trained: Trained, tmp_path: Path, start: Any) -> None:
    copy = tmp_path / "registry" / CLASSIFIER / trained.classifier.name
    shutil.copytree(trained.classifier, copy)
    model = bytearray((copy / "model.skops").read_bytes())
    model[len(model) // 2] ^= 0x01
    (copy / "model.skops").write_bytes(bytes(model))
    server = start(trained.root, ["--build-dir", str(copy)], tmp_path / "log", wait=False)
    assert server.process.wait(timeout=60) == 1
    output = server.output()
    assert "Error: " in output and "model.skops does not match its manifest" in output
    assert "Traceback" not in output and len(output.strip().splitlines()) == 1
    digest = "sha256:" + "0" * 64
    env = {"MODELSPEC_BUILD_DIR": str(trained.classifier), "MODELSPEC_BUILD_DIGEST": digest}
    server = start(tmp_path, [], tmp_path / "log2", env, wait=False)
    assert server.process.wait(timeout=60) == 1
    assert "manifest.json does not match the build digest" in server.output()


def test_a_port_in_use_is_a_one_line_error(trained: Trained, tmp_path: Path, start: Any) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start(
            trained.root, ["biopsy-classifier-prod"], tmp_path / "log", wait=False,
            metrics_port=port,
        )
        assert server.process.wait(timeout=60) == 1
    output = server.output().strip()
    assert output == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_sigterm_stops_the_server_gracefully(trained: Trained, tmp_path: Path, start: Any) -> None:
    server = start(trained.root, ["biopsy-classifier-prod"], tmp_path / "log")
    assert server.request("GET", "/v2/health/ready")[0] == 200
    assert server.stop() == 0
    output = server.output()
    assert "serving biopsy-malignancy-classifier 1.0.0+1 as biopsy-classifier-prod" in output
    assert "SIGTERM: shutting down" in output and "Traceback" not in output
