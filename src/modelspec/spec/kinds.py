"""The kinds of modelspec/v1 by name."""

from __future__ import annotations

from pydantic import BaseModel

from modelspec.spec.datacontract import DataContract
from modelspec.spec.deployment import Deployment
from modelspec.spec.governance import Approval, Policy, Waiver
from modelspec.spec.model import Model
from modelspec.spec.target import Target

__all__ = ["KINDS"]

KINDS: dict[str, type[BaseModel]] = {
    "DataContract": DataContract,
    "Model": Model,
    "Target": Target,
    "Deployment": Deployment,
    "Policy": Policy,
    "Waiver": Waiver,
    "Approval": Approval,
}
