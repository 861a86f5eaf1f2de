"""What `modelspec init` prints: the files it wrote and the next steps."""

from __future__ import annotations

import shlex
from pathlib import Path

__all__ = ["created"]


def created(directory: Path, written: list[Path]) -> str:
    lines = [f"Created the example project in {directory}:"]
    lines += [f"  {path.relative_to(directory).as_posix()}" for path in written]
    return "\n".join(lines) + "\n" + _next_steps(directory)


def _next_steps(directory: Path) -> str:
    return f"""
Next steps:
  cd {shlex.quote(str(directory))}
  modelspec validate     check specs, references and policies
  modelspec plan         see what apply would change
  modelspec apply        train, evaluate and register the models; render generated/
  modelspec report --out compliance.html
                         what a compliance reviewer reads
After you change the high-risk classifier, its compliance approval goes stale:
  modelspec approve model.biopsy-malignancy-classifier --role compliance --by YOUR.NAME

Commit the project to git; .github/workflows/modelspec.yml runs validate and plan on
pull requests and apply on merge to main."""
