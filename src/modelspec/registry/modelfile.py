"""The model file modelspec loads itself: skops, holding only the types an allow-listed pipeline needs.

A pickle runs whatever code its bytes name while it is read, so modelspec
never unpickles one: `model.joblib` is written only for runtimes that demand
it (KServe's sklearn server). What `serve`, `monitor`, `run-step score` and
the evaluate step load is `model.skops`, which skops rebuilds from data,
importing only types it is told to trust. Every type a model file names must
be on TRUSTED_TYPES: the allow-listed estimators (spec/estimators.py, as
learn/estimators.py imports them), the pipeline pieces learn/train.py puts
around them, what those hold once fitted, and plain numpy and Python values.
Nothing outside it is imported, whatever the file says.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from typing import Any

from modelspec import jsonio
from modelspec.errors import EngineError

__all__ = ["MAX_MODEL_BYTES", "SKOPS_FILE", "dump_model", "load_model", "trusted_types"]

SKOPS_FILE = "model.skops"
MAX_MODEL_BYTES = 1 << 30  # a model file (and everything its archive unpacks to) up to 1 GiB
_MAX_SCHEMA_BYTES = 64 << 20

# What learn/train.py builds around the estimator (public paths; resolved where they are defined).
_PIPELINE = (
    "sklearn.pipeline.Pipeline",
    "sklearn.compose.ColumnTransformer",
    "sklearn.impute.SimpleImputer",
    "sklearn.preprocessing.StandardScaler",
    "sklearn.preprocessing.MinMaxScaler",
    "sklearn.preprocessing.OneHotEncoder",
    "sklearn.preprocessing.OrdinalEncoder",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.isotonic.IsotonicRegression",
)

# What fitted allow-listed estimators hold, named where scikit-learn defines them. Some are
# not trusted by skops' defaults: trees, neighbour indexes and distance metrics are data
# structures whose arrays scikit-learn indexes without bounds checks, so a crafted file could
# crash the process (never run code of its choosing). modelspec loads only a file whose sha256
# state recorded when apply wrote it (registry/verify.py), so it trusts them.
_FITTED = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.tree._tree.Tree",
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.dummy.DummyClassifier",  # GradientBoosting's initial estimator
    "sklearn.dummy.DummyRegressor",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.preprocessing._label.LabelEncoder",
    *(
        f"sklearn.metrics._dist_metrics.{name}Distance64"
        for name in (
            "BrayCurtis", "Canberra", "Chebyshev", "Dice", "Euclidean", "Hamming", "Haversine",
            "Jaccard", "Kulsinski", "Mahalanobis", "Manhattan", "Matching", "Minkowski",
            "RogersTanimoto", "RussellRao", "SEuclidean", "SokalMichener", "SokalSneath",
        )
    ),  # PyFuncDistance64, which calls a Python function, is left out
    *(
        f"sklearn._loss.loss.{name}"
        for name in (
            "AbsoluteError", "ExponentialLoss", "HalfBinomialLoss", "HalfGammaLoss",
            "HalfMultinomialLoss", "HalfPoissonLoss", "HalfSquaredError", "HalfTweedieLoss",
            "HalfTweedieLossIdentity", "HuberLoss", "PinballLoss",
        )
    ),
    *(
        f"sklearn._loss._loss.Cy{name}"
        for name in (
            "AbsoluteError", "ExponentialLoss", "HalfBinomialLoss", "HalfGammaLoss",
            "HalfMultinomialLoss", "HalfPoissonLoss", "HalfSquaredError", "HalfTweedieLoss",
            "HalfTweedieLossIdentity", "HuberLoss", "PinballLoss",
        )
    ),
    *(
        f"sklearn._loss.link.{name}"
        for name in (
            "HalfLogitLink", "IdentityLink", "Interval", "LogLink", "LogitLink", "MultinomialLogit",
        )
    ),
    *(
        f"sklearn.linear_model._sgd_fast.{name}"
        for name in (
            "EpsilonInsensitive", "Hinge", "Huber", "Log", "ModifiedHuber",
            "SquaredEpsilonInsensitive", "SquaredHinge", "SquaredLoss",
        )
    ),
)

_PLAIN = (
    *(f"builtins.{name}" for name in ("dict", "list", "tuple", "set", "str", "int", "float",
                                      "bool", "slice", "NoneType")),
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.random.mtrand.RandomState",
    "numpy.random._generator.Generator",
    *(f"numpy.random.{name}" for name in ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")),
)

# How skops rebuilds each node; a function, method or reduce node (which call code) is refused.
_LOADERS = frozenset(
    {
        "ObjectNode", "DictNode", "ListNode", "TupleNode", "SetNode", "JsonNode", "TypeNode",
        "SliceNode", "NdArrayNode", "DTypeNode", "RandomStateNode", "RandomGeneratorNode",
        "LossNode", "TreeNode", "CachedNode",
    }
)


@cache
def trusted_types() -> frozenset[str]:
    """Every type a model file may name, fully qualified where it is defined (imports sklearn)."""
    import importlib

    import numpy as np

    from modelspec.learn.estimators import estimator_class
    from modelspec.spec.estimators import ALLOWED

    classes = [estimator_class(path) for path in sorted(ALLOWED)]
    for path in _PIPELINE:
        module, _, name = path.rpartition(".")
        classes.append(getattr(importlib.import_module(module), name))
    names = {f"{cls.__module__}.{cls.__qualname__}" for cls in classes}
    scalars = {
        f"{t.__module__}.{t.__qualname__}" for t in set(np.sctypeDict.values()) if t is not None
    }
    return frozenset(names | scalars | set(_FITTED) | set(_PLAIN))


def dump_model(estimator: Any, what: str) -> bytes:
    """The skops bytes of a fitted estimator, checked to load back with the trusted types only.

    what names the model for the message ("model churn"): a model holding any other
    type is an EngineError at training, not a build that could never be served.
    """
    import skops.io

    data = canonical_skops(skops.io.dumps(estimator))
    untrusted = sorted(set(skops.io.get_untrusted_types(data=data)) - trusted_types())
    named = _named_types(data, what)
    if untrusted or named:
        raise EngineError(
            f"{what}: the trained model holds types modelspec does not load "
            f"({', '.join(sorted(set(untrusted) | set(named)))}); use an allow-listed estimator"
        )
    return data


def canonical_skops(data: bytes) -> bytes:
    """The same skops archive, byte-reproducible: the same model gives the same bytes.

    skops names objects (`__id__`) and array entries (`<id>.npy`) by memory address and
    stamps the archive with the time. Both are renumbered in order of first appearance in
    schema.json (one numbering, so a shared reference stays shared) and every entry gets
    the zip epoch, so a build's digests, which its manifests carry, are reproducible.
    """
    schema = jsonio.loads(_member(data, "schema.json"))
    numbers: dict[str, int] = {}

    def number(value: object) -> int:
        return numbers.setdefault(str(value), len(numbers) + 1)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int) and not isinstance(value, bool):
                    out[key] = number(value)
                elif key == "file" and isinstance(value, str) and value.endswith(".npy"):
                    out[key] = f"{number(value.removesuffix('.npy'))}.npy"
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    renamed = walk(schema)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        entries = {"schema.json": jsonio.dumps(renamed, indent=2).encode()}
        for info in source.infolist():
            if info.filename != "schema.json":
                stem = info.filename.removesuffix(".npy")
                entries[f"{number(stem)}.npy"] = source.read(info)
        for name in sorted(entries, key=lambda n: (n != "schema.json", len(n), n)):
            target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), entries[name])
    return buffer.getvalue()


def load_model(data: bytes, where: str) -> Any:
    """The estimator in skops bytes, rebuilt from trusted types only; EngineError otherwise.

    where names the file for the message. Call it only with bytes whose sha256 was
    checked against what state recorded: the types bound what loading can do, the
    digest says the bytes are the ones apply wrote.
    """
    refused = _named_types(data, where)
    if refused:
        raise EngineError(
            f"{where} names types modelspec does not load ({', '.join(refused)}); "
            "it was not written by modelspec and is not loaded"
        )
    import skops.io

    try:
        return skops.io.loads(data, trusted=sorted(trusted_types()))
    except Exception as exc:  # a damaged archive fails in zipfile, numpy or skops alike
        raise EngineError(
            f"{where} cannot be loaded ({type(exc).__name__}: {exc}); restore the build "
            "from a backup, or retrain the model with `modelspec apply`"
        ) from None


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def _named_types(data: bytes, where: str) -> list[str]:
    """The types and loaders the archive's schema names that are not trusted (sorted)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        if sum(entry.file_size for entry in entries) > MAX_MODEL_BYTES:
            raise ValueError(f"it unpacks to more than {MAX_MODEL_BYTES:,} bytes")
        schema = archive.getinfo("schema.json")
        if schema.file_size > _MAX_SCHEMA_BYTES:
            raise ValueError(f"its schema is over {_MAX_SCHEMA_BYTES:,} bytes")
        tree = jsonio.loads(archive.read(schema))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise EngineError(
            f"{where} is not a readable skops archive ({exc}); restore the build from a "
            "backup, or retrain the model with `modelspec apply`"
        ) from None
    trusted = trusted_types()
    refused: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            module, name = node.get("__module__"), node.get("__class__")
            if isinstance(module, str) and isinstance(name, str):
                if f"{module}.{name}" not in trusted:
                    refused.add(f"{module}.{name}")
                loader = node.get("__loader__")
                if loader not in _LOADERS:
                    refused.add(f"loader {loader}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(refused)
