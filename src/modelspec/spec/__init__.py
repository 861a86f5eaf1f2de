"""The spec language modelspec/v1: one pydantic model per kind, and the JSON Schema export."""

from modelspec.spec.common import API_VERSION, ERROR_TYPES, Metadata
from modelspec.spec.conditions import Condition
from modelspec.spec.datacontract import DataContract, DataContractSpec
from modelspec.spec.deployment import Deployment, DeploymentSpec
from modelspec.spec.governance import (
    Approval,
    ApprovalSpec,
    Policy,
    PolicySpec,
    Rule,
    Waiver,
    WaiverSpec,
)
from modelspec.spec.kinds import KINDS
from modelspec.spec.model import Model, ModelSpec
from modelspec.spec.target import Target, TargetSpec

__all__ = [
    "API_VERSION",
    "ERROR_TYPES",
    "KINDS",
    "Approval",
    "ApprovalSpec",
    "Condition",
    "DataContract",
    "DataContractSpec",
    "Deployment",
    "DeploymentSpec",
    "Metadata",
    "Model",
    "ModelSpec",
    "Policy",
    "PolicySpec",
    "Rule",
    "Target",
    "TargetSpec",
    "Waiver",
    "WaiverSpec",
]
