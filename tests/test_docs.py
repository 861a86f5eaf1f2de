"""The docs stay in step with the code: every diagnostic code is documented."""

from __future__ import annotations

import re
from pathlib import Path

from modelspec.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[1]


def test_every_diagnostic_code_is_documented() -> None:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| (MS\d{3}) \| ([a-z-]+) \|", text, flags=re.MULTILINE))
    assert documented == CODES
