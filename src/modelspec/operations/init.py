"""The init operation: write the example project into a directory, refusing to overwrite by default."""

from __future__ import annotations

from pathlib import Path

from modelspec.errors import UserError
from modelspec.examples.scaffold import existing_files, init_project

__all__ = ["init"]

_SHOWN_CLASHES = 5


def init(directory: Path, *, force: bool = False) -> list[Path]:
    """The files written. Without force, nothing is written when any of them exists already."""
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory} is a file, not a directory: choose another path")
    if not force:
        clashes = existing_files(directory)
        if clashes:
            shown = ", ".join(p.relative_to(directory).as_posix() for p in clashes[:_SHOWN_CLASHES])
            more = len(clashes) - _SHOWN_CLASHES
            if more > 0:
                shown += f" and {more} more"
            raise UserError(
                f"{directory} already holds files init would overwrite ({shown}); "
                "nothing was written. Pass --force to overwrite them, or choose an empty directory"
            )
    return init_project(directory, force=force)
