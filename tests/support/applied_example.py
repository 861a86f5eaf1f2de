"""The example project after a real `modelspec apply` as a subprocess (trained, validated by GX, registered)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["apply_example"]


def apply_example(root: Path) -> Path:
    """init the example at root and apply it with the installed modelspec; root."""
    from modelspec.examples.scaffold import init_project

    init_project(root)
    done = subprocess.run(
        [sys.executable, "-m", "modelspec", "-C", str(root), "apply", "--auto-approve"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return root
