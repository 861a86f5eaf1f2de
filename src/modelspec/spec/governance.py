"""The governance kinds: Policy, Waiver and Approval."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from modelspec.spec.common import (
    API_VERSION,
    Address,
    DateStr,
    Digest,
    KindName,
    Metadata,
    Name,
    NonEmptyStr,
    SpecModel,
    inconsistent,
    unique,
)
from modelspec.spec.conditions import Condition

__all__ = [
    "AppliesTo",
    "Approval",
    "ApprovalRequirement",
    "ApprovalSpec",
    "Policy",
    "PolicySpec",
    "Rule",
    "Waiver",
    "WaiverSpec",
]


class AppliesTo(SpecModel):
    """Which resources a policy judges."""

    kinds: list[KindName] = Field(
        min_length=1, description="Kinds the policy applies to, each once."
    )
    where: Condition | None = Field(
        None, description="Only resources meeting this condition; all of those kinds when left out."
    )

    @model_validator(mode="after")
    def _unique(self) -> Self:
        twice = unique(list(self.kinds))
        if twice is not None:
            raise inconsistent(f"kind {twice} is listed twice: list each kind once", "kinds")
        return self


class ApprovalRequirement(SpecModel):
    """A sign-off the resource needs."""

    role: NonEmptyStr = Field(
        description="Role that must approve the resource's current digest, e.g. compliance."
    )


class Rule(SpecModel):
    """One rule: an assertion, or a required approval."""

    id: Name = Field(description="Rule id, unique in the policy (DNS-1123 label); waivers name it.")
    message: str | None = Field(None, description="What to tell the user when the rule fails.")
    assert_: Condition | None = Field(
        None,
        alias="assert",
        description="The condition every selected resource must meet. "
        "Give exactly one of assert and require_approval.",
    )
    require_approval: ApprovalRequirement | None = Field(
        None,
        description="An Approval by this role must match the resource's digest. "
        "Give exactly one of assert and require_approval.",
    )

    @model_validator(mode="after")
    def _one_check(self) -> Self:
        if (self.assert_ is None) == (self.require_approval is None):
            at = "assert" if self.assert_ is None else "require_approval"
            raise inconsistent(
                f"rule '{self.id}' needs exactly one of assert and require_approval: "
                "split it into two rules or add the missing check",
                at,
            )
        return self


class PolicySpec(SpecModel):
    """A governance policy."""

    description: NonEmptyStr = Field(description="What the policy requires, in one sentence.")
    enforcement: Literal["advisory", "soft-mandatory", "hard-mandatory"] = Field(
        description="advisory warns; soft-mandatory blocks unless waived; hard-mandatory always blocks."
    )
    applies_to: AppliesTo = Field(description="Which resources the policy judges.")
    rules: list[Rule] = Field(min_length=1, description="The rules, with unique ids.")

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        ids = [r.id for r in self.rules]
        twice = unique(ids)
        if twice is not None:
            index = len(ids) - 1 - ids[::-1].index(twice)
            raise inconsistent(
                f"rule id '{twice}' is used twice: give each rule its own id", f"rules.{index}.id"
            )
        return self


class Policy(SpecModel):
    """A Policy document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["Policy"] = Field(description="Always Policy.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: PolicySpec = Field(description="The policy.")


class WaiverSpec(SpecModel):
    """Lifts a soft-mandatory or advisory rule for some resources until a date."""

    policy: Name = Field(description="Name of the Policy waived.")
    rule: Name | None = Field(
        None, description="Id of the rule waived; the whole policy when left out."
    )
    resources: list[Address] = Field(
        min_length=1, description="Addresses of the resources waived, e.g. deployment.fraud-prod."
    )
    justification: NonEmptyStr = Field(description="Why the rule does not apply for now.")
    approved_by: NonEmptyStr = Field(description="Who approved the waiver.")
    expires: DateStr = Field(
        description="Last day the waiver holds (YYYY-MM-DD); after it, it lifts nothing."
    )

    @model_validator(mode="after")
    def _unique(self) -> Self:
        twice = unique(list(self.resources))
        if twice is not None:
            raise inconsistent(f"{twice} is listed twice: list each resource once", "resources")
        return self


class Waiver(SpecModel):
    """A Waiver document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["Waiver"] = Field(description="Always Waiver.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: WaiverSpec = Field(description="The waiver.")


class ApprovalSpec(SpecModel):
    """A sign-off on one version of a resource."""

    subject: Address = Field(
        description="Address of the approved resource, e.g. model.churn-classifier."
    )
    digest: Digest = Field(
        description="The subject's spec digest when approved (sha256:<64 hex>); "
        "a different digest makes the approval stale."
    )
    role: NonEmptyStr = Field(description="Role the approver acts in, e.g. compliance.")
    approved_by: NonEmptyStr = Field(description="Who approved.")
    date: DateStr = Field(description="Day of the approval (YYYY-MM-DD).")


class Approval(SpecModel):
    """An Approval document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["Approval"] = Field(description="Always Approval.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: ApprovalSpec = Field(description="The approval.")
