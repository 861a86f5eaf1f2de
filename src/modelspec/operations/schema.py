"""The schema operation: the JSON Schema file of every kind, written where stale (or only checked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelspec.errors import UserError
from modelspec.files import write_atomic
from modelspec.project import find_root

__all__ = ["Schemas", "schemas"]


@dataclass(frozen=True)
class Schemas:
    """Where the schemas go, how many there are, and which files were missing or stale."""

    out: Path
    total: int
    stale: list[str]


def schemas(out: Path | None = None, *, write: bool = True) -> Schemas:
    """Compare each kind's schema with its file in out (default the project's schemas/, or ./schemas);
    with write, rewrite the stale ones."""
    from modelspec.spec.schema import dump_schema, json_schemas

    if out is None:
        root = find_root(Path.cwd())
        out = (root or Path.cwd()) / "schemas"
    wanted = {name: dump_schema(schema) for name, schema in json_schemas().items()}
    stale = [name for name, text in wanted.items() if _read(out / name) != text]
    if write:
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name in stale:
                write_atomic(out / name, wanted[name].encode("utf-8"))
        except OSError as exc:
            raise UserError(f"cannot write schemas to {out}: {exc.strerror}") from None
    return Schemas(out, len(wanted), stale)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
