"""Hostile policies planted in the example project: a backtracking regex and runaway CEL end as diagnostics, fast."""

from __future__ import annotations

import faulthandler
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from modelspec.cli import cli

# A hang fails the run (faulthandler prints every thread's stack and exits) instead of
# blocking it; far above the figures measured on a loaded 2-core machine (under 2 s each).
LIMIT_SECONDS = 20
HOSTILE = "specs/governance/hostile.yaml"
# Python's re takes about 2**n steps on n a's followed by a '!' against ^(a+)+$; RE2 takes n.
LONG_A = "a" * 50_000 + "!"
LIST = "[" + ",".join(str(i) for i in range(100)) + "]"


@contextmanager
def bounded() -> Iterator[None]:
    faulthandler.dump_traceback_later(LIMIT_SECONDS, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def policy(rules: str, enforcement: str = "hard-mandatory", description: str = "Planted.") -> str:
    return f"""\
apiVersion: modelspec/v1
kind: Policy
metadata: {{name: hostile, owner: mallory}}
spec:
  description: {description}
  enforcement: {enforcement}
  applies_to:
    kinds: [Model]
  rules:
{rules}"""


def plant(root: Path, rules: str, enforcement: str = "hard-mandatory") -> None:
    (root / HOSTILE).write_text(policy(rules, enforcement), encoding="utf-8")


def plant_self_judging(root: Path, rule: str) -> None:
    """A policy on itself, whose description is the hostile text (no other spec changes)."""
    text = policy(rule, description=LONG_A).replace(
        "    kinds: [Model]\n",
        "    kinds: [Policy]\n    where: {field: metadata.name, equals: hostile}\n",
    )
    (root / HOSTILE).write_text(text, encoding="utf-8")


def validate(root: Path) -> tuple[int, list[dict[str, Any]]]:
    with bounded():
        result = CliRunner().invoke(cli, ["-C", str(root), "validate", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.output)["diagnostics"]


def errors(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d["severity"] == "error"]


def test_catastrophic_regex_in_matches_is_searched_in_linear_time(example_project: Path) -> None:
    plant_self_judging(
        example_project, '    - id: redos\n      assert: {field: spec.description, matches: "^(a+)+$"}\n'
    )
    code, found = validate(example_project)
    assert code == 1
    (error,) = errors(found)
    assert (error["code"], error["file"], error["line"], error["path"]) == (
        "MS401", HOSTILE, 5, "/spec/description"
    )
    assert error["message"] == (
        "[hostile/redos] policy.hostile: not met: spec.description matches the pattern "
        "`^(a+)+$` (hard-mandatory)"
    )


def test_the_same_pattern_in_cel_matches_is_searched_by_re2(example_project: Path) -> None:
    plant_self_judging(
        example_project,
        "    - id: redos-cel\n      assert: {expr: \"spec.description.matches('^(a+)+$')\"}\n",
    )
    code, found = validate(example_project)
    assert code == 1
    (error,) = errors(found)
    assert (error["code"], error["file"], error["line"]) == ("MS401", HOSTILE, 3)
    assert error["message"] == (
        "[hostile/redos-cel] policy.hostile: not met: the CEL expression "
        "`spec.description.matches('^(a+)+$')` holds (hard-mandatory)"
    )


def test_a_cel_pattern_re2_lacks_is_a_warning_that_says_why(example_project: Path) -> None:
    plant(
        example_project,
        "    - id: backreference\n"
        "      assert: {expr: \"metadata.name.matches('(a)\\\\\\\\1')\"}\n",
        enforcement="advisory",
    )
    code, found = validate(example_project)
    assert code == 0
    problems = [d for d in found if d["code"] == "MS406"]
    assert {(d["file"], d["line"], d["severity"]) for d in problems} == {(HOSTILE, 11, "warning")}
    assert problems[0]["message"] == (
        "policy hostile: the CEL expression failed on model.biopsy-malignancy-classifier "
        "(matches(): the pattern '(a)\\1' uses a backreference (\\1), which RE2, the linear-time "
        "engine modelspec matches patterns with, lacks: repeat the group's pattern instead of "
        "referring back to it); the condition counts as false"
    )


def test_nested_comprehensions_stop_at_the_evaluation_budget(example_project: Path) -> None:
    nested = f"{LIST}.all(x, {LIST}.all(y, {LIST}.exists(z, x + y + z < 0)))"
    plant(example_project, f'    - id: nested\n      assert: {{expr: "{nested}"}}\n', "advisory")
    code, found = validate(example_project)
    assert code == 1
    budget = [d for d in errors(found) if d["code"] == "MS406"]
    assert [(d["file"], d["line"], d["path"]) for d in budget] == [
        (HOSTILE, 11, "/spec/rules/0/assert/expr")
    ] * 2  # once per model
    assert budget[0]["message"] == (
        "policy hostile: on model.biopsy-malignancy-classifier, the CEL expression exceeded its "
        "evaluation budget of 25,000 steps; simplify it"
    )
    assert "nest fewer macros" in budget[0]["hint"]


def test_a_runaway_expression_cannot_switch_a_policy_off(example_project: Path) -> None:
    """Out of budget in `where` (or under `not`) is an error, not a condition that is false."""
    nested = f"{LIST}.all(x, {LIST}.all(y, {LIST}.all(z, true)))"
    text = policy(
        "    - id: oversight\n      assert: {field: spec.card.human_oversight, exists: false}\n"
    ).replace("    kinds: [Model]\n", f'    kinds: [Model]\n    where: {{not: {{expr: "{nested}"}}}}\n')
    (example_project / HOSTILE).write_text(text, encoding="utf-8")
    code, found = validate(example_project)
    assert code == 1
    assert {(d["code"], d["line"], d["path"]) for d in errors(found)} >= {
        ("MS406", 9, "/spec/applies_to/where/not/expr")
    }


def test_doubling_a_list_runs_out_of_budget_not_of_memory(example_project: Path) -> None:
    doubling = "[[1]]" + ".map(a, a + a)" * 40 + ".size() > 0"
    plant(example_project, f'    - id: doubling\n      assert: {{expr: "{doubling}"}}\n', "advisory")
    code, found = validate(example_project)
    assert code == 1
    assert {(d["code"], d["line"]) for d in errors(found)} == {("MS406", 11)}
    assert all("evaluation budget" in d["message"] for d in errors(found))


def test_500_nested_parentheses_are_refused_when_compiled(example_project: Path) -> None:
    deep = "(" * 500 + "true" + ")" * 500
    plant(example_project, f'    - id: deep\n      assert: {{expr: "{deep}"}}\n')
    code, found = validate(example_project)
    assert code == 1
    (error,) = errors(found)
    assert (error["code"], error["file"], error["line"], error["path"]) == (
        "MS406", HOSTILE, 11, "/spec/rules/0/assert/expr"
    )
    assert error["message"] == (
        "policy hostile: the CEL expression nests too deeply (its parse tree is over 250 "
        "levels): use fewer nested parentheses and macros, or split it into several rules"
    )


def test_a_long_chain_of_operators_is_refused_too(example_project: Path) -> None:
    chain = " && ".join(["true"] * 400)  # no parentheses, but a parse tree 400 levels deep
    plant(example_project, f'    - id: chain\n      assert: {{expr: "{chain}"}}\n')
    code, found = validate(example_project)
    assert code == 1
    (error,) = errors(found)
    assert (error["code"], error["line"]) == ("MS406", 11)
    assert "nests too deeply" in error["message"]


def test_an_overlong_expression_is_refused_before_it_is_parsed(example_project: Path) -> None:
    long = " || ".join(["metadata.name == 'x'"] * 500)  # 12,000 characters
    plant(example_project, f'    - id: long\n      assert: {{expr: "{long}"}}\n')
    code, found = validate(example_project)
    assert code == 1
    (error,) = errors(found)
    assert (error["code"], error["line"]) == ("MS406", 11)
    assert error["message"] == (
        f"policy hostile: the CEL expression is {len(long):,} characters long, over the limit "
        "of 10,000: split it into several rules"
    )


def test_a_regex_re2_lacks_in_a_policy_is_a_schema_error(example_project: Path) -> None:
    plant(
        example_project,
        '    - id: lookahead\n      assert: {field: metadata.name, matches: "^(?!tmp-)"}\n',
    )
    code, found = validate(example_project)
    assert code == 1
    (error,) = errors(found)
    assert (error["code"], error["file"], error["line"], error["path"]) == (
        "MS205", HOSTILE, 11, "/spec/rules/0/assert/matches"
    )
    assert error["message"] == (
        "spec.rules[0].assert.matches: '^(?!tmp-)' uses lookahead or lookbehind ((?!...), which "
        "RE2, the linear-time engine modelspec matches patterns with, lacks: match the text "
        "itself, or combine two conditions with `all` and `not`"
    )
    assert error["hint"] == "match the text itself, or combine two conditions with `all` and `not`"


def test_the_example_policies_are_judged_as_before(example_project: Path) -> None:
    code, found = validate(example_project)
    assert code == 0
    assert [d["code"] for d in found] == ["MS401"]  # the waived, visible note
