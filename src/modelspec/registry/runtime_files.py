"""The files that let real inference runtimes load a build as it is: MLflow's model format and MLServer's.

A build folder is served in place by four runtimes, each reading its own files:

- KServe's sklearn server loads the one `model.joblib` in the folder its
  `storageUri` names (two of `.joblib`/`.pkl`/`.pickle` make it refuse).
- MLServer (`mlserver-sklearn`) reads `model-settings.json`, whose `uri`
  names `model.joblib` beside it.
- MLflow (`mlflow models serve`, `mlflow.pyfunc.load_model`, KServe's and
  MLServer's MLflow runtimes) reads `MLmodel`: the sklearn flavor pickled
  with plain `pickle`, so `model.joblib` serves both, the signature, the
  input example and the environment files.
- modelspec itself loads `model.skops` (registry/modelfile.py), never a pickle.

`model.joblib` is therefore a plain pickle, which `joblib.load` reads too.
Nothing here depends on the time or the machine beyond the versions recorded,
so the same model gives the same files. The input example is one synthetic
row (the median of each numeric feature, the most frequent value of each
categorical one), never a row of the training data: registries are read by
more people than the data may be.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

__all__ = [
    "INPUT_EXAMPLE",
    "MLMODEL",
    "MODEL_SETTINGS",
    "SERVING_INPUT_EXAMPLE",
    "mlflow_type",
    "runtime_files",
]

MLMODEL = "MLmodel"
INPUT_EXAMPLE = "input_example.json"
SERVING_INPUT_EXAMPLE = "serving_input_example.json"
MODEL_SETTINGS = "model-settings.json"
REQUIREMENTS = "requirements.txt"
PYTHON_ENV = "python_env.yaml"
CONDA_ENV = "conda.yaml"
PICKLED_MODEL = "model.joblib"

# the packages a runtime needs to unpickle the model, as versions.json records them
_REQUIREMENTS = (("scikit-learn", "sklearn"), ("numpy", "numpy"), ("scipy", "scipy"), ("joblib", "joblib"))


def mlflow_type(kind: str) -> str:
    """MLflow's column type for a model input: numeric features reach the model as float64,
    every other feature as text (learn/train.py feature_frame)."""
    return "double" if kind == "numeric" else "string"


def _output_type(signature: Mapping[str, Any]) -> str:
    if signature.get("task") != "classification":
        return "double"
    classes = signature.get("classes") or []
    if classes and all(isinstance(c, bool) for c in classes):
        return "boolean"
    if classes and all(isinstance(c, int) and not isinstance(c, bool) for c in classes):
        return "long"
    if classes and all(isinstance(c, int | float) and not isinstance(c, bool) for c in classes):
        return "double"
    return "string"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _yaml(document: Mapping[str, Any]) -> bytes:
    return yaml.safe_dump(dict(document), sort_keys=True, default_flow_style=False).encode()


def runtime_files(
    model_name: str,
    version: str,
    signature: Mapping[str, Any],
    versions: Mapping[str, str],
    example_row: Sequence[Any],
    model_bytes: int,
) -> dict[str, bytes]:
    """MLmodel, the input examples, the environment files and model-settings.json of one build.

    signature is what signature.json holds (inputs in the order the model takes them);
    versions what versions.json holds; example_row one value per input, in that order.
    """
    inputs = list(signature.get("inputs", []))
    columns = [str(i["name"]) for i in inputs]
    example = {"columns": columns, "data": [list(example_row)]}
    requirements = [
        f"{dist}=={versions[key]}" for dist, key in _REQUIREMENTS if versions.get(key, "unknown") != "unknown"
    ]
    python = versions.get("python", "3")
    col_specs = [
        {"type": mlflow_type(str(i.get("kind"))), "name": str(i["name"]), "required": True}
        for i in inputs
    ]
    mlmodel: dict[str, Any] = {
        "flavors": {
            "python_function": {
                "env": {"conda": CONDA_ENV, "virtualenv": PYTHON_ENV},
                "loader_module": "mlflow.sklearn",
                "model_path": PICKLED_MODEL,
                "predict_fn": "predict",
                "python_version": python,
            },
            "sklearn": {
                "code": None,
                "pickled_model": PICKLED_MODEL,
                "serialization_format": "pickle",
                "sklearn_version": versions.get("sklearn", "unknown"),
            },
        },
        "metadata": {"modelspec_model": model_name, "modelspec_version": version},
        "model_size_bytes": model_bytes,
        "saved_input_example_info": {
            "artifact_path": INPUT_EXAMPLE,
            "pandas_orient": "split",
            "serving_input_path": SERVING_INPUT_EXAMPLE,
            "type": "dataframe",
        },
        "signature": {
            "inputs": _compact(col_specs),
            "outputs": _compact([{"type": _output_type(signature), "required": True}]),
            "params": None,
        },
    }
    # no "name": MLServer takes it from MLSERVER_MODEL_NAME, which KServe's MLServer runtime sets
    # to the InferenceService's name, the one its clients use (the folder's name otherwise)
    settings = {
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": f"./{PICKLED_MODEL}", "version": version},
    }
    conda = {
        "channels": ["conda-forge"],
        "dependencies": [f"python={python}", "pip", {"pip": requirements}],
        "name": "mlflow-env",
    }
    return {
        MLMODEL: _yaml(mlmodel),
        INPUT_EXAMPLE: _pretty(example),
        SERVING_INPUT_EXAMPLE: _pretty({"dataframe_split": example}),
        REQUIREMENTS: ("\n".join(requirements) + "\n").encode(),
        PYTHON_ENV: _yaml({"build_dependencies": ["pip"], "dependencies": [f"-r {REQUIREMENTS}"], "python": python}),
        CONDA_ENV: _yaml(conda),
        MODEL_SETTINGS: _pretty(settings),
    }


def example_row(frame: Any, numeric: Sequence[str], categorical: Sequence[str]) -> list[Any]:
    """One synthetic input in the model's order: each numeric feature's median, each other
    feature's most frequent value (a typical input, not anyone's record)."""
    row: list[Any] = []
    for name in numeric:
        median = frame[name].median()
        row.append(None if median != median else round(float(median), 6))  # NaN: no values
    for name in categorical:
        values = frame[name].dropna().astype(str)
        row.append(str(values.mode().iloc[0]) if len(values) else "")
    return row
