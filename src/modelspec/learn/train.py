"""Training: the contract's data, the spec's preprocessing, split, search and calibration, seeded."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelspec.compile.graph import Resource
from modelspec.compile.views import ContractView, ModelView
from modelspec.errors import EngineError
from modelspec.learn.estimators import check_params, make_estimator
from modelspec.learn.tabular import DataReadError, check_table, parse_table, read_data

__all__ = [
    "NUMERIC_TYPES",
    "TrainedModel",
    "TrainingData",
    "feature_frame",
    "fit",
    "load_training_data",
    "progress",
    "search_scoring",
]

NUMERIC_TYPES = frozenset({"integer", "float"})
MISSING = "<missing>"
SMALL_TABLE = 50_000  # rows; below this BLAS runs on one thread

# metric name -> scikit-learn scorer name (binary or regression; multiclass in _MULTICLASS)
_SCORERS = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "f1",
    "roc_auc": "roc_auc",
    "log_loss": "neg_log_loss",
    "brier_score": "neg_brier_score",
    "r2": "r2",
    "mae": "neg_mean_absolute_error",
    "rmse": "neg_root_mean_squared_error",
    "mape": "neg_mean_absolute_percentage_error",
}
_MULTICLASS = {
    "precision": "precision_macro",
    "recall": "recall_macro",
    "f1": "f1_macro",
    "roc_auc": "roc_auc_ovr",
}


@dataclass(frozen=True)
class TrainingData:
    """A model's rows as the contract describes them."""

    frame: Any  # pandas.DataFrame, the whole source
    features: tuple[str, ...]
    target: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    column_types: dict[str, str]  # feature -> contract type
    sha256: str  # of the source file's bytes
    source: str  # the source path as the contract gives it


@dataclass(frozen=True)
class TrainedModel:
    """A fitted model and the held-out rows it is judged on."""

    estimator: Any  # a fitted Pipeline, or CalibratedClassifierCV around one
    test_rows: tuple[int, ...]  # positions of the held-out rows in TrainingData.frame
    best_params: dict[str, Any]


def progress(message: str) -> None:
    """Progress for people at a terminal; CI logs stay quiet."""
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def load_training_data(root: Path, model: Resource, contract: Resource) -> TrainingData:
    """Read the contract's source (a path relative to the project root)."""
    contract_view = ContractView(contract)
    source = contract_view.source
    path = contract_view.source_file(root)
    if path is None:
        raise EngineError(
            f"data contract {contract.name!r} gives a uri ({source.get('uri')}); the local engine "
            "reads files only: give source.path"
        )
    try:
        content = read_data(path)
        frame = parse_table(content, source["format"], Path(source["path"]))
    except DataReadError as exc:
        raise EngineError(
            f"cannot use the training data of contract {contract.name!r}: {exc}"
        ) from None
    model_view = ModelView(model)
    features, target = tuple(model_view.features), str(model_view.target_column)
    missing = [c for c in (*features, target) if c not in frame.columns]
    if missing:
        raise EngineError(f"{source['path']} has no column {', '.join(missing)}")
    types = contract_view.column_types
    column_types = {f: types.get(f, "string") for f in features}
    try:
        check_table(
            frame, Path(source["path"]),
            types={**column_types, target: types.get(target, "string")}, complete=(target,),
        )
    except DataReadError as exc:
        raise EngineError(f"cannot train on the data of contract {contract.name!r}: {exc}") from None
    return TrainingData(
        frame=frame,
        features=features,
        target=target,
        numeric=tuple(f for f in features if column_types[f] in NUMERIC_TYPES),
        categorical=tuple(f for f in features if column_types[f] not in NUMERIC_TYPES),
        column_types=column_types,
        sha256="sha256:" + hashlib.sha256(content).hexdigest(),
        source=source["path"],
    )


def feature_frame(frame: Any, numeric: tuple[str, ...], categorical: tuple[str, ...]) -> Any:
    """The model's input columns in the types it was trained on (numbers as float, the rest as text)."""
    import pandas as pd

    columns: dict[str, Any] = {}
    for name in numeric:
        columns[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    for name in categorical:
        values = frame[name].astype("string").fillna(MISSING)
        columns[name] = values.astype(object)
    return pd.DataFrame(columns, index=frame.index)[[*numeric, *categorical]]


def _preprocessor(spec: Mapping[str, Any], data: TrainingData) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, OrdinalEncoder, StandardScaler

    choice = spec.get("preprocessing", {})
    # Columns are chosen by position in feature_frame's order (numeric, then categorical: the
    # signature's order), not by name: KServe's and MLServer's sklearn runtimes hand the model
    # a plain array for V1 `instances` lists and V2 tensors, which has no names. Fitted on a
    # DataFrame, the pipeline still checks the names and their order of a DataFrame it gets.
    numeric = list(range(len(data.numeric)))
    categorical = list(range(len(data.numeric), len(data.numeric) + len(data.categorical)))
    parts: list[tuple[str, Any, list[int]]] = []
    if data.numeric:
        steps: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
        scaling = choice.get("numeric", "standard")
        if scaling == "standard":
            steps.append(("scale", StandardScaler()))
        elif scaling == "minmax":
            steps.append(("scale", MinMaxScaler()))
        parts.append(("numeric", Pipeline(steps), numeric))
    if data.categorical:
        if choice.get("categorical", "onehot") == "ordinal":
            encoder: Any = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        else:
            encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        parts.append(("categorical", encoder, categorical))
    return ColumnTransformer(parts, remainder="drop")


def search_scoring(metric: str, n_classes: int) -> str:
    if n_classes > 2 and metric in _MULTICLASS:
        return _MULTICLASS[metric]
    return _SCORERS[metric]


def fit(model: Resource, data: TrainingData) -> TrainedModel:
    """Split, then fit the pipeline (searching and calibrating when the spec asks)."""
    import numpy as np
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline

    view = ModelView(model)
    training = view.training
    split = view.split
    seed = view.seed
    classification = view.task == "classification"
    x = feature_frame(data.frame, data.numeric, data.categorical)
    y = data.frame[data.target]
    if y.isna().any():
        raise EngineError(f"the target column {data.target!r} has missing values")
    positions = np.arange(len(x))
    stratify = y if classification and split.get("stratify", True) else None
    try:
        train_pos, test_pos = train_test_split(
            positions, test_size=split.get("test_size", 0.2), random_state=seed, stratify=stratify
        )
    except ValueError as exc:
        raise EngineError(f"cannot split the data as the spec asks: {exc}") from None
    estimator_spec = view.estimator
    estimator = make_estimator(estimator_spec["class"], estimator_spec.get("params", {}), seed)
    pipeline = Pipeline([("preprocess", _preprocessor(training, data)), ("model", estimator)])
    x_train, y_train = x.iloc[train_pos], y.iloc[train_pos]
    n_classes = int(y.nunique()) if classification else 0
    best_params: dict[str, Any] = {}
    try:
        search = training.get("search")
        if search:
            check_params(estimator, estimator_spec["class"], list(search["space"]))
            with _blas_threads(len(x_train)):
                pipeline, best_params = _search(pipeline, search, seed, n_classes, x_train, y_train)
        calibration = training.get("calibration")
        if calibration and classification:
            from sklearn.calibration import CalibratedClassifierCV

            cv = int(search["cv"]) if search else 5
            final: Any = CalibratedClassifierCV(pipeline, method=calibration["method"], cv=cv)
        else:
            final = pipeline
        with _blas_threads(len(x_train)):
            final.fit(x_train, y_train)
    except ValueError as exc:
        raise EngineError(f"training {model.name} failed: {exc}") from None
    return TrainedModel(final, tuple(int(p) for p in sorted(test_pos)), best_params)


def _blas_threads(rows: int) -> Any:
    """One BLAS thread for small tables: thread start-up costs more than it saves there
    (measured 0.6 s against 1.5-2.5 s for the example classifier on a busy 2-core machine)."""
    import importlib
    from contextlib import nullcontext

    if rows >= SMALL_TABLE:
        return nullcontext()
    threadpoolctl = importlib.import_module("threadpoolctl")  # scikit-learn's own dependency
    return threadpoolctl.threadpool_limits(limits=1, user_api="blas")


def _search(
    pipeline: Any, search: dict[str, Any], seed: int, n_classes: int, x: Any, y: Any
) -> tuple[Any, dict[str, Any]]:
    """The unfitted pipeline with the best parameters the search found, and those parameters."""
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV, ParameterGrid, RandomizedSearchCV

    space = {f"model__{name}": values for name, values in sorted(search["space"].items())}
    scoring = search_scoring(search["scoring"], n_classes)
    cv = int(search.get("cv", 5))
    if search["strategy"] == "grid":
        searcher: Any = GridSearchCV(pipeline, space, scoring=scoring, cv=cv, refit=False)
    else:
        trials = min(int(search["max_trials"]), len(ParameterGrid(space)))
        searcher = RandomizedSearchCV(
            pipeline, space, n_iter=trials, scoring=scoring, cv=cv, random_state=seed, refit=False
        )
    searcher.fit(x, y)
    best = dict(searcher.best_params_)
    chosen = {name.removeprefix("model__"): value for name, value in sorted(best.items())}
    return clone(pipeline).set_params(**best), chosen
