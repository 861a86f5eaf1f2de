"""The YAML 1.2 loader: typing of scalars, refusals, limits and positions."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from modelspec.loading import load_files, load_text
from modelspec.loading.yaml12 import LIMITS


def load_one(text: str) -> object:
    docs, diags = load_text("f.yaml", text)
    assert diags == []
    assert len(docs) == 1
    return docs[0].data


def test_norway_problem_values_stay_strings() -> None:
    data = load_one("a: NO\nb: yes\nc: on\nd: off\ne: y\nf: Off\n")
    assert data == {"a": "NO", "b": "yes", "c": "on", "d": "off", "e": "y", "f": "Off"}


def test_core_schema_scalars() -> None:
    data = load_one(
        "t: true\nf: False\nn: null\ntilde: ~\nempty:\ni: 42\nneg: -7\noct: 0o17\nhex: 0x1F\n"
        "dec_leading_zero: 017\nfl: 1.5e3\ninf: .inf\nninf: -.inf\nnan: .nan\n"
        "date: 2027-03-31\nsexagesimal: 1:20\nquoted: '42'\n"
    )
    assert isinstance(data, dict)
    assert data["t"] is True and data["f"] is False
    assert data["n"] is None and data["tilde"] is None and data["empty"] is None
    assert data["i"] == 42 and data["neg"] == -7
    assert data["oct"] == 15 and data["hex"] == 31 and data["dec_leading_zero"] == 17
    assert data["fl"] == 1500.0 and data["inf"] == math.inf and data["ninf"] == -math.inf
    assert math.isnan(data["nan"])
    assert data["date"] == "2027-03-31"  # no timestamp type in YAML 1.2 core
    assert data["sexagesimal"] == "1:20"
    assert data["quoted"] == "42"


def test_multi_document_files_skip_empty_documents() -> None:
    docs, diags = load_text("f.yaml", "---\na: 1\n---\n---\nb: 2\n...\n")
    assert diags == []
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [d.index for d in docs] == [0, 2]
    assert docs[1].line == 5


def test_duplicate_key_is_reported_at_the_second_key() -> None:
    docs, diags = load_text("f.yaml", "spec:\n  a: 1\n  b: 2\n  a: 3\n")
    assert docs == []
    assert [(d.code, d.line, d.column) for d in diags] == [("MS101", 4, 3)]
    assert "'a'" in diags[0].message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !custom value\n",
        "a: !!timestamp 2024-01-01\n",
        "a: !!binary aGVsbG8=\n",
    ],
)
def test_object_and_unknown_tags_are_refused(text: str) -> None:
    docs, diags = load_text("f.yaml", text)
    assert docs == []
    assert [(d.code, d.line, d.column) for d in diags] == [("MS102", 1, 4)]


def test_standard_tags_are_accepted() -> None:
    assert load_one("a: !!str 42\nb: !!int '7'\n") == {"a": "42", "b": 7}


def test_merge_keys_are_refused() -> None:
    _, diags = load_text("f.yaml", "base: &b {x: 1}\nother:\n  <<: *b\n")
    assert [(d.code, d.line) for d in diags] == [("MS100", 3)]


def test_billion_laughs_is_refused_fast() -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    start = time.perf_counter()
    docs, diags = load_text("bomb.yaml", text)
    elapsed = time.perf_counter() - start
    assert docs == []
    assert [d.code for d in diags] == ["MS103"]
    assert elapsed < 0.5


def test_small_alias_use_is_fine() -> None:
    data = load_one("x: &v [1, 2]\ny: *v\n")
    assert data == {"x": [1, 2], "y": [1, 2]}


def test_nesting_depth_is_bounded() -> None:
    deep = "a: " + "[" * (LIMITS.max_depth + 5) + "]" * (LIMITS.max_depth + 5) + "\n"
    _, diags = load_text("f.yaml", deep)
    assert [d.code for d in diags] == ["MS105"]


def test_syntax_error_has_position() -> None:
    docs, diags = load_text("f.yaml", "a: 1\nb: [1, 2\nc: 3\n")
    assert docs == []
    assert len(diags) == 1
    d = diags[0]
    assert d.code == "MS100" and d.file == "f.yaml" and d.line == 3
    assert "syntax" in d.message


def test_tabs_as_indentation_are_a_syntax_error() -> None:
    _, diags = load_text("f.yaml", "a:\n\tb: 1\n")
    assert [d.code for d in diags] == ["MS100"]
    assert diags[0].line == 2


def test_non_scalar_keys_are_refused() -> None:
    _, diags = load_text("f.yaml", "? [a, b]\n: 1\n")
    assert [d.code for d in diags] == ["MS100"]


def test_one_bad_document_does_not_drop_the_others() -> None:
    docs, diags = load_text("f.yaml", "a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n")
    assert [d.data for d in docs] == [{"a": 1}, {"c": 3}]
    assert [(d.code, d.line) for d in diags] == [("MS101", 4)]


def test_byte_order_mark_is_ignored() -> None:
    assert load_one("\ufeffa: 1\n") == {"a": 1}


def test_positions_of_values_keys_and_missing_paths() -> None:
    docs, _ = load_text("f.yaml", "x:\n  y: 1\n  z: [a, b]\n---\nq:\n  - {k: v}\n")
    first, second = docs
    assert first.position(("x", "z", 1)) == (3, 10)
    assert first.position(("x", "y"), key=True) == (2, 3)
    assert first.position(("x", "y")) == (2, 6)
    # a missing field resolves to its deepest existing ancestor
    assert first.position(("x", "nope")) == (2, 3)
    assert first.position(("x", "nope"), key=True) == (1, 1)
    assert second.position(("q", 0, "k")) == (6, 9)


def test_oversized_and_non_utf8_files_are_reported_and_others_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path
    (root / "big.yaml").write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    (root / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (root / "fine.yaml").write_text("b: 1\n", encoding="utf-8")
    monkeypatch.setattr(LIMITS, "max_file_bytes", 100)
    result = load_files(sorted(root.glob("*.yaml")), root)
    assert sorted((d.file, d.code) for d in result.diagnostics) == [
        ("big.yaml", "MS104"),
        ("latin1.yaml", "MS002"),
    ]
    assert [d.data for d in result.documents] == [{"b": 1}]
    assert result.files == ["big.yaml", "fine.yaml", "latin1.yaml"]
