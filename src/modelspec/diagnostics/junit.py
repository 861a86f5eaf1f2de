"""JUnit XML output: one test case per spec file with findings, a failure per error.

Counts follow the usual reading of JUnit reports: `tests` is the number of test
cases and `failures` the number of failed test cases (a case with three errors
carries three <failure> elements but is one failed test), so failures never
exceeds tests. The document is valid against junit-10.xsd (the schema pytest's own
reports are checked against; tests/vendor/junit-10.xsd).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from modelspec.diagnostics import CODES, Diagnostic, Severity
from modelspec.diagnostics.render import RenderContext
from modelspec.safetext import inert_lines, visible

__all__ = ["PROJECT_CASE", "SUITE_NAME", "render"]

SUITE_NAME = "modelspec validate"
CLASSNAME = "modelspec.validate"
# the test case for findings that belong to no single file
PROJECT_CASE = "(project)"


def render(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
    """A <testsuites> document holding one <testsuite>."""
    by_file = sorted(diagnostics, key=lambda d: d.file)  # stable: keeps the order within a file
    cases = [_case(file, list(group)) for file, group in groupby(by_file, key=lambda d: d.file)]
    if not cases:
        passed = ET.Element("testcase", name=_checked_name(ctx.files_checked), classname=CLASSNAME)
        cases.append(passed)
    failures = sum(1 for case in cases if case.find("failure") is not None)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": "0"}

    # junit-10.xsd allows `skipped` on <testsuite> only, not on <testsuites>
    root = ET.Element("testsuites", {"name": "modelspec", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE_NAME, **counts, "skipped": "0"})
    suite.extend(cases)
    ET.indent(root)
    # printed to CI logs too: a message's own line must not be a workflow command
    return inert_lines(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n")


def _case(file: str, diagnostics: list[Diagnostic]) -> ET.Element:
    case = ET.Element("testcase", name=_xml(file) or PROJECT_CASE, classname=CLASSNAME)
    for d in diagnostics:
        if d.severity is Severity.ERROR:
            title = CODES.get(d.code, d.code)
            failure = ET.SubElement(
                case, "failure", message=_xml(d.message), type=_xml(f"{d.code} {title}")
            )
            failure.text = _xml(_line(d))
    others = [_line(d) for d in diagnostics if d.severity is not Severity.ERROR]
    if others:
        ET.SubElement(case, "system-out").text = _xml("\n".join(others))
    return case


def _line(d: Diagnostic) -> str:
    """`file:line:col: warning[MS202]: message` with the hint on the next line."""
    where = ":".join(
        part
        for part in (d.file, str(d.line) if d.line else "", str(d.column) if d.column else "")
        if part
    )
    head = f"{where}: " if where else ""
    text = f"{head}{d.severity.value}[{d.code}]: {d.message}"
    return f"{text}\n  = hint: {d.hint}" if d.hint else text


def _checked_name(files_checked: int) -> str:
    return f"{files_checked} file{'' if files_checked == 1 else 's'} checked"


def _xml(text: str) -> str:
    """text that XML 1.0 can carry: other control characters become \\xNN escapes."""
    return visible(text, keep="\t\n\r")
