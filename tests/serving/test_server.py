"""The model server: KServe V1 predictions from a verified build, errors, probes and Prometheus metrics."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest

from modelspec.errors import EngineError
from modelspec.generate.prometheus import ERRORS_METRIC, LATENCY_METRIC
from modelspec.learn.train import feature_frame
from modelspec.registry.local import joblib_module
from modelspec.serving.server import (
    BUCKETS,
    MAX_BODY_BYTES,
    ModelServer,
    load_served_model,
    make_server,
    resolve_build_dir,
    serve_until_signal,
)

if TYPE_CHECKING:  # tests/serving/conftest.py (fixtures, not importable under importlib mode)
    from conftest import Client, Trained

CLASSIFIER = "biopsy-malignancy-classifier"
REGRESSOR = "diabetes-progression-regressor"


def _direct(build: Path, frame: pd.DataFrame) -> tuple[list[Any], Any]:
    signature = json.loads((build / "signature.json").read_text())
    numeric = tuple(i["name"] for i in signature["inputs"] if i["kind"] == "numeric")
    categorical = tuple(i["name"] for i in signature["inputs"] if i["kind"] != "numeric")
    estimator = joblib_module().load(build / "model.joblib")  # the pickle KServe would load
    x = feature_frame(frame, numeric, categorical)
    proba = estimator.predict_proba(x).tolist() if hasattr(estimator, "predict_proba") else None
    return estimator.predict(x).tolist(), proba


def test_regressor_predictions_match_the_model(trained: Trained, regressor: Client) -> None:
    frame = pd.read_csv(trained.root / "data" / "diabetes.csv").head(6)
    instances = frame.drop(columns=["progression"]).to_dict(orient="records")
    instances[0]["unused"] = "ignored"
    status, body = regressor.request(
        "POST", f"/v1/models/{REGRESSOR}:predict", {"instances": instances}
    )
    assert status == 200, body
    expected, _ = _direct(trained.regressor, frame)
    assert body["predictions"] == pytest.approx(expected)
    assert "probabilities" not in body


def test_classifier_accepts_lists_and_returns_probabilities(
    trained: Trained, classifier: Client
) -> None:
    frame = pd.read_csv(trained.root / "data" / "breast_cancer.csv").head(5)
    signature = json.loads((trained.classifier / "signature.json").read_text())
    order = [i["name"] for i in signature["inputs"]]
    instances = frame[order].values.tolist()
    status, body = classifier.request(
        "POST", f"/v1/models/{CLASSIFIER}:predict", {"instances": instances}
    )
    assert status == 200, body
    expected, proba = _direct(trained.classifier, frame)
    assert body["predictions"] == expected
    assert body["probabilities"] == proba  # JSON round-trips floats exactly
    assert all(len(p) == len(signature["classes"]) for p in body["probabilities"])


def test_metadata_and_probes(classifier: Client) -> None:
    status, body = classifier.request("GET", f"/v1/models/{CLASSIFIER}")
    assert status == 200
    assert body["ready"] is True and body["build"] == "1.0.0+1"
    assert body["signature"]["inputs"][0]["name"] == "mean_radius"
    assert classifier.request("GET", "/healthz") == (200, {"status": "alive"})
    status, body = classifier.request("GET", "/readyz")
    assert (status, body["status"]) == (200, "ready")
    classifier.server.ready = False
    assert classifier.request("GET", "/readyz")[0] == 503


def _one(frame_row: dict[str, Any]) -> dict[str, Any]:
    return {"instances": [frame_row]}


@pytest.fixture
def row(trained: Trained) -> dict[str, Any]:
    frame = pd.read_csv(trained.root / "data" / "diabetes.csv").head(1)
    record: dict[str, Any] = frame.drop(columns=["progression"]).to_dict(orient="records")[0]
    return record


def test_bad_requests_are_refused_with_a_reason(regressor: Client, row: dict[str, Any]) -> None:
    path = f"/v1/models/{REGRESSOR}:predict"
    without_bmi = {k: v for k, v in row.items() if k != "bmi"}
    status, body = regressor.request("POST", path, _one(without_bmi))
    assert status == 400 and "missing feature bmi" in body["error"]
    status, body = regressor.request("POST", path, _one({**row, "age": "old"}))
    assert status == 400 and "age must be a number" in body["error"]
    status, body = regressor.request("POST", path, {"instances": [[1.0, 2.0]]})
    assert status == 400 and "has 2 values" in body["error"]
    status, body = regressor.request("POST", path, raw=b'{"instances": [')
    assert status == 400 and "not valid JSON" in body["error"]
    assert regressor.request("POST", path, {"rows": []})[0] == 400
    status, body = regressor.request("POST", "/v1/models/other:predict", _one(row))
    assert status == 404 and REGRESSOR in body["error"]
    assert regressor.request("GET", "/v1/models/other")[0] == 404
    assert regressor.request("GET", "/nope")[0] == 404


def test_an_oversized_body_is_refused_before_it_is_read(regressor: Client) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", regressor.server.port, timeout=10)
    try:
        conn.putrequest("POST", f"/v1/models/{REGRESSOR}:predict")
        conn.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 413
        assert "limit" in json.loads(response.read())["error"]
    finally:
        conn.close()


def _sample(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'([a-z_]+)="([^"]*)"', match[2] or ""))
        if found == labels:
            return float(match[3])
    raise AssertionError(f"no sample {name}{labels} in:\n{text}")


def test_metrics_count_predictions_by_code_with_a_latency_histogram(
    regressor: Client, row: dict[str, Any]
) -> None:
    path = f"/v1/models/{REGRESSOR}:predict"
    for _ in range(3):
        assert regressor.request("POST", path, _one(row))[0] == 200
    assert regressor.request("POST", path, raw=b"{")[0] == 400
    regressor.request("GET", "/healthz")  # probes and scrapes are not predictions
    status, text = regressor.request("GET", "/metrics")
    assert status == 200
    assert f"# TYPE {ERRORS_METRIC} counter" in text
    assert f"# TYPE {LATENCY_METRIC} histogram" in text
    dep = {"deployment": "diabetes-prod"}
    assert _sample(text, ERRORS_METRIC, **dep, code="200") == 3
    assert _sample(text, ERRORS_METRIC, **dep, code="400") == 1
    assert _sample(text, f"{LATENCY_METRIC}_count", **dep) == 4
    assert _sample(text, f"{LATENCY_METRIC}_bucket", **dep, le="+Inf") == 4
    counts = [_sample(text, f"{LATENCY_METRIC}_bucket", **dep, le=repr(b)) for b in BUCKETS]
    assert counts == sorted(counts) and counts[-1] <= 4
    assert 0 < _sample(text, f"{LATENCY_METRIC}_sum", **dep) < 40
    assert _sample(text, "modelspec_inflight_requests", **dep) == 0


def test_metrics_without_a_deployment_have_only_the_code_label(classifier: Client) -> None:
    classifier.request("POST", f"/v1/models/{CLASSIFIER}:predict", raw=b"[]")
    text = classifier.request("GET", "/metrics")[1]
    assert _sample(text, ERRORS_METRIC, code="400") == 1
    assert _sample(text, f"{LATENCY_METRIC}_count") == 1


def _copy(build: Path, tmp_path: Path) -> Path:
    target = tmp_path / "registry" / build.parent.name / build.name
    shutil.copytree(build, target)
    return target


def test_a_tampered_build_is_refused(trained: Trained, tmp_path: Path) -> None:
    build = _copy(trained.regressor, tmp_path)
    model = build / "model.joblib"
    model.write_bytes(model.read_bytes() + b"\0")
    with pytest.raises(EngineError, match="does not match its manifest"):
        load_served_model(build, trained.project)


def test_a_build_with_an_unlisted_file_or_no_signature_is_refused(
    trained: Trained, tmp_path: Path
) -> None:
    build = _copy(trained.classifier, tmp_path)
    (build / "extra.py").write_text("print('hi')\n")
    with pytest.raises(EngineError, match=r"does not list: extra\.py"):
        load_served_model(build, trained.project)
    (build / "extra.py").unlink()
    (build / "signature.json").unlink()
    with pytest.raises(EngineError, match=r"signature\.json is missing"):
        load_served_model(build, trained.project)


def test_a_model_version_directory_means_its_latest_build(trained: Trained, tmp_path: Path) -> None:
    build = _copy(trained.regressor, tmp_path)
    later = build.parent / "2.0.1+3"
    shutil.copytree(build, later)
    assert resolve_build_dir(build.parent / "2.0.1") == later
    assert resolve_build_dir(build) == build
    with pytest.raises(EngineError, match="neither a registered build"):
        resolve_build_dir(build.parent / "9.9.9")
    with pytest.raises(EngineError, match=r"no manifest\.json"):
        resolve_build_dir(tmp_path)


def test_sigterm_drains_and_returns(
    trained: Trained, row: dict[str, Any], connect: Callable[[ModelServer], Client]
) -> None:
    server = make_server(load_served_model(trained.regressor), "127.0.0.1", 0, log=None)
    answers: list[int] = []
    stopped: list[str] = []

    def client() -> None:
        answers.append(connect(server).request("GET", "/healthz")[0])
        os.kill(os.getpid(), signal.SIGTERM)

    watchdog = threading.Timer(10, server.drain)  # never hang the suite
    watchdog.start()
    threading.Timer(0.1, client).start()
    try:
        serve_until_signal(server, stopped.append)
    finally:
        watchdog.cancel()
    assert answers == [200]
    assert stopped == ["SIGTERM"]
    assert server.ready is False
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
