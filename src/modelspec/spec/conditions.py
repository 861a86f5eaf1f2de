"""Conditions: policy selectors and assertions written as data."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from modelspec.spec.common import NonEmptyStr, Number, Regex, Scalar, SpecModel, inconsistent

__all__ = ["COMBINATORS", "OPERATORS", "Condition"]

OPERATORS: tuple[str, ...] = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "exists",
    "gt",
    "gte",
    "lt",
    "lte",
    "matches",
    "contains",
)
COMBINATORS: tuple[str, ...] = ("all", "any", "not", "expr")

FieldPath = Annotated[
    str,
    StringConstraints(pattern=r"^(apiVersion|kind|metadata|spec|refs)(\.[A-Za-z0-9_-]+)*$"),
]
Ordered = Number | str


class Condition(SpecModel):
    """One test on a resource document.

    Exactly one form: `field` with exactly one operator, or exactly one of
    all, any, not and expr.
    """

    field: FieldPath | None = Field(
        None,
        description="Dotted path into the resource document (metadata..., spec...) or into the "
        "documents it references (refs.contract..., refs.model..., refs.target...).",
    )
    equals: Scalar | None = Field(None, description="The field equals this value.")
    not_equals: Scalar | None = Field(None, description="The field differs from this value.")
    in_: list[Scalar] | None = Field(
        None, alias="in", min_length=1, description="The field equals one of these values."
    )
    not_in: list[Scalar] | None = Field(
        None, min_length=1, description="The field equals none of these values."
    )
    exists: bool | None = Field(
        None, description="true: the field is present and not empty; false: it is absent."
    )
    gt: Ordered | None = Field(None, description="The field is greater than this.")
    gte: Ordered | None = Field(None, description="The field is greater than or equal to this.")
    lt: Ordered | None = Field(None, description="The field is less than this.")
    lte: Ordered | None = Field(None, description="The field is less than or equal to this.")
    matches: Regex | None = Field(
        None,
        description="The field (a string) contains a match of this RE2 regular expression "
        "(a search: anchor it with ^ and $ to match the whole value).",
    )
    contains: Scalar | None = Field(
        None, description="The field (a list or string) contains this value."
    )
    all_: list[Condition] | None = Field(
        None, alias="all", min_length=1, description="Every one of these conditions holds."
    )
    any_: list[Condition] | None = Field(
        None, alias="any", min_length=1, description="At least one of these conditions holds."
    )
    not_: Condition | None = Field(None, alias="not", description="This condition does not hold.")
    expr: NonEmptyStr | None = Field(
        None,
        description="A CEL expression over `resource` and `refs`, for what the other forms "
        "cannot say.",
    )

    def operator(self) -> str | None:
        """The operator of a field condition ("equals", "in", ...), None for other forms."""
        given = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        return given[0] if self.field is not None and len(given) == 1 else None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        operators = [op for op in OPERATORS if getattr(self, _attr(op)) is not None]
        combinators = [c for c in COMBINATORS if getattr(self, _attr(c)) is not None]
        if self.field is not None:
            if combinators:
                raise inconsistent(
                    f"a condition is either a field test or {combinators[0]}, not both: "
                    f"move the field test into an `all` list",
                    combinators[0],
                )
            if not operators:
                raise inconsistent(
                    f"the test on '{self.field}' has no operator: add one of "
                    f"{', '.join(OPERATORS)}",
                    "field",
                )
            if len(operators) > 1:
                raise inconsistent(
                    f"a field test takes exactly one operator, found {' and '.join(operators)}: "
                    "combine several tests with `all` or `any`",
                    operators[1],
                )
            return self
        if operators:
            raise inconsistent(
                f"{operators[0]} needs a field to test: add `field: <path>`", operators[0]
            )
        if not combinators:
            raise inconsistent(
                "an empty condition: write `field` with an operator, or one of all, any, not, expr",
                "field",
            )
        if len(combinators) > 1:
            raise inconsistent(
                f"a condition takes one of all, any, not and expr, found "
                f"{' and '.join(combinators)}: nest one inside the other",
                combinators[1],
            )
        return self


def _attr(key: str) -> str:
    return key + "_" if key in ("in", "all", "any", "not") else key
