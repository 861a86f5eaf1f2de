"""Typed read-only views of compiled resources: what callers read, by name, without copying specs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelspec.compile.graph import Graph, Resource
from modelspec.compile.roles import Role
from modelspec.files import Contained
from modelspec.paths import resolve_inside

__all__ = ["ContractView", "DeploymentView", "ModelView", "Refs", "TargetView"]

_EMPTY: Mapping[str, Any] = {}


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return value if isinstance(value, Mapping) else _EMPTY


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class _View:
    """A resource seen as its kind; every property reads the normalized spec when asked."""

    resource: Resource

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def digest(self) -> str:
        return self.resource.digest

    @property
    def spec(self) -> dict[str, Any]:
        return self.resource.spec


class ModelView(_View):
    """A Model: version, task, its data (contract, features, target column), training, gates, card."""

    __slots__ = ()

    @property
    def version(self) -> str | None:
        return _str(self.spec.get("version"))

    @property
    def task(self) -> str | None:
        return _str(self.spec.get("task"))

    @property
    def data(self) -> Mapping[str, Any]:
        return _section(self.spec, "data")

    @property
    def contract_name(self) -> str | None:
        return _str(self.data.get("contract"))

    @property
    def features(self) -> Sequence[str]:
        return _list(self.data.get("features"))

    @property
    def target_column(self) -> str | None:
        return _str(self.data.get("target"))

    @property
    def training(self) -> Mapping[str, Any]:
        return _section(self.spec, "training")

    @property
    def estimator(self) -> Mapping[str, Any]:
        return _section(self.training, "estimator")

    @property
    def estimator_class(self) -> str | None:
        return _str(self.estimator.get("class"))

    @property
    def split(self) -> Mapping[str, Any]:
        return _section(self.training, "split")

    @property
    def seed(self) -> int:
        """The split's seed (default 0): it seeds the estimator and the drift summary too."""
        return int(self.split.get("seed", 0))

    @property
    def gates(self) -> Sequence[Mapping[str, Any]]:
        """spec.evaluation.metrics: the metric gates a trained model must pass."""
        return _list(_section(self.spec, "evaluation").get("metrics"))

    @property
    def card(self) -> Mapping[str, Any]:
        return _section(self.spec, "card")

    @property
    def risk(self) -> Mapping[str, Any]:
        """spec.risk: the tier, personal data and the risks with their mitigations."""
        return _section(self.spec, "risk")


class ContractView(_View):
    """A DataContract: version, source, columns."""

    __slots__ = ()

    @property
    def version(self) -> str:
        """Its SemVer; empty when the spec gives none."""
        version = self.spec.get("version")
        return "" if version is None else str(version)

    @property
    def source(self) -> Mapping[str, Any]:
        return _section(self.spec, "source")

    @property
    def source_path(self) -> str | None:
        return _str(self.source.get("path"))

    def source_file(self, root: Path, contained: Contained | None = None) -> Path | None:
        """The source file, inside the project; None for a uri source.

        Raises PathRefused when spec.source.path leads outside the project
        (through `..`, an absolute path or a symlink). contained, kept over
        many contracts, answers for plain paths with one lstat per directory.
        """
        path = self.source_path
        if path is None:
            return None
        what = f"DataContract {self.name}: spec.source.path"
        if contained is not None and "\0" not in path and ".." not in path.split("/"):
            target = root / path
            if contained.directory(target.parent) and not target.is_symlink():
                return target
        return resolve_inside(root, path, what)

    @property
    def source_uri(self) -> str | None:
        return _str(self.source.get("uri"))

    @property
    def source_format(self) -> str:
        """The source's file format; csv when the spec gives none."""
        return str(self.source.get("format", "csv"))

    @property
    def columns(self) -> Sequence[Mapping[str, Any]]:
        return _list(self.spec.get("columns"))

    @property
    def column_names(self) -> list[str]:
        return [c["name"] for c in self.columns]

    @property
    def strict(self) -> bool:
        """The data may hold no columns but the contract's."""
        return bool(self.spec.get("strict"))

    @property
    def column_types(self) -> dict[str, str]:
        """Column name -> type (string, integer, float, boolean, ...)."""
        return {c["name"]: c["type"] for c in self.columns}


class TargetView(_View):
    """A Target: platform, namespace, protection and the target it is promoted from."""

    __slots__ = ()

    @property
    def platform(self) -> str:
        platform = self.spec.get("platform")
        return platform if isinstance(platform, str) else "local"

    @property
    def namespace(self) -> str | None:
        return _str(self.spec.get("namespace")) or None

    @property
    def protected(self) -> bool:
        return bool(self.spec.get("protected"))

    @property
    def promotion_from(self) -> str | None:
        return _str(self.spec.get("promotion_from")) or None


class DeploymentView(_View):
    """A Deployment: the model and target it names, its mode and monitoring."""

    __slots__ = ()

    @property
    def model_name(self) -> str:
        return str(self.spec.get("model"))

    @property
    def target(self) -> str:
        """The name of the target it serves on (its alias in the registry)."""
        return str(self.spec.get("target"))

    @property
    def mode(self) -> str:
        mode = self.spec.get("mode")
        return mode if isinstance(mode, str) else "online"

    @property
    def monitoring(self) -> Mapping[str, Any]:
        """spec.monitoring; empty when the deployment is not monitored."""
        return _section(self.spec, "monitoring")


@dataclass(frozen=True, slots=True)
class Refs:
    """The resources one resource references (Graph.refs), by role, as typed views."""

    by_role: Mapping[str, Resource]

    @classmethod
    def of(cls, graph: Graph, resource: Resource) -> Refs:
        return cls(graph.refs(resource))

    def get(self, role: Role) -> Resource | None:
        return self.by_role.get(role)

    @property
    def model(self) -> ModelView | None:
        model = self.by_role.get(Role.MODEL)
        return None if model is None else ModelView(model)

    @property
    def contract(self) -> ContractView | None:
        contract = self.by_role.get(Role.CONTRACT)
        return None if contract is None else ContractView(contract)

    @property
    def target(self) -> TargetView | None:
        target = self.by_role.get(Role.TARGET)
        return None if target is None else TargetView(target)
