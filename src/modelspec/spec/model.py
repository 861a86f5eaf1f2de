"""The Model kind: what a model is trained on, how, how it is judged, and its card."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from modelspec.spec.common import (
    API_VERSION,
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    DottedPath,
    Gate,
    Metadata,
    MetricName,
    Name,
    NonEmptyStr,
    Scalar,
    SemVer,
    SpecModel,
    inconsistent,
    unique,
)

__all__ = [
    "Calibration",
    "Card",
    "DataRef",
    "EstimatorSpec",
    "EthicalConsideration",
    "Evaluation",
    "Metric",
    "Model",
    "ModelSpec",
    "Preprocessing",
    "Risk",
    "Search",
    "Split",
    "Training",
]

ParamValue = Scalar | list[Scalar] | None


class DataRef(SpecModel):
    """The data a model learns from."""

    contract: Name = Field(description="Name of the DataContract the data comes from.")
    target: NonEmptyStr = Field(description="The column to predict: a column of that contract.")
    features: list[NonEmptyStr] = Field(
        min_length=1,
        description="Input columns, unique, each a column of that contract and not the target.",
    )

    @model_validator(mode="after")
    def _features(self) -> Self:
        twice = unique(self.features)
        if twice is not None:
            raise inconsistent(
                f"feature '{twice}' is listed twice: list each feature once", "features"
            )
        if self.target in self.features:
            raise inconsistent(
                f"the target '{self.target}' is also a feature: remove it from features",
                "features",
            )
        return self


class EstimatorSpec(SpecModel):
    """The estimator class and its parameters."""

    class_: DottedPath = Field(
        alias="class",
        description="Full dotted path of the estimator class, e.g. "
        "sklearn.ensemble.RandomForestClassifier; must be on the estimator allow-list.",
    )
    params: dict[str, ParamValue] = Field(
        default_factory=dict,
        description="Constructor parameters: JSON scalars, null, or lists of scalars.",
    )


class Preprocessing(SpecModel):
    """How features are transformed before the estimator."""

    numeric: Literal["standard", "minmax", "none"] = Field(
        "standard", description="Scaling of numeric features. Default standard."
    )
    categorical: Literal["onehot", "ordinal"] = Field(
        "onehot",
        description="Encoding of categorical (string and boolean) features. Default onehot.",
    )


class Split(SpecModel):
    """The train/test split."""

    test_size: float = Field(
        0.2, gt=0, lt=1, description="Fraction of rows held out for evaluation. Default 0.2."
    )
    seed: int = Field(0, ge=0, description="Random seed of the split. Default 0.")
    stratify: bool = Field(
        True,
        description="Keep class proportions in both parts (classification only; "
        "ignored for regression). Default true.",
    )


class Search(SpecModel):
    """Hyperparameter search with cross-validation."""

    strategy: Literal["grid", "random"] = Field(
        description="grid tries every combination; random samples max_trials of them."
    )
    space: dict[str, list[Scalar]] = Field(
        min_length=1, description="Estimator parameter -> candidate values (a non-empty list)."
    )
    cv: int = Field(5, ge=2, description="Number of cross-validation folds. Default 5.")
    scoring: MetricName = Field(
        description="Metric the search maximizes (or minimizes for losses)."
    )
    max_trials: int | None = Field(
        None,
        ge=1,
        description="Number of sampled candidates: required for random, forbidden for grid.",
    )

    @model_validator(mode="after")
    def _trials(self) -> Self:
        for key, values in self.space.items():
            if not values:
                raise inconsistent(
                    f"the search space for '{key}' is empty: list at least one value",
                    f"space.{key}",
                )
        if self.strategy == "random" and self.max_trials is None:
            raise inconsistent(
                "random search needs max_trials: add max_trials (the number of candidates to try)",
                "max_trials",
            )
        if self.strategy == "grid" and self.max_trials is not None:
            raise inconsistent(
                "grid search tries every combination and takes no max_trials: "
                "remove max_trials or use strategy random",
                "max_trials",
            )
        return self


class Calibration(SpecModel):
    """Probability calibration (classification only)."""

    method: Literal["sigmoid", "isotonic"] = Field(description="Calibration method.")


class Training(SpecModel):
    """How the model is trained."""

    estimator: EstimatorSpec = Field(description="The estimator class and its parameters.")
    preprocessing: Preprocessing = Field(
        default_factory=Preprocessing,
        description="Feature preprocessing. Default numeric standard, categorical onehot.",
    )
    split: Split = Field(
        default_factory=Split,
        description="Train/test split. Default test_size 0.2, seed 0, stratify true.",
    )
    search: Search | None = Field(None, description="Optional hyperparameter search.")
    calibration: Calibration | None = Field(
        None, description="Optional probability calibration (classification only)."
    )


class Metric(Gate):
    """A metric gate: the model must reach min and/or stay under max."""

    name: MetricName = Field(description="Metric name; must suit the model's task.")

    @model_validator(mode="after")
    def _gate(self) -> Self:
        self.check_bounds(self.name, "the model must meet")
        return self


class Evaluation(SpecModel):
    """Gates a trained model must pass on the held-out data."""

    metrics: list[Metric] = Field(
        default_factory=list, description="Metric gates, each name at most once. Default none."
    )

    @model_validator(mode="after")
    def _unique(self) -> Self:
        names = [m.name for m in self.metrics]
        twice = unique(names)
        if twice is not None:
            raise inconsistent(
                f"metric '{twice}' is listed twice: merge its min and max into one entry", "metrics"
            )
        return self


class Risk(SpecModel):
    """The model's risk classification."""

    tier: Literal["minimal", "limited", "high", "unacceptable"] = Field(
        "minimal", description="Risk tier (EU AI Act style). Default minimal."
    )
    personal_data: bool = Field(
        False, description="The model processes personal data. Default false."
    )


class EthicalConsideration(SpecModel):
    """A risk and how it is mitigated."""

    name: NonEmptyStr = Field(description="The risk, e.g. proxy discrimination.")
    mitigation: NonEmptyStr = Field(description="What is done about it.")


class Card(SpecModel):
    """The model card."""

    intended_use: NonEmptyStr | None = Field(None, description="What the model is for.")
    out_of_scope: NonEmptyStr | None = Field(None, description="Uses the model is not fit for.")
    limitations: list[NonEmptyStr] = Field(default_factory=list, description="Known limitations.")
    ethical_considerations: list[EthicalConsideration] = Field(
        default_factory=list, description="Risks and their mitigations."
    )
    human_oversight: NonEmptyStr | None = Field(
        None, description="How a person can oversee and override the model."
    )
    license: NonEmptyStr | None = Field(None, description="License of the model, e.g. Apache-2.0.")


class ModelSpec(SpecModel):
    """A trained model: data, training, evaluation, risk and card."""

    version: SemVer = Field(
        description="Semantic version; must change whenever what the model is trained from changes."
    )
    task: Literal["classification", "regression"] = Field(description="The learning task.")
    data: DataRef = Field(description="The data the model learns from.")
    training: Training = Field(description="How the model is trained.")
    evaluation: Evaluation = Field(
        default_factory=Evaluation, description="Metric gates. Default none."
    )
    risk: Risk = Field(
        default_factory=Risk,
        description="Risk classification. Default tier minimal, no personal data.",
    )
    card: Card = Field(default_factory=Card, description="The model card. Default empty.")

    @model_validator(mode="after")
    def _task(self) -> Self:
        fitting = CLASSIFICATION_METRICS if self.task == "classification" else REGRESSION_METRICS
        for i, metric in enumerate(self.evaluation.metrics):
            if metric.name not in fitting:
                raise inconsistent(
                    f"{metric.name} is not a {self.task} metric: use one of {', '.join(sorted(fitting))}",
                    f"evaluation.metrics.{i}.name",
                )
        search = self.training.search
        if search is not None and search.scoring not in fitting:
            raise inconsistent(
                f"{search.scoring} is not a {self.task} metric: score the search with one of "
                f"{', '.join(sorted(fitting))}",
                "training.search.scoring",
            )
        if self.task == "regression" and self.training.calibration is not None:
            raise inconsistent(
                "calibration applies to classification only: remove training.calibration",
                "training.calibration",
            )
        return self


class Model(SpecModel):
    """A Model document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["Model"] = Field(description="Always Model.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: ModelSpec = Field(description="The model.")
