"""Executing a plan: the executor and the freshness checks of saved plans."""

from modelspec.executor.execute import Engine, NoEngine, apply
from modelspec.executor.freshness import check_fresh, check_paths

__all__ = ["Engine", "NoEngine", "apply", "check_fresh", "check_paths"]
