"""The versioned state file format: State to JSON text and back, upgrading older versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from modelspec import jsonio
from modelspec.state.model import CURRENT_FORMAT_VERSION, ResourceState, State, StateError

__all__ = ["UPGRADES", "dumps_state", "loads_state"]

_T = TypeVar("_T")

# format_version N -> function turning a version-N document into a version N+1 one.
# Version 1 is the first format, so there is nothing to upgrade yet.
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def dumps_state(state: State) -> str:
    """The file text of state: sorted keys, indent 2, trailing newline.

    A NaN or infinite float (a metric, a spec's `.inf`) is written as null: JSON
    has no such number, and loads_state refuses it like any reader would.
    """
    document = {
        "format_version": CURRENT_FORMAT_VERSION,
        "lineage": state.lineage,
        "serial": state.serial,
        "resources": {
            address: {
                "kind": rs.kind,
                "name": rs.name,
                "digest": rs.digest,
                "spec": rs.spec,
                "outputs": rs.outputs,
                "artifacts": rs.artifacts,
                "depends_on": list(rs.depends_on),
                "render_key": rs.render_key,
            }
            for address, rs in sorted(state.resources.items())
        },
    }
    text = jsonio.dumps(jsonio.finite(document), sort_keys=True, indent=2, ensure_ascii=False)
    return text + "\n"


def loads_state(
    text: str | bytes,
    source: str,
    *,
    backup: str | None = None,
    hint: Callable[[], str] | None = None,
) -> State:
    """Parse state file text (or its bytes) with jsonio.loads, then check and upgrade it.

    source names the file in errors. hint, called only for an error, says how
    to recover (LocalFileBackend checks its backup); without one, backup names
    the copy to fall back on. Deep nesting, huge numbers, NaN and bytes that are
    not UTF-8 make the file corrupt.
    """

    def corrupt(why: object) -> StateError:
        fallback = hint() if hint else f"the previous state is kept in {backup}" if backup else ""
        return StateError(
            f"state file {source} is corrupt: {why}" + (f"; {fallback}" if fallback else "")
        )

    try:
        data = jsonio.loads(text, non_finite_as_null=True)  # the first release wrote NaN
    except jsonio.JsonRefused as exc:
        raise corrupt(exc) from None
    try:
        return _from_document(_upgrade(data, source))
    except _Malformed as exc:
        raise corrupt(exc) from None


class _Malformed(Exception):
    pass


def _upgrade(raw: Any, source: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Malformed("the top level must be a JSON object")
    data: dict[str, Any] = raw
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Malformed(f"format_version must be a positive integer, found {version!r}")
    if version > CURRENT_FORMAT_VERSION:
        raise StateError(
            f"state file {source} has format_version {version}, but this modelspec reads "
            f"at most version {CURRENT_FORMAT_VERSION}; upgrade modelspec to use it"
        )
    while version < CURRENT_FORMAT_VERSION:
        upgrade = UPGRADES.get(version)
        if upgrade is None:
            raise _Malformed(f"no upgrade is known from format_version {version}")
        data = upgrade(data)
        version += 1
        data["format_version"] = version
    return data


def _from_document(data: dict[str, Any]) -> State:
    lineage = _field(data, "lineage", str, "")
    serial = _field(data, "serial", int, "")
    if serial < 0:
        raise _Malformed("serial must not be negative")
    resources = _field(data, "resources", dict, "")
    return State(
        lineage=lineage,
        serial=serial,
        resources={address: _resource(address, raw) for address, raw in resources.items()},
    )


def _resource(address: str, raw: Any) -> ResourceState:
    where = f"resources[{address!r}]"
    if not isinstance(raw, dict):
        raise _Malformed(f"{where} must be a JSON object")
    artifacts = _field(raw, "artifacts", dict, where)
    if not all(isinstance(v, str) for v in artifacts.values()):
        raise _Malformed(f"{where}.artifacts values must be strings")
    depends_on = _field(raw, "depends_on", list, where, default=[])
    if not all(isinstance(d, str) for d in depends_on):
        raise _Malformed(f"{where}.depends_on must be a list of strings")
    return ResourceState(
        address=address,
        kind=_field(raw, "kind", str, where),
        name=_field(raw, "name", str, where),
        digest=_field(raw, "digest", str, where),
        spec=_field(raw, "spec", dict, where),
        outputs=_field(raw, "outputs", dict, where),
        artifacts=artifacts,
        depends_on=tuple(depends_on),
        render_key=_field(raw, "render_key", str, where, default=""),
    )


def _field(
    data: dict[str, Any], key: str, kind: type[_T], where: str, default: _T | None = None
) -> _T:
    name = f"{where}.{key}" if where else key
    if key not in data:
        if default is not None:
            return default
        raise _Malformed(f"{name} is missing")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Malformed(f"{name} must be {_JSON_NAMES[kind]}, found {type(value).__name__}")
    return value


_JSON_NAMES: dict[type[Any], str] = {
    str: "a string",
    int: "an integer",
    dict: "an object",
    list: "a list",
}
