"""The report of a data validation: text (failures only), json or junit, picked by name.

Observed values come from the data, so they are as untrusted as the specs:
text and junit show them with safetext (no control character, line break or
CI workflow command gets through), and json spells a NaN or infinite value
as the string "NaN", "Infinity" or "-Infinity" (standard JSON has no such
numbers, and null is what a missing value already shows as).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from modelspec import jsonio
from modelspec.compile.graph import Resource
from modelspec.compile.views import ContractView
from modelspec.engine.data_validation import Check, DataValidationResult, not_checked_note
from modelspec.formats import Formats
from modelspec.safetext import inert_json, inert_lines, one_line, visible

__all__ = ["FORMATS", "render_json", "render_junit", "render_text"]

# `modelspec data validate --format`: each renderer takes (result, contract, data), where data
# is the file as shown to users, and returns the whole report.
FORMATS = Formats(
    "data validation report",
    {
        "text": "modelspec.engine.data_report:render_text",
        "json": "modelspec.engine.data_report:render_json",
        "junit": "modelspec.engine.data_report:render_junit",
    },
)


def _describe(check: Check) -> str:
    if check.expectation == "expect_table_row_count_to_be_between":
        return f"{check.rule}: found {check.unexpected_sample[0] if check.unexpected_sample else '?'}"
    text = check.rule
    note = not_checked_note(check)
    if note is not None:
        return f"{text}: {note}"
    if check.unexpected_count:
        what = "column" if check.column is None else "value"
        n = check.unexpected_count
        text += f": {n} {what}{'s fail' if n != 1 else ' fails'}"
    if check.unexpected_sample:
        shown = ", ".join(_sample(v) for v in check.unexpected_sample)
        text += f" (e.g. {shown})" if check.unexpected_count else f" ({shown})"
    return text


def _sample(value: Any) -> str:
    """A failing value as JSON shows it, infinities and NaN as JavaScript spells them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(jsonio.spelled(value))
    return jsonio.dumps(jsonio.spelled(value), ensure_ascii=False)


def render_text(result: DataValidationResult, contract: Resource, data: str) -> str:
    version = one_line(ContractView(contract).version)
    lines = [f"{one_line(data)}: {result.row_count} rows checked against {contract.address} {version}"]
    lines += [f"  FAIL {one_line(_describe(c))}" for c in result.failures]
    failed = len(result.failures)
    verdict = "passed" if result.success else "failed"
    lines.append(
        f"Data {verdict}: {len(result.checks) - failed} of {len(result.checks)} checks passed"
        + (f", {failed} failed." if failed else ".")
    )
    return inert_lines("\n".join(lines) + "\n")


def render_json(result: DataValidationResult, contract: Resource, data: str) -> str:
    document = {
        "format_version": "1",
        "contract": contract.name,
        "contract_version": ContractView(contract).version,
        "data": data,
        "success": result.success,
        "row_count": result.row_count,
        "checks": [asdict(c) for c in result.checks],
    }
    return inert_json(jsonio.dumps(jsonio.spelled(document), indent=2, ensure_ascii=False)) + "\n"


def render_junit(result: DataValidationResult, contract: Resource, data: str) -> str:
    import xml.etree.ElementTree as ET

    counts = {
        "tests": str(len(result.checks)), "failures": str(len(result.failures)), "errors": "0",
    }
    # junit-10.xsd allows `skipped` on <testsuite> only, not on <testsuites>
    root = ET.Element("testsuites", {"name": "modelspec data validate", **counts})
    name = visible(f"{contract.address} ({data})", keep="")
    suite = ET.SubElement(root, "testsuite", {"name": name, **counts, "skipped": "0"})
    for check in result.checks:
        classname = visible(f"{contract.address}.{check.column or '(table)'}", keep="")
        case = ET.SubElement(suite, "testcase", name=visible(check.rule, keep=""), classname=classname)
        if not check.success:
            failure = ET.SubElement(case, "failure", message=visible(_describe(check), keep=""))
            failure.text = visible(f"{check.expectation}: {_describe(check)}", keep="")
    ET.indent(root)
    return inert_lines(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")
