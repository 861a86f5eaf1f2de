"""Stand-ins that keep tests off slow paths that other tests cover for real."""

from __future__ import annotations

from typing import Any

from modelspec.engine.data_validation import DataValidationResult


def passing_validate_data(contract: Any, data: Any) -> DataValidationResult:
    """validate_data without Great Expectations (its ~4 s import): every row passes.

    The real suite runs in tests/engine/test_data_validation.py and tests/cli/test_data.py.
    """
    return DataValidationResult(success=True, checks=[], row_count=len(data))
