"""The Target kind: a place models are served from."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from modelspec.spec.common import API_VERSION, Metadata, Name, SpecModel, inconsistent

__all__ = ["Target", "TargetSpec"]


class TargetSpec(SpecModel):
    """A serving platform and namespace."""

    platform: Literal["local", "kubernetes", "kserve"] = Field(
        description="Where deployments to this target run."
    )
    namespace: Name | None = Field(
        None,
        description="Kubernetes namespace (DNS-1123 label); required for kubernetes and kserve.",
    )
    protected: bool = Field(
        False, description="Marks a target policies can single out (production). Default false."
    )
    promotion_from: Name | None = Field(
        None,
        description="Name of another target (not this one): only model versions already "
        "applied to a deployment there may be deployed here.",
    )

    @model_validator(mode="after")
    def _namespace(self) -> Self:
        if self.platform != "local" and self.namespace is None:
            raise inconsistent(
                f"a {self.platform} target needs a namespace: add namespace (for example ml-prod)",
                "namespace",
            )
        return self


class Target(SpecModel):
    """A Target document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["Target"] = Field(description="Always Target.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: TargetSpec = Field(description="The target.")

    @model_validator(mode="after")
    def _not_from_itself(self) -> Self:
        if self.spec.promotion_from == self.metadata.name:
            raise inconsistent(
                "a target cannot promote from itself: name another target in promotion_from "
                "or remove it",
                "spec.promotion_from",
            )
        return self
