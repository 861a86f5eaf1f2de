"""The example-data operation: rewrite the example project's CSV datasets, byte for byte the same."""

from __future__ import annotations

from pathlib import Path

from modelspec.errors import UserError
from modelspec.examples.scaffold import DATA_DIR
from modelspec.project import CONFIG_FILE, find_root

__all__ = ["example_data"]


def example_data(out: Path | None = None) -> list[Path]:
    """Write the datasets into out (default the current project's data/); the files written."""
    if out is None:
        root = find_root(Path.cwd())
        if root is None:
            raise UserError(
                f"no {CONFIG_FILE} found in {Path.cwd()} or any parent directory: "
                "run inside a project, or pass --out DIR"
            )
        out = root / DATA_DIR
    from modelspec.examples.data import write_datasets

    return write_datasets(out)
