"""Moving state: `state migrate` between backends, `state push` of a file; both audited."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from modelspec.errors import UserError
from modelspec.project import Project
from modelspec.state import (
    KeepsHistory,
    LockInfo,
    State,
    StateBackend,
    StateError,
    audit_record,
    backend_for,
)
from modelspec.state.audit import AuditLog, audit_log_for

__all__ = ["BACKENDS", "Migrated", "Pushed", "migrate_state", "push_state"]

BACKENDS = ("local", "postgres")


@dataclass(frozen=True)
class Migrated:
    """What a migration moved: serials and audit records, and where to."""

    source: str
    target: str
    serials: list[int]
    records: int
    lineage: str
    serial: int


@dataclass(frozen=True)
class Pushed:
    """What a push stored: the serial it got, and the one it replaced."""

    serial: int
    previous: int
    forced: bool


def migrate_state(project: Project, to: str, *, lock_timeout: float = 0) -> Migrated:
    """Copy every kept serial and the audit log from the configured backend to `to`, checked.

    Both are locked for the copy. A target that holds another lineage, a later
    serial, or an audit log that is not a prefix of the source's is refused
    before anything is written. The source is left as it was; modelspec.yaml
    is the user's to change afterwards.
    """
    source_kind = project.config.state.backend
    if to == source_kind:
        raise UserError(f"the state is already kept in the {to} backend (state.backend)")
    source, target = backend_for(project), backend_for(project, to)
    if not isinstance(source, KeepsHistory) or not isinstance(target, KeepsHistory):
        raise UserError("both backends must keep state history to migrate")
    try:
        with source.lock(LockInfo.new("state migrate"), lock_timeout), target.lock(
            LockInfo.new("state migrate"), lock_timeout
        ):
            return _migrate(project, source, target, source_kind, to)
    except StateError as exc:
        raise UserError(str(exc)) from None


def _migrate(
    project: Project, source: KeepsHistory, target: KeepsHistory, source_kind: str, to: str
) -> Migrated:
    current = source.read()
    states = [source.read_serial(info.serial) for info in source.history()]
    source_log = audit_log_for(project.work_dir, source)
    target_log = audit_log_for(project.work_dir, target)
    lines, target_lines = source_log.lines(), target_log.lines()
    stored = target.history()
    if stored:
        there = target.read()
        if there.lineage != current.lineage:
            raise StateError(
                f"refusing to migrate: the target {target.where} already holds lineage "
                f"{there.lineage} (serial {there.serial}), and this project's state is lineage "
                f"{current.lineage}; point the target at an empty database, or at this project's"
            )
        if there.serial > current.serial:
            raise StateError(
                f"refusing to migrate: the target {target.where} is at serial {there.serial}, "
                f"ahead of the source's {current.serial}; migrate from it instead"
            )
    if target_lines != lines[: len(target_lines)]:
        raise StateError(
            f"refusing to migrate: the audit log in {target_log.where} holds records the "
            f"source's ({source_log.where}) does not; move one of them aside first"
        )
    target.import_history(states)
    target_log.extend(lines[len(target_lines) :])
    _check_copied(source, target, states, lines, target_log)
    _audit(
        target_log, project, "state migrate", {"serials": len(states), "records": len(lines)},
        {"from": source_kind, "to": to, "lineage": current.lineage, "serial": current.serial},
    )
    return Migrated(
        source_kind, to, [s.serial for s in states], len(lines), current.lineage, current.serial
    )


def _check_copied(
    source: KeepsHistory,
    target: KeepsHistory,
    states: list[State],
    lines: list[bytes],
    target_log: AuditLog,
) -> None:
    """Read everything back from the target: each serial equal, the audit log a copy."""
    for state in states:
        if target.read_serial(state.serial) != state:
            raise StateError(f"serial {state.serial} reads back differently from {target.where}")
    if states and target.read() != source.read():
        raise StateError(f"the current state reads back differently from {target.where}")
    if target_log.lines()[: len(lines)] != lines:
        raise StateError(f"the audit log reads back differently from {target_log.where}")


def push_state(project: Project, path: str, *, force: bool = False, lock_timeout: float = 0) -> Pushed:
    """Store the state file at path as the current state, with Terraform's checks.

    Refused unless its lineage is the stored one and its serial is newer (or
    nothing is stored); force overrides both, and the pushed state then gets
    the serial after the stored one, so no kept serial is overwritten.
    """
    from modelspec.files import ReadRefused, os_reason, read_regular
    from modelspec.state import loads_state
    from modelspec.state.readback import STATE_LIMIT

    try:
        pushed = loads_state(read_regular(Path(path), limit=STATE_LIMIT), path)
    except (OSError, ReadRefused) as exc:
        why = os_reason(exc) if isinstance(exc, OSError) else str(exc)
        raise UserError(f"cannot read state file {path}: {why}") from None
    except StateError as exc:
        raise UserError(str(exc)) from None
    backend = backend_for(project)
    try:
        with backend.lock(LockInfo.new("state push"), lock_timeout):
            current = backend.read()
            stored = current.serial > 0 or bool(current.resources)
            if stored and not force:
                _check_push(pushed, current)
            state = pushed
            if stored and pushed.serial <= current.serial:
                state = replace(pushed, serial=current.serial + 1)
            _write(backend, state, force)
            _audit(
                audit_log_for(project.work_dir, backend), project, "state push",
                {"serial": state.serial},
                {"lineage": state.lineage, "serial": state.serial, "from_serial": current.serial,
                 "from_lineage": current.lineage if stored else None, "forced": force},
            )
    except StateError as exc:
        raise UserError(str(exc)) from None
    return Pushed(state.serial, current.serial if stored else 0, force)


def _check_push(pushed: State, current: State) -> None:
    if pushed.lineage != current.lineage:
        raise StateError(
            f"refusing to push: the file's lineage {pushed.lineage} is not the stored state's "
            f"{current.lineage}; pass --force to replace that state with it"
        )
    if pushed.serial <= current.serial:
        raise StateError(
            f"refusing to push: the file's serial {pushed.serial} is not newer than the stored "
            f"serial {current.serial}; pass --force to store it anyway (as serial "
            f"{current.serial + 1})"
        )


def _write(backend: StateBackend, state: State, force: bool) -> None:
    from modelspec.state.postgres import PostgresBackend

    if isinstance(backend, PostgresBackend):
        backend.write(state, force=force)
    else:
        backend.write(state)


def _audit(
    log: AuditLog, project: Project, command: str, summary: dict[str, int], extra: dict[str, object]
) -> None:
    log.append({**audit_record(command, dict(summary), extra=extra, root=project.root), "status": "ok"})
