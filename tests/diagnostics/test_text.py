"""The compiler-style text format."""

from __future__ import annotations

from collections.abc import Callable

from modelspec.diagnostics import Diagnostic, Severity
from modelspec.diagnostics.render import RenderContext, render
from modelspec.diagnostics.text import summary


def _lines(diags: list[Diagnostic], **ctx: object) -> list[str]:
    return render("text", diags, RenderContext(**ctx)).splitlines()  # type: ignore[arg-type]


def test_block_has_location_snippet_caret_and_hint(
    unknown_field: Diagnostic, source_line: Callable[[str, int], str]
) -> None:
    lines = _lines([unknown_field], source_line=source_line, files_checked=14)
    assert lines[0] == 'specs/models.yaml:12:7: error[MS202]: unknown field "estimater"'
    assert lines[1] == "   |"
    assert lines[2] == "12 |       estimater: sklearn.ensemble.RandomForestClassifier"
    assert lines[3] == "   |       ^"
    assert lines[4] == '   = hint: did you mean "estimator"?'
    assert lines[5] == ""
    assert lines[6] == "1 error in 14 files"
    # the caret sits under the first letter of the unknown key
    assert lines[3].index("^") == lines[2].index("estimater")


def test_caret_accounts_for_tabs_and_wide_characters() -> None:
    # column 11 is the "v" of "value": tab, "name: ", two wide characters, a space
    source = "\tname: 名前 value"
    assert source[10] == "v"
    d = Diagnostic(Severity.ERROR, "MS205", "bad", file="f.yaml", line=3, column=11)
    lines = _lines([d], source_line=lambda f, n: source)
    code_line, caret_line = lines[2], lines[3]
    assert code_line == "3 | \tname: 名前 value"
    assert caret_line == "  | \t      " + "    " + " ^"


def test_caret_past_the_end_of_line_goes_after_the_last_character() -> None:
    d = Diagnostic(Severity.ERROR, "MS203", "missing value", file="f.yaml", line=1, column=40)
    lines = _lines([d], source_line=lambda f, n: "key:")
    assert lines[3] == "  |     ^"


def test_no_snippet_without_source_or_position(nasty: list[Diagnostic]) -> None:
    lines = _lines(nasty, files_checked=3)
    assert "error[MS003]: no specs found under specs/" in lines
    assert "specs/models.yaml:20: error[MS204]: expected a mapping" in lines
    assert not any("|" in line for line in lines)


def test_multiline_message_and_hint_are_indented(nasty: list[Diagnostic]) -> None:
    out = render("text", nasty, RenderContext())
    assert "specs/a, b:c%.yaml:3:10: warning[MS205]: value 50% < 100 & \"quoted\" 'single'\n" in out
    assert "\n  second line: with, comma\n" in out
    assert "  = hint: use ≤ or ü\n" in out  # CRLF inside a hint is a line break
    assert "\n          then retry\n" in out


def test_no_colour_unless_asked(
    nasty: list[Diagnostic], source_line: Callable[[str, int], str]
) -> None:
    plain = render("text", nasty, RenderContext(source_line=source_line))
    assert "\x1b" not in plain  # not even the ESC inside a message
    assert "esc \\x1b[31m red nul \\x00" in plain
    assert "bell \\x07" in plain

    coloured = render("text", nasty, RenderContext(color=True, source_line=source_line))
    assert "\x1b[1;31merror[MS202]\x1b[0m" in coloured
    assert "\x1b[1;33mwarning[MS205]\x1b[0m" in coloured
    assert "\x1b[1;36mnote[MS301]\x1b[0m" in coloured
    # the message's own ESC stays escaped with colour on
    assert "esc \\x1b[31m red" in coloured


def test_colour_does_not_move_the_caret(
    unknown_field: Diagnostic, source_line: Callable[[str, int], str]
) -> None:
    import re

    coloured = _lines([unknown_field], color=True, source_line=source_line)
    strip = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in coloured]
    assert strip[:5] == _lines([unknown_field], source_line=source_line)[:5]


def test_summary_counts_and_plurals(nasty: list[Diagnostic]) -> None:
    assert summary(nasty, 14) == "3 errors, 1 warning, 1 note in 14 files"
    assert summary([], 14) == "no problems in 14 files"
    assert summary([], 1) == "no problems in 1 file"
    assert render("text", [], RenderContext(files_checked=2)) == "no problems in 2 files\n"
