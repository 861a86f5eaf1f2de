"""The Deployment kind: a model served on a target, online or in batch."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from modelspec.spec.common import (
    API_VERSION,
    Gate,
    Metadata,
    MetricName,
    Name,
    SpecModel,
    inconsistent,
    shown,
)
from modelspec.spec.cron import cron_problem

__all__ = [
    "Autoscaling",
    "Deployment",
    "DeploymentSpec",
    "Drift",
    "Monitoring",
    "PerformanceGate",
    "Replicas",
    "Resources",
    "Rollout",
]


def _check_cron(value: str) -> str:
    problem = cron_problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "ms_invalid_cron",
            "'{value}' is not a cron schedule: {problem}; write 5 fields such as '0 3 * * *' "
            "(03:00 daily) or a macro such as @daily",
            {
                "value": shown(value),
                "problem": problem,
                "hint": "write 5 fields such as '0 3 * * *' or @daily",
            },
        )
    return value


Cron = Annotated[
    str,
    AfterValidator(_check_cron),
    WithJsonSchema({"type": "string", "minLength": 1, "examples": ["0 3 * * *", "@daily"]}),
]
CpuQuantity = Annotated[str, StringConstraints(pattern=r"^([0-9]+m|[0-9]+(\.[0-9]+)?)$")]
MemoryQuantity = Annotated[
    str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
]


class Replicas(SpecModel):
    """How many serving replicas run."""

    min: int = Field(
        1, ge=0, description="Fewest replicas (0 lets the platform scale to zero). Default 1."
    )
    max: int = Field(1, ge=1, description="Most replicas; at least min. Default 1.")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min > self.max:
            raise inconsistent(
                f"min ({self.min}) is greater than max ({self.max}): raise max or lower min", "min"
            )
        return self


class Autoscaling(SpecModel):
    """What the platform scales replicas on."""

    metric: Literal["rps", "concurrency", "cpu"] = Field(description="The scaling signal.")
    target: float = Field(gt=0, description="Target value of the signal per replica.")


class Resources(SpecModel):
    """Compute requested per replica (Kubernetes quantity syntax)."""

    cpu: CpuQuantity | None = Field(None, description="CPU, e.g. 500m or 2.")
    memory: MemoryQuantity | None = Field(None, description="Memory, e.g. 512Mi or 1Gi.")


class Rollout(SpecModel):
    """How a new model version reaches traffic."""

    strategy: Literal["direct", "canary", "shadow"] = Field(
        "direct",
        description="direct replaces, canary splits traffic, shadow mirrors it. Default direct.",
    )
    canary_percent: int | None = Field(
        None,
        ge=0,
        le=100,
        description="Share of traffic for the new version, 1-100; required for canary, "
        "forbidden otherwise.",
    )

    @model_validator(mode="after")
    def _canary(self) -> Self:
        if self.strategy == "canary":
            if self.canary_percent is None:
                raise inconsistent(
                    "a canary rollout needs canary_percent: add the share of traffic (1-100) "
                    "the new version gets",
                    "canary_percent",
                )
            if self.canary_percent < 1:
                raise inconsistent(
                    "canary_percent must be between 1 and 100 for a canary rollout: "
                    "give the new version some traffic",
                    "canary_percent",
                )
        elif self.canary_percent is not None:
            raise inconsistent(
                f"canary_percent only applies to strategy canary, and this rollout is "
                f"{self.strategy}: remove canary_percent or set strategy: canary",
                "canary_percent",
            )
        return self


class Drift(SpecModel):
    """Input drift detection."""

    method: Literal["psi", "ks", "jensenshannon", "wasserstein"] = Field(
        description="Drift statistic computed per feature."
    )
    threshold: float = Field(gt=0, description="A feature drifts when its statistic exceeds this.")


class PerformanceGate(Gate):
    """A live performance gate."""

    metric: MetricName = Field(description="Metric computed on labelled live data.")

    @model_validator(mode="after")
    def _gate(self) -> Self:
        self.check_bounds(self.metric, "to hold")
        return self


class Monitoring(SpecModel):
    """What is watched once the model serves, and what a breach does."""

    drift: Drift | None = Field(None, description="Input drift detection.")
    performance: PerformanceGate | None = Field(None, description="Live performance gate.")
    latency_p95_ms: float | None = Field(
        None, gt=0, description="Highest acceptable 95th percentile latency, in milliseconds."
    )
    error_rate_max: float | None = Field(
        None, ge=0, le=1, description="Highest acceptable share of failed requests, 0-1."
    )
    on_breach: Literal["alert", "retrain", "rollback"] = Field(
        "alert",
        description="What a breach triggers; retrain marks the model for retraining. Default alert.",
    )


class DeploymentSpec(SpecModel):
    """A model served on a target."""

    model: Name = Field(description="Name of the Model to serve.")
    target: Name = Field(description="Name of the Target to serve it on.")
    mode: Literal["online", "batch"] = Field(
        "online", description="online serves requests; batch scores on a schedule. Default online."
    )
    schedule: Cron | None = Field(
        None,
        description="Cron schedule (5 fields or @hourly, @daily, ...); required for batch, "
        "forbidden for online.",
    )
    replicas: Replicas = Field(
        default_factory=Replicas, description="Replica bounds. Default min 1, max 1."
    )
    autoscaling: Autoscaling | None = Field(
        None, description="Autoscaling signal; online deployments only."
    )
    resources: Resources | None = Field(None, description="Compute requested per replica.")
    rollout: Rollout = Field(
        default_factory=Rollout,
        description="Rollout strategy; batch deployments use direct. Default direct.",
    )
    monitoring: Monitoring | None = Field(
        None, description="Monitoring thresholds and breach action."
    )

    @model_validator(mode="after")
    def _mode(self) -> Self:
        if self.mode == "batch":
            if self.schedule is None:
                raise inconsistent(
                    "a batch deployment needs a schedule: add schedule, e.g. '0 3 * * *' or @daily",
                    "schedule",
                )
            if self.autoscaling is not None:
                raise inconsistent(
                    "autoscaling applies to online deployments only: remove autoscaling "
                    "or set mode: online",
                    "autoscaling",
                )
            if self.rollout.strategy != "direct":
                raise inconsistent(
                    f"a {self.rollout.strategy} rollout splits live traffic and needs mode online: "
                    "use strategy direct for batch",
                    "rollout.strategy",
                )
        elif self.schedule is not None:
            raise inconsistent(
                "an online deployment serves requests and takes no schedule: remove schedule "
                "or set mode: batch",
                "schedule",
            )
        return self


class Deployment(SpecModel):
    """A Deployment document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["Deployment"] = Field(description="Always Deployment.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: DeploymentSpec = Field(description="The deployment.")
