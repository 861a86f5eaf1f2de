"""A small validator for 5-field cron schedules and the @hourly/@daily/... macros."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MACROS", "cron_problem"]

MACROS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    first_name_value: int = 0


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, _MONTHS, 1),
    _Field("day of week", 0, 7, _DAYS, 0),
)
_ITEM = re.compile(r"^(?P<range>\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/(?P<step>[0-9]+))?$")


def _value(text: str, field: _Field) -> int | None:
    if text.isdigit():
        number = int(text)
        return number if field.low <= number <= field.high else None
    if text in field.names:
        return field.names.index(text) + field.first_name_value
    return None


def _item_problem(item: str, field: _Field) -> str | None:
    match = _ITEM.fullmatch(item.lower())
    if match is None:
        return f"'{item}' in the {field.name} field is not a value, range, list or step"
    step = match.group("step")
    if step is not None and int(step) == 0:
        return f"the step in '{item}' ({field.name}) must be at least 1"
    part = match.group("range")
    if part == "*":
        return None
    bounds = part.split("-")
    values = [_value(b, field) for b in bounds]
    for bound, value in zip(bounds, values, strict=True):
        if value is None:
            return f"'{bound}' is not a valid {field.name} (allowed {field.low}-{field.high})"
    if (
        len(values) == 2
        and values[0] is not None
        and values[1] is not None
        and values[0] > values[1]
    ):
        return f"the range '{part}' in the {field.name} field runs backwards"
    return None


def cron_problem(expression: str) -> str | None:
    """What is wrong with a cron expression, or None when it is valid."""
    text = expression.strip()
    if text.startswith("@"):
        return None if text.lower() in MACROS else f"unknown macro '{text}'"
    parts = text.split()
    if len(parts) != 5:
        return f"a cron schedule has 5 fields (minute hour day-of-month month day-of-week), not {len(parts)}"
    for part, field in zip(parts, _FIELDS, strict=True):
        for item in part.split(","):
            problem = _item_problem(item, field)
            if problem is not None:
                return problem
    return None
