"""GitHub Actions workflow commands and their escaping."""

from __future__ import annotations

import re

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.diagnostics.github import escape_data, escape_property
from modelspec.diagnostics.render import RenderContext, render, visible

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")
COMMAND_NAME = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _unescape_data(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(s: str) -> str:
    return _unescape_data(s.replace("%3A", ":").replace("%2C", ","))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    """Reads a command back the way the Actions runner does."""
    match = COMMAND.match(line)
    assert match, line
    name, props, data = match.groups()
    properties = dict(p.split("=", 1) for p in props.split(","))
    return name, {k: _unescape_property(v) for k, v in properties.items()}, _unescape_data(data)


def test_the_documented_shape(unknown_field: Diagnostic) -> None:
    assert render("github", [unknown_field], RenderContext()) == (
        "::error file=specs/models.yaml,line=12,col=7,title=MS202 unknown-field"
        '::unknown field "estimater"%0Ahint: did you mean "estimator"?\n'
    )


def test_escaping_follows_actions_toolkit() -> None:
    assert escape_data("50%\r\nx: a,b") == "50%25%0D%0Ax: a,b"
    assert escape_property("50%\r\nx: a,b") == "50%25%0D%0Ax%3A a%2Cb"
    # % first, so an existing escape is not mistaken for one
    assert escape_data("%0A") == "%250A"


def test_one_line_per_diagnostic_that_round_trips(nasty: list[Diagnostic]) -> None:
    out = render("github", nasty, RenderContext())
    lines = out.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert len(lines) == len(nasty)
    assert not any("\r" in line for line in lines)

    parsed = {props["title"].split()[0]: (n, props, data) for n, props, data in map(_parse, lines)}
    for d in nasty:
        name, props, data = parsed[d.code]
        assert name == COMMAND_NAME[d.severity]
        assert props.get("file", "") == d.file
        assert props.get("line", "0") == str(d.line)
        assert props.get("col", "0") == str(d.column)
        text = f"{d.message}\nhint: {d.hint}" if d.hint else d.message
        # control characters other than CR and LF come back as visible escapes
        assert data == visible(text, keep="\r\n")
        assert data == text or d.code == "MS301"


def test_control_characters_never_reach_the_log(nasty: list[Diagnostic]) -> None:
    out = render("github", nasty, RenderContext())
    assert all(ch == "\n" or ch.isprintable() for ch in out)
    assert "bell \\x07 esc \\x1b[31m red nul \\x00 é 日本" in out


def test_nasty_file_name_is_escaped_in_properties(nasty: list[Diagnostic]) -> None:
    out = render("github", nasty, RenderContext())
    assert (
        "::warning file=specs/a%2C b%3Ac%25.yaml,line=3,col=10,title=MS205 invalid-value::" in out
    )


def test_no_position_means_no_position_properties(nasty: list[Diagnostic]) -> None:
    out = render("github", nasty, RenderContext())
    assert "::error title=MS003 no-specs-found::no specs found under specs/\n" in out
    assert (
        "::error file=specs/models.yaml,line=20,title=MS204 wrong-type::expected a mapping\n" in out
    )


def test_unknown_code_uses_the_code_as_title() -> None:
    d = Diagnostic(Severity.WARNING, "POL1", "advisory rule", file="f.yaml", line=2, column=3)
    assert render("github", [d], RenderContext()) == (
        "::warning file=f.yaml,line=2,col=3,title=POL1::advisory rule\n"
    )
