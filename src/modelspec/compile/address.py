"""Addresses of resources as a value: `<kind lowercase>.<name>`, parsed and formatted in one place."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KIND_NAMES", "Address"]

# The kinds of modelspec/v1 by their address prefix (spec/kinds.py holds their models).
KIND_NAMES: dict[str, str] = {
    kind.lower(): kind
    for kind in ("DataContract", "Model", "Target", "Deployment", "Policy", "Waiver", "Approval")
}


@dataclass(frozen=True, slots=True)
class Address:
    """Where a resource lives in the graph and in state; its text form is `str(address)`.

    prefix is the kind as the text spells it (lowercase for a well-formed
    address), name everything after the first dot: parse and str round-trip
    exactly, also for an address a user mistyped.
    """

    prefix: str
    name: str

    @classmethod
    def of(cls, kind: str, name: str) -> Address:
        """Address.of("DataContract", "churn") is datacontract.churn."""
        return cls(kind.lower(), name)

    @classmethod
    def parse(cls, text: str) -> Address:
        """`model.churn` -> prefix model, name churn; text without a dot has an empty name."""
        prefix, _, name = text.partition(".")
        return cls(prefix, name)

    @property
    def kind(self) -> str | None:
        """The kind's name ("DataContract"), or None when the prefix names no kind."""
        return KIND_NAMES.get(self.prefix)

    def __str__(self) -> str:
        return f"{self.prefix}.{self.name}"
