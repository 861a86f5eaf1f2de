"""The skops model file: allow-listed pipelines round-trip, anything else is refused before it is loaded."""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from modelspec.errors import EngineError
from modelspec.registry import modelfile
from modelspec.registry.modelfile import dump_model, load_model, trusted_types

Example = Any  # the `example` fixture (tests/support/engine_fixtures.py)
Build = Callable[[str], dict[str, Any]]


def _schema(data: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("schema.json"))
    return value


def _with_schema(data: bytes, schema: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            archive.writestr(entry, schema if entry.filename == "schema.json" else source.read(entry))
    return out.getvalue()


def _tiny() -> tuple[Any, Any]:
    import numpy as np
    from sklearn.linear_model import Ridge

    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    return Ridge().fit(x, [0.0, 1.0, 2.0, 3.1]), x


@pytest.mark.slow
@pytest.mark.parametrize("model", ["biopsy-malignancy-classifier", "diabetes-progression-regressor"])
def test_the_example_models_round_trip_through_skops_with_identical_predictions(
    example: Example, built: Build, model: str
) -> None:
    import joblib
    import pandas as pd
    import skops.io

    from modelspec.learn.train import feature_frame

    outputs = built(model)
    build = example.root / outputs["registry_path"]
    data = (build / "model.skops").read_bytes()
    assert set(skops.io.get_untrusted_types(data=data)) <= trusted_types()
    ours = load_model(data, "model.skops")
    pickled = joblib.load(build / "model.joblib")  # the test's own fresh file, for comparison only
    signature = json.loads((build / "signature.json").read_text())
    numeric = tuple(i["name"] for i in signature["inputs"] if i["kind"] == "numeric")
    categorical = tuple(i["name"] for i in signature["inputs"] if i["kind"] != "numeric")
    source = "breast_cancer.csv" if "biopsy" in model else "diabetes.csv"
    x = feature_frame(pd.read_csv(example.root / "data" / source), numeric, categorical)
    assert ours.predict(x).tolist() == pickled.predict(x).tolist()
    if hasattr(pickled, "predict_proba"):
        assert ours.predict_proba(x).tolist() == pickled.predict_proba(x).tolist()


@pytest.mark.slow
def test_every_allow_listed_estimator_round_trips() -> None:
    import numpy as np
    import pandas as pd
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

    from modelspec.learn.estimators import make_estimator
    from modelspec.spec.estimators import ALLOWED

    rng = np.random.default_rng(0)
    x = pd.DataFrame(
        {"a": rng.normal(size=60), "b": rng.uniform(size=60), "c": rng.choice(["x", "y"], 60)}
    ).astype({"c": object})
    targets = {"classification": x["a"] > 0, "regression": x["a"] * 3 + x["b"] + 10}
    for path, allowed in sorted(ALLOWED.items()):
        pre = ColumnTransformer(
            [
                ("numeric", Pipeline([("impute", SimpleImputer()), ("scale", MinMaxScaler())]), ["a", "b"]),
                ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["c"]),
            ]
        )
        fitted: Any = Pipeline([("preprocess", pre), ("model", make_estimator(path, {}, 7))])
        if path.endswith("LogisticRegression"):
            fitted = CalibratedClassifierCV(fitted, method="isotonic", cv=3)
        fitted.fit(x, targets[allowed.task])
        loaded = load_model(dump_model(fitted, path), path)
        assert loaded.predict(x).tolist() == fitted.predict(x).tolist(), path


def test_a_type_off_the_allow_list_is_refused_before_anything_is_imported() -> None:
    import skops.io
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    # skops itself trusts every scikit-learn estimator; modelspec only what a spec can build
    data = skops.io.dumps(Pipeline([("f", FunctionTransformer())]))
    with pytest.raises(EngineError, match=r"FunctionTransformer.*it was not written by modelspec"):
        load_model(data, "model.skops")
    data = skops.io.dumps({"f": os.system})
    with pytest.raises(EngineError, match=r"names types modelspec does not load \(posix\.system\)"):
        load_model(data, "model.skops")


def test_a_node_that_calls_code_is_refused_whatever_type_it_names() -> None:
    estimator, _ = _tiny()
    data = dump_model(estimator, "model m")
    schema = _schema(data)
    schema["content"]["content"]["coef_"]["__loader__"] = "ReduceNode"
    with pytest.raises(EngineError, match="loader ReduceNode"):
        load_model(_with_schema(data, json.dumps(schema).encode()), "model.skops")


def test_training_refuses_a_model_it_could_not_load() -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    with pytest.raises(EngineError, match=r"model m: the trained model holds types modelspec does not load"):
        dump_model(Pipeline([("f", FunctionTransformer())]).fit([[1.0]]), "model m")


@pytest.mark.parametrize(
    ("mutate", "said"),
    [
        (lambda d: d[: len(d) // 2], "is not a readable skops archive"),
        (lambda d: b"not a zip at all", "is not a readable skops archive"),
        (lambda d: _with_schema(d, b"[" * 5000 + b"]" * 5000), "nested more than 100 levels deep"),
        (lambda d: _with_schema(d, b'{"n": ' + b"9" * 5000 + b"}"), "an integer of 5,000 digits"),
        (lambda d: _with_schema(d, b"{}"), "cannot be loaded"),
    ],
)
def test_a_damaged_file_is_a_clear_error(mutate: Callable[[bytes], bytes], said: str) -> None:
    estimator, _ = _tiny()
    with pytest.raises(EngineError, match=said) as err:
        load_model(mutate(dump_model(estimator, "model m")), "/r/m/1.0.0+1/model.skops")
    assert "/r/m/1.0.0+1/model.skops" in str(err.value)


def test_an_archive_that_unpacks_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    estimator, x = _tiny()
    data = dump_model(estimator, "model m")
    monkeypatch.setattr(modelfile, "MAX_MODEL_BYTES", 100)
    with pytest.raises(EngineError, match="it unpacks to more than 100 bytes"):
        load_model(data, "model.skops")
    monkeypatch.undo()
    assert load_model(data, "model.skops").predict(x).tolist() == estimator.predict(x).tolist()


_FIT_AND_DUMP = """
import hashlib, sys
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from modelspec.registry.modelfile import dump_model
x, y = load_breast_cancer(return_X_y=True)
model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(x, y)
sys.stdout.write(hashlib.sha256(dump_model(model, "model t")).hexdigest())
"""


def test_the_same_model_trained_twice_gives_the_same_skops_bytes() -> None:
    """skops names objects by memory address and stamps the time; a build's digest, which its
    manifests carry, must not depend on either."""
    import subprocess
    import sys

    runs = [
        subprocess.run([sys.executable, "-c", _FIT_AND_DUMP], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout and len(runs[0].stdout) == 64


def test_a_canonical_archive_loads_back_to_the_same_predictions() -> None:
    import zipfile
    from io import BytesIO

    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import HistGradientBoostingClassifier

    from modelspec.registry.modelfile import dump_model, load_model

    x, y = load_breast_cancer(return_X_y=True)
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(x, y)
    data = dump_model(model, "model t")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert not [n for n in archive.namelist() if n.endswith(".npy") and len(n) > 10]
    assert load_model(data, "model.skops").predict(x).tolist() == model.predict(x).tolist()
