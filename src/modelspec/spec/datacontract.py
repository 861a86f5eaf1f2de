"""The DataContract kind: where a data set lives and what its columns must hold."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from modelspec.spec.common import (
    API_VERSION,
    Metadata,
    NonEmptyStr,
    Number,
    PortableRegex,
    Scalar,
    SemVer,
    SpecModel,
    inconsistent,
    unique,
)

__all__ = ["Column", "DataContract", "DataContractSpec", "Quality", "RowCount", "Source"]

ColumnType = Literal["string", "integer", "float", "boolean", "date", "datetime"]
Classification = Literal["public", "internal", "confidential", "pii"]


class Source(SpecModel):
    """Where the data is read from: exactly one of path and uri."""

    path: NonEmptyStr | None = Field(
        None, description="File path relative to the project root. Give path or uri, not both."
    )
    uri: NonEmptyStr | None = Field(
        None, description="URI of the data (s3://, gs://, https://...). Give path or uri, not both."
    )
    format: Literal["csv", "parquet", "json"] = Field(description="File format of the data.")

    @model_validator(mode="after")
    def _one_location(self) -> Self:
        if (self.path is None) == (self.uri is None):
            at = "path" if self.path is None else "uri"
            raise inconsistent(
                "a source needs exactly one of path and uri: keep the one that says where the data is",
                at,
            )
        return self


class Column(SpecModel):
    """One column and the constraints its values must meet."""

    name: NonEmptyStr = Field(description="Column name as it appears in the data.")
    type: ColumnType = Field(description="Value type of the column.")
    description: str | None = Field(None, description="What the column holds.")
    required: bool = Field(False, description="Values must not be null. Default false.")
    unique: bool = Field(False, description="Values must not repeat. Default false.")
    min: Number | None = Field(
        None, description="Smallest allowed value (integer and float columns); at most max."
    )
    max: Number | None = Field(
        None, description="Largest allowed value (integer and float columns); at least min."
    )
    allowed: list[Scalar] | None = Field(
        None, min_length=1, description="The only values the column may hold."
    )
    pattern: PortableRegex | None = Field(
        None,
        description="RE2 regular expression every value must contain a match of (string "
        "columns; anchor it with ^ and $ to match the whole value).",
    )
    min_length: int | None = Field(
        None,
        ge=0,
        description="Shortest allowed string length (string columns); at most max_length.",
    )
    max_length: int | None = Field(
        None,
        ge=0,
        description="Longest allowed string length (string columns); at least min_length.",
    )
    classification: Classification | None = Field(
        None, description="Sensitivity of the column's values; policies can select on it."
    )

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        numeric = self.type in ("integer", "float")
        if not numeric:
            for key in ("min", "max"):
                if getattr(self, key) is not None:
                    raise inconsistent(
                        f"{key} applies to integer and float columns only, and this column is "
                        f"{self.type}: remove {key} or change the type",
                        key,
                    )
        if self.type != "string":
            for key in ("pattern", "min_length", "max_length"):
                if getattr(self, key) is not None:
                    raise inconsistent(
                        f"{key} applies to string columns only, and this column is {self.type}: "
                        f"remove {key} or change the type",
                        key,
                    )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise inconsistent(
                f"min ({self.min}) is greater than max ({self.max}): swap them or widen the range",
                "min",
            )
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise inconsistent(
                f"min_length ({self.min_length}) is greater than max_length ({self.max_length}): "
                "swap them or widen the range",
                "min_length",
            )
        return self


class RowCount(SpecModel):
    """Bounds on the number of rows."""

    min: int | None = Field(None, ge=0, description="Fewest rows the data may have.")
    max: int | None = Field(None, ge=0, description="Most rows the data may have.")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if self.min is None and self.max is None:
            raise inconsistent(
                "row_count needs min, max or both: add a bound or remove row_count", "min"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise inconsistent(
                f"min ({self.min}) is greater than max ({self.max}): swap them or widen the range",
                "min",
            )
        return self


class Quality(SpecModel):
    """Checks on the data set as a whole."""

    row_count: RowCount | None = Field(None, description="Bounds on the number of rows.")


class DataContractSpec(SpecModel):
    """A versioned description of a data set."""

    version: SemVer = Field(
        description="Semantic version of the contract; a breaking change needs a new major version."
    )
    source: Source = Field(description="Where the data is read from.")
    columns: list[Column] = Field(min_length=1, description="The columns, with unique names.")
    strict: bool = Field(
        False,
        description="When true, the data may not carry columns the contract does not list. Default false.",
    )
    quality: Quality | None = Field(None, description="Checks on the data set as a whole.")

    @model_validator(mode="after")
    def _unique_columns(self) -> Self:
        names = [c.name for c in self.columns]
        twice = unique(names)
        if twice is not None:
            index = len(names) - 1 - names[::-1].index(twice)
            raise inconsistent(
                f"column '{twice}' is listed twice: give each column a unique name",
                f"columns.{index}.name",
            )
        return self

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


class DataContract(SpecModel):
    """A DataContract document."""

    api_version: Literal["modelspec/v1"] = Field(
        alias="apiVersion", description=f"Always {API_VERSION}."
    )
    kind: Literal["DataContract"] = Field(description="Always DataContract.")
    metadata: Metadata = Field(description="Name, owner, description and labels.")
    spec: DataContractSpec = Field(description="The contract.")
