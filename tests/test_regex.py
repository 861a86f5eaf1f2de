"""The one RE2 helper every user pattern goes through: linear time, bounded size, errors in words."""

from __future__ import annotations

import faulthandler

import pytest

from modelspec import regex


def test_a_catastrophic_pattern_is_matched_in_linear_time() -> None:
    faulthandler.dump_traceback_later(20, exit=True)  # Python's re would take 2**100000 steps
    try:
        assert not regex.search("^(a+)+$", "a" * 100_000 + "!")
        assert not regex.search("(x+x+)+y", "x" * 100_000)
        assert regex.search("^(a+)+$", "a" * 100_000)
    finally:
        faulthandler.cancel_dump_traceback_later()


def test_search_is_unanchored_and_dollar_is_the_end_of_the_text() -> None:
    assert regex.search("urn", "churn")
    assert regex.search("^churn$", "churn")
    assert not regex.search("^churn$", "churn\n")
    assert regex.fullmatch("[a-z]+", "churn") and not regex.fullmatch("[a-z]+", "churn\n")


def test_text_with_a_lone_surrogate_is_matched_not_refused() -> None:
    assert regex.search("x$", "a\ud800x")


def test_errors_are_sentences_and_nothing_goes_to_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(regex.RegexRefused, match=r"^is not a valid regular expression \(missing \)"):
        regex.compile_pattern("(unclosed")
    assert regex.problem("(a)\\1") == (
        "uses a backreference (\\1), which RE2, the linear-time engine modelspec matches "
        "patterns with, lacks: repeat the group's pattern instead of referring back to it"
    )
    assert regex.problem("ok") is None
    assert capfd.readouterr().err == ""  # RE2 logs each error to stderr unless told not to


def test_a_pattern_whose_program_is_over_the_limit_is_refused() -> None:
    assert regex.problem(r"\pL{1000}") == (
        "compiles to more than RE2's limit of 1 MiB: shorten it or lower its repetition counts"
    )
    assert regex.problem(".{1000}") is None


def test_each_pattern_is_compiled_once() -> None:
    assert regex.compile_pattern("^cached$") is regex.compile_pattern("^cached$")
