"""The model a server answers with: a verified, loaded build, its input signature, and how it predicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from modelspec.errors import EngineError

if TYPE_CHECKING:
    from modelspec.registry.verify import VerifiedBuild

__all__ = ["Overflow", "ServedModel", "predict_frame", "served_model"]


class Overflow(Exception):
    """Feature values so far from the training data that the model's arithmetic overflows."""


@dataclass(frozen=True)
class ServedModel:
    """A verified, loaded build and the input signature it was trained with."""

    name: str  # the Model's name (the build's folder); the server may answer under another
    build: str
    estimator: Any
    signature: dict[str, Any]
    features: tuple[str, ...]  # signature order: how list instances and tensors are read
    numeric: tuple[str, ...]

    @property
    def categorical(self) -> tuple[str, ...]:
        return tuple(f for f in self.features if f not in self.numeric)

    @property
    def has_probabilities(self) -> bool:
        return hasattr(self.estimator, "predict_proba") and hasattr(self.estimator, "classes_")


def served_model(build: VerifiedBuild) -> ServedModel:
    """The model to serve from a build the registry verified (registry/verify.py): its signature
    checked, its estimator loaded from model.skops; a build without a usable signature is an
    EngineError."""
    where = f"registry build {build.model} {build.build} ({build.path})"
    signature = build.json("signature.json")
    inputs = signature.get("inputs") if isinstance(signature, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise EngineError(f"{where}: signature.json lists no inputs")
    if not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in inputs):
        raise EngineError(f"{where}: signature.json has an input without a name")
    return ServedModel(
        name=build.model,
        build=build.build,
        estimator=build.estimator(),
        signature=signature,
        features=tuple(i["name"] for i in inputs),
        numeric=tuple(i["name"] for i in inputs if i.get("kind") == "numeric"),
    )


def predict_frame(model: ServedModel, frame: Any, *, probabilities: bool) -> dict[str, Any]:
    """`predict` (and `predict_proba` when asked and the model has it) on a DataFrame holding
    the signature's features: numpy arrays, as the estimator returns them. Overflow when the
    values overflow the model's arithmetic (the client's to fix: a 400, not a server fault)."""
    import numpy as np

    from modelspec.learn.train import feature_frame

    x = feature_frame(frame, model.numeric, model.categorical)
    estimator = model.estimator
    answer: dict[str, Any] = {}
    with np.errstate(over="raise"):  # finite inputs overflow only far outside the training data
        try:
            answer["predict"] = np.asarray(estimator.predict(x))
            if probabilities and model.has_probabilities:
                answer["predict_proba"] = np.asarray(estimator.predict_proba(x))
        except FloatingPointError:
            raise Overflow(
                "the feature values overflow the model's arithmetic: "
                "keep them near the range the model was trained on"
            ) from None
    return answer
