"""Building blocks shared by every kind: the base model, names, versions, dates, metadata."""

from __future__ import annotations

import math
import re
import warnings
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

from modelspec import regex

__all__ = [
    "API_VERSION",
    "ERROR_TYPES",
    "KIND_NAMES",
    "Address",
    "DateStr",
    "Digest",
    "DottedPath",
    "Gate",
    "KindName",
    "Metadata",
    "MetricName",
    "Name",
    "NonEmptyStr",
    "Number",
    "PortableRegex",
    "Regex",
    "Scalar",
    "SemVer",
    "SpecModel",
    "inconsistent",
    "shown",
]

API_VERSION = "modelspec/v1"

KindName = Literal["DataContract", "Model", "Target", "Deployment", "Policy", "Waiver", "Approval"]
KIND_NAMES: tuple[str, ...] = (
    "DataContract",
    "Model",
    "Target",
    "Deployment",
    "Policy",
    "Waiver",
    "Approval",
)

MetricName = Literal[
    "accuracy",
    "precision",
    "recall",
    "f1",
    "roc_auc",
    "log_loss",
    "brier_score",
    "r2",
    "mae",
    "rmse",
    "mape",
]
CLASSIFICATION_METRICS = frozenset(
    {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "brier_score"}
)
REGRESSION_METRICS = frozenset({"r2", "mae", "rmse", "mape"})


# The error types the spec models raise besides pydantic's own, with what each means.
ERROR_TYPES: dict[str, str] = {
    "ms_invalid_name": "not a DNS-1123 label (lowercase letters, digits, '-', at most 63)",
    "ms_invalid_version": "not a semantic version (semver 2.0.0) without +build metadata",
    "ms_invalid_cron": "not a 5-field cron schedule or an @hourly/@daily/... macro",
    "ms_invalid_date": "matches YYYY-MM-DD but is not a calendar date",
    "ms_invalid_regex": "not a regular expression RE2 compiles (no backreferences, no lookaround)",
    "ms_inconsistent": "fields that contradict each other; ctx['at'] names the offending field",
}


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, types are strict, values frozen.

    Every pattern is anchored `^...$` and matches the whole value: pydantic runs
    `StringConstraints(pattern=...)` on Rust's regex crate, where `$` is the end of
    the text (never the place before a final newline, as in Python's re), and the
    checks written here use fullmatch (Python's re with ASCII classes for
    modelspec's own patterns, RE2 through modelspec.regex for users'). JSON Schema's
    ECMA-262 `$` means the same, so the schemas and the models agree.

    Numbers are finite: YAML's `.inf` and `.nan` are refused (leave a bound out
    to mean none), so no NaN reaches a comparison, a digest or a JSON file.
    """

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        populate_by_name=True,
        regex_engine="rust-regex",
        allow_inf_nan=False,
    )


def inconsistent(message: str, at: str) -> PydanticCustomError:
    """The error for a cross-field rule; `at` is the offending field relative to the model.

    The message reads "what is wrong: how to fix it"; the part after the first ": "
    is also given as ctx["hint"].
    """
    return PydanticCustomError("ms_inconsistent", message, {"at": at, "hint": _fix_of(message)})


class Gate(SpecModel):
    """Bounds a metric must stay within: min, max or both, min at most max."""

    min: float | None = Field(
        None, description="Lowest acceptable value; at most max. Give min, max or both."
    )
    max: float | None = Field(
        None, description="Highest acceptable value; at least min. Give min, max or both."
    )

    def check_bounds(self, metric: str, purpose: str) -> None:
        if self.min is None and self.max is None:
            raise inconsistent(
                f"the {metric} gate needs min, max or both: add the threshold {purpose}", "min"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise inconsistent(
                f"min ({self.min}) is greater than max ({self.max}): swap them or widen the range",
                "min",
            )


def _fix_of(message: str) -> str:
    return message.split(": ", 1)[1] if ": " in message else ""


def shown(value: str) -> str:
    """value for a message: control characters and line breaks escaped ('x\\n'), nothing else."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in value
    )


NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"


# modelspec's own patterns, linear by construction: Python's re with fullmatch (no `$` before a
# final newline) and ASCII classes, as RE2 reads them; RE2 is for the patterns users write.
_NAME = re.compile(NAME_PATTERN, re.ASCII)


def _check_name(value: str) -> str:
    if len(value) > 63 or not _NAME.fullmatch(value):
        raise PydanticCustomError(
            "ms_invalid_name",
            "'{value}' is not a valid name: use at most 63 lowercase letters, digits and '-', "
            "starting and ending with a letter or digit (for example 'churn-classifier')",
            {
                "value": shown(value),
                "hint": "use lowercase letters, digits and '-', e.g. churn-classifier",
            },
        )
    return value


Name = Annotated[
    str,
    AfterValidator(_check_name),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN, "minLength": 1, "maxLength": 63}),
]

# semver.org 2.0.0's recommended regular expression without its +build part: the registry
# names a model's builds `<version>+<N>`, so a version with build metadata would be one of them.
SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$"
)


_SEMVER = re.compile(SEMVER_PATTERN, re.ASCII)


def _check_semver(value: str) -> str:
    release, _, build = value.partition("+")
    if build and _SEMVER.fullmatch(release):
        raise PydanticCustomError(
            "ms_invalid_version",
            "'{value}' has build metadata (+{build}), which modelspec reserves for the builds "
            "it registers as <version>+<N>: write {release}, or a pre-release such as "
            "{release}-rc.1",
            {
                "value": shown(value),
                "build": build,
                "release": release,
                "hint": f"drop +{build}: write {release}",
            },
        )
    if not _SEMVER.fullmatch(value):
        raise PydanticCustomError(
            "ms_invalid_version",
            "'{value}' is not a semantic version: write MAJOR.MINOR.PATCH such as 1.4.0 "
            "(no leading zeros, no 'v' prefix; optional -prerelease such as 1.4.0-rc.1)",
            {"value": shown(value), "hint": "write MAJOR.MINOR.PATCH, e.g. 1.4.0"},
        )
    return value


SemVer = Annotated[
    str,
    AfterValidator(_check_semver),
    WithJsonSchema({"type": "string", "pattern": SEMVER_PATTERN}),
]

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _check_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "ms_invalid_date",
            "'{value}' is not a calendar date: write an existing day as YYYY-MM-DD, "
            "for example 2027-03-31",
            {"value": shown(value), "hint": "write an existing day as YYYY-MM-DD"},
        ) from None
    return value


DateStr = Annotated[
    str,
    StringConstraints(pattern=DATE_PATTERN),
    AfterValidator(_check_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


def _check_regex(value: str) -> str:
    problem = regex.problem(value)
    if problem is not None:
        raise PydanticCustomError(
            "ms_invalid_regex",
            "'{value}' {problem}",
            {"value": shown(value), "problem": problem, "hint": problem.rsplit(": ", 1)[-1]},
        )
    return value


Regex = Annotated[
    str,
    AfterValidator(_check_regex),
    WithJsonSchema({"type": "string", "format": "regex", "minLength": 1}),
]


_PORTABLE_HINT = (
    "write it in syntax both accept (for example $ for \\z, (?P<name>...) for (?<name>...))"
)


def _check_portable(value: str) -> str:
    """A pattern Python's re also compiles: the rendered Great Expectations suite runs it so."""
    try:
        with warnings.catch_warnings():  # "possible nested set" and the like: noise here
            warnings.simplefilter("ignore")
            re.compile(value)  # compiled only, never matched here
    except (re.error, RecursionError, OverflowError) as exc:
        reason = str(exc) if isinstance(exc, re.error) else "nested too deeply"
        raise PydanticCustomError(
            "ms_invalid_regex",
            "'{value}' is RE2 syntax that Python's re does not accept ({reason}), and the "
            "Great Expectations suite modelspec renders runs the pattern with Python's re: "
            "{hint}",
            {"value": shown(value), "reason": reason, "hint": _PORTABLE_HINT},
        ) from None
    return value


# A column's pattern: RE2 (what `data validate` matches with) that Python's re also compiles.
PortableRegex = Annotated[Regex, AfterValidator(_check_portable)]

NonEmptyStr = Annotated[str, StringConstraints(min_length=1)]

DottedPath = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
]

ADDRESS_PATTERN = (
    r"^(datacontract|model|target|deployment|policy|waiver|approval)\."
    r"[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
)
Address = Annotated[str, StringConstraints(pattern=ADDRESS_PATTERN, max_length=80)]

Digest = Annotated[str, StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$")]

def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError(
            "ms_not_finite",
            "{value} is not a finite number: specs hold finite numbers",
            {"value": repr(value), "hint": "leave a bound out to mean none, or give a number"},
        )
    return value


Number = Annotated[int | float, BeforeValidator(_finite)]
Scalar = Annotated[str | int | float | bool, BeforeValidator(_finite)]


def unique(values: list[Any]) -> Any | None:
    """The first value that occurs twice, or None."""
    seen: list[Any] = []
    for value in values:
        if value in seen:
            return value
        seen.append(value)
    return None


class Metadata(SpecModel):
    """Who a resource is and who owns it."""

    name: Name = Field(
        description="The resource's name: a DNS-1123 label, unique within its kind. "
        "The resource's address is `<kind in lowercase>.<name>`."
    )
    owner: NonEmptyStr = Field(description="The team or person accountable for the resource.")
    description: str | None = Field(None, description="One or two sentences on what it is.")
    labels: dict[str, str] = Field(
        default_factory=dict, description="Free-form key/value labels, for selection and reports."
    )
