"""Tests for jsonio: JSON read back or printed is bounded, finite and never a RecursionError."""

from __future__ import annotations

import json
import math

import pytest

from modelspec import jsonio


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 101 + "]" * 101, "nested more than 100 levels deep"),
        ("[" * 100_000 + "]" * 100_000, "nested more than 100 levels deep"),
        ('{"a":' * 150 + "1" + "}" * 150, "nested more than 100 levels deep"),
        ("9" * 4301, "an integer of 4,301 digits is too large"),
        ('{"pid": ' + str(2**300) + "}", "an integer of 91 digits is too large"),
        ("1e309", "1e309 is out of the range of a 64-bit float"),
        ("-1e309", "-1e309 is out of the range of a 64-bit float"),
        ("[NaN]", "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ("[-Infinity]", "-Infinity is not a JSON number"),
        ('{"a": 1', "not valid JSON at line 1, column 8"),
        (b"\xff\xfe", "not UTF-8 text (invalid start byte at byte 0)"),
    ],
)
def test_hostile_json_is_refused_with_a_reason(text: str | bytes, reason: str) -> None:
    with pytest.raises(jsonio.JsonRefused) as caught:
        jsonio.loads(text)
    assert str(caught.value).startswith(reason)


def test_brackets_and_quotes_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"a": ["[[[{{{" * 50, '\\"]]]' * 50, {"b": "}" * 300}]})
    assert jsonio.loads(text) == json.loads(text)


def test_nesting_up_to_the_limit_is_read() -> None:
    assert jsonio.loads("[" * 100 + "]" * 100) == json.loads("[" * 100 + "]" * 100)
    assert jsonio.loads("[[1]]", max_depth=2) == [[1]]
    with pytest.raises(jsonio.JsonRefused):
        jsonio.loads("[[[1]]]", max_depth=2)


def test_ordinary_documents_read_as_json_does() -> None:
    document = {"serial": 12, "score": 0.9125, "names": ["é", "x\ny"], "none": None, "ok": True}
    assert jsonio.loads(json.dumps(document, ensure_ascii=False).encode()) == document


def test_dumps_refuses_what_standard_json_has_not() -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        jsonio.dumps({"a": math.inf})
    assert jsonio.dumps(jsonio.finite({"a": [math.nan, 1.5, -math.inf], "b": (math.inf,)})) == (
        '{"a": [null, 1.5, null], "b": [null]}'
    )


def test_files_of_the_first_release_with_nan_read_as_null() -> None:
    assert jsonio.loads('{"roc_auc": NaN, "x": [Infinity, -Infinity]}', non_finite_as_null=True) == {
        "roc_auc": None,
        "x": [None, None],
    }


def test_half_a_surrogate_pair_is_refused_and_a_whole_pair_read() -> None:
    with pytest.raises(jsonio.JsonRefused, match="half a surrogate pair"):
        jsonio.loads('{"mape": "\\ud800"}')
    with pytest.raises(jsonio.JsonRefused, match="half a surrogate pair"):
        jsonio.loads('["\\udc00"]')
    assert jsonio.loads('["\\ud83d\\ude00", "\\\\ud800"]') == ["\U0001f600", "\\ud800"]
