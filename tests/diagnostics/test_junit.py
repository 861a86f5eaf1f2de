"""JUnit XML output."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.diagnostics.render import RenderContext, render


def _suite(diags: list[Diagnostic], **ctx: object) -> tuple[ET.Element, ET.Element]:
    out = render("junit", diags, RenderContext(**ctx))  # type: ignore[arg-type]
    assert out.startswith("<?xml version='1.0' encoding='utf-8'?>\n")
    root = ET.fromstring(out.encode("utf-8"))  # expat rejects any character XML 1.0 forbids
    (suite,) = root.findall("testsuite")
    return root, suite


def test_parses_and_counts_match(nasty: list[Diagnostic]) -> None:
    root, suite = _suite(nasty, files_checked=14)
    assert root.tag == "testsuites"
    assert suite.get("name") == "modelspec validate"
    cases = suite.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    for element in (root, suite):
        assert element.get("tests") == str(len(cases))
        assert element.get("failures") == str(len(failed))
        assert element.get("errors") == "0"
    # one case per file with findings, one for findings without a file
    assert [c.get("name") for c in cases] == [
        "(project)",
        "specs/a, b:c%.yaml",
        "specs/models.yaml",
        "specs/ünï.yaml",
    ]
    assert len(suite.findall("testcase/failure")) == sum(1 for d in nasty if d.is_error)
    assert len(failed) == 2


def test_failures_carry_message_type_and_location(nasty: list[Diagnostic]) -> None:
    _, suite = _suite(nasty)
    models = next(c for c in suite.findall("testcase") if c.get("name") == "specs/models.yaml")
    failures = models.findall("failure")
    assert [f.get("type") for f in failures] == ["MS202 unknown-field", "MS204 wrong-type"]
    assert failures[0].get("message") == 'unknown field "estimater"'
    assert failures[0].text == (
        'specs/models.yaml:12:7: error[MS202]: unknown field "estimater"\n'
        '  = hint: did you mean "estimator"?'
    )
    assert failures[1].text == "specs/models.yaml:20: error[MS204]: expected a mapping"


def test_warnings_and_notes_go_to_system_out(nasty: list[Diagnostic]) -> None:
    _, suite = _suite(nasty)
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    warned = cases["specs/a, b:c%.yaml"]
    assert warned.find("failure") is None
    out = warned.findtext("system-out")
    assert out is not None
    assert "warning[MS205]: value 50% < 100 & \"quoted\" 'single'\nsecond line: with, comma" in out
    assert "use ≤ or ü" in out

    note = cases["specs/ünï.yaml"].findtext("system-out")
    assert note is not None
    # control characters XML cannot carry are shown as escapes; unicode stays
    assert "bell \\x07 esc \\x1b[31m red nul \\x00 é 日本" in note


def test_no_diagnostics_is_one_passing_case() -> None:
    root, suite = _suite([], files_checked=14)
    (case,) = suite.findall("testcase")
    assert case.get("name") == "14 files checked"
    assert list(case) == []
    assert suite.get("tests") == "1" and suite.get("failures") == "0"
    assert root.get("tests") == "1"


def test_markup_in_messages_is_text_not_xml() -> None:
    d = Diagnostic(Severity.ERROR, "MS205", "</failure><x a='1'>&amp;", file="<f>.yaml", line=1)
    _, suite = _suite([d])
    (case,) = suite.findall("testcase")
    assert case.get("name") == "<f>.yaml"
    (failure,) = case.findall("failure")
    assert failure.get("message") == "</failure><x a='1'>&amp;"
    assert case.find("x") is None


# junit-10.xsd as pytest ships it (tests/vendor/README.md): the schema CI test-report tools read
JUNIT_XSD = Path(__file__).parents[1] / "vendor" / "junit-10.xsd"


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(JUNIT_XSD))


def test_the_schema_rejects_what_it_should(junit_schema: xmlschema.XMLSchema) -> None:
    suite = "<testsuite name='s' tests='0' failures='0' errors='0'/>"
    assert junit_schema.is_valid(f"<testsuites>{suite}</testsuites>")
    # the attribute this renderer used to write on <testsuites>
    assert not junit_schema.is_valid("<testsuites skipped='0'/>")
    assert not junit_schema.is_valid("<testsuites><testsuite name='s'/></testsuites>")


@pytest.mark.parametrize("files_checked", [0, 1, 14])
def test_output_is_valid_against_junit_10_xsd(
    junit_schema: xmlschema.XMLSchema, nasty: list[Diagnostic], files_checked: int
) -> None:
    for diags in (nasty, [], nasty[:1]):
        out = render("junit", diags, RenderContext(files_checked=files_checked))
        junit_schema.validate(out.encode("utf-8"))


def test_skipped_is_counted_on_the_suite_only(nasty: list[Diagnostic]) -> None:
    root, suite = _suite(nasty)
    assert root.get("skipped") is None
    assert suite.get("skipped") == "0"
