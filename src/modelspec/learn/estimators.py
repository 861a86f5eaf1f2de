"""Estimator construction from the allow-list only: a spec string reaches importlib only when allowed."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Any

from modelspec.errors import EngineError

__all__ = ["estimator_class", "make_estimator"]


def estimator_class(path: str) -> type[Any]:
    """The class at an allow-listed dotted path; anything else is refused before any import."""
    from modelspec.spec.estimators import ALLOWED

    if path not in ALLOWED:
        raise EngineError(
            f"estimator {path!r} is not on the allow-list; "
            "use one of the classes listed by `modelspec schema` (spec/estimators.py)"
        )
    allowed = ALLOWED[path]
    module_name, _, class_name = allowed.path.rpartition(".")
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise EngineError(f"estimator {path!r} is allow-listed but not found in {module_name}")
    return cls


def make_estimator(path: str, params: Mapping[str, Any], seed: int) -> Any:
    """An estimator instance with params as keyword arguments.

    random_state defaults to the split seed where the class takes one and the
    spec did not set it, so the same spec and data give the same model.
    """
    cls = estimator_class(path)
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self"}
    unknown = sorted(set(params) - accepted)
    if unknown:
        raise EngineError(
            f"{path} takes no parameter {', '.join(unknown)}; "
            f"its parameters are: {', '.join(sorted(accepted))}"
        )
    kwargs = dict(params)
    if "random_state" in accepted and kwargs.get("random_state") is None:
        kwargs["random_state"] = seed
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"{path} rejected its parameters: {exc}") from None


def check_params(estimator: Any, path: str, names: list[str]) -> None:
    """Search-space names must be parameters of the estimator."""
    accepted = set(estimator.get_params(deep=False))
    unknown = sorted(set(names) - accepted)
    if unknown:
        raise EngineError(
            f"the search space names {', '.join(unknown)}, which {path} does not take"
        )
