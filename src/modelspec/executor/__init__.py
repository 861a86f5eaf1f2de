"""Executing a plan: the executor and the freshness checks of saved plans.

The lock-free core, `execute`, is imported from modelspec.executor.execute: a
package attribute of that name would hide the module.
"""

from modelspec.executor.execute import Engine, NoEngine, apply, state_unavailable
from modelspec.executor.freshness import check_fresh, check_paths

__all__ = ["Engine", "NoEngine", "apply", "check_fresh", "check_paths", "state_unavailable"]
