"""Attribute diffs: JSON pointers, named lists, strict equality and sentences."""

from __future__ import annotations

from modelspec.plan.model import AttributeDiff
from modelspec.valuediff import diff_values, display_path, leaves, sentence


def test_nested_change_has_a_json_pointer() -> None:
    before = {"spec": {"training": {"params": {"max_depth": 8, "n": 1}}}}
    after = {"spec": {"training": {"params": {"max_depth": 12, "n": 1}}}}
    assert diff_values(before, after) == [AttributeDiff("/spec/training/params/max_depth", 8, 12)]


def test_added_and_removed_keys_are_leaves() -> None:
    diffs = diff_values({"a": {"x": 1}}, {"b": {"y": [1, 2]}})
    assert diffs == [
        AttributeDiff("/a/x", 1, None),
        AttributeDiff("/b/y/0", None, 1),
        AttributeDiff("/b/y/1", None, 2),
    ]


def test_named_lists_are_matched_by_name() -> None:
    before = [{"name": "a", "type": "int"}, {"name": "b", "type": "str"}]
    after = [
        {"name": "new", "type": "int"},
        {"name": "a", "type": "int"},
        {"name": "b", "type": "float"},
    ]
    diffs = diff_values(before, after, "/spec/columns")
    assert AttributeDiff("/spec/columns/2/type", "str", "float") in diffs
    assert AttributeDiff("/spec/columns/0/name", None, "new") in diffs
    assert not any(d.path.startswith("/spec/columns/1") for d in diffs)  # "a" is unchanged


def test_reordered_named_list_is_one_diff() -> None:
    before = [{"name": "a"}, {"name": "b"}]
    diffs = diff_values(before, list(reversed(before)), "/cols")
    assert diffs == [AttributeDiff("/cols", ["a", "b"], ["b", "a"])]


def test_plain_lists_compare_element_wise() -> None:
    assert diff_values([1, 2, 3], [1, 5], "/l") == [
        AttributeDiff("/l/1", 2, 5),
        AttributeDiff("/l/2", 3, None),
    ]


def test_types_are_compared_strictly() -> None:
    assert diff_values({"a": 1}, {"a": 1.0}) == [AttributeDiff("/a", 1, 1.0)]
    assert diff_values({"a": True}, {"a": 1}) == [AttributeDiff("/a", True, 1)]
    assert diff_values({"a": [1]}, {"a": [1]}) == []


def test_pointer_escaping_and_display() -> None:
    diffs = diff_values({"labels": {"a/b~c": "x"}}, {"labels": {"a/b~c": "y"}})
    assert diffs[0].path == "/labels/a~1b~0c"
    assert display_path(diffs[0].path) == "labels.a/b~c"
    assert display_path("/spec/columns/2/type") == "spec.columns[2].type"


def test_sentences() -> None:
    assert sentence(AttributeDiff("/spec/training/params/max_depth", 8, 12)) == (
        "spec.training.params.max_depth changed: 8 -> 12"
    )
    assert (
        sentence(AttributeDiff("/spec/card/license", None, "MIT")) == "spec.card.license added: MIT"
    )
    assert sentence(AttributeDiff("/spec/x", [1], None)) == "spec.x removed (was [1])"
    long = sentence(AttributeDiff("/a", "x" * 100, "y"))
    assert "..." in long and len(long) < 100


def test_leaves_keeps_empty_containers() -> None:
    assert leaves({"a": {}, "b": [], "c": {"d": None}}) == [("/a", {}), ("/b", []), ("/c/d", None)]
