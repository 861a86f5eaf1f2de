"""What each diagnostic code means: the text of docs/diagnostics.md's table, for SARIF's rule help."""

from __future__ import annotations

import re

__all__ = ["DESCRIPTIONS", "DOCS_URI", "REPOSITORY_URI", "help_uri", "plain"]

REPOSITORY_URI = "https://github.com/modelspec/modelspec"
# The page whose "Codes" table documents every code; tests/diagnostics/test_rules.py keeps
# DESCRIPTIONS and that table word for word the same.
DOCS_URI = REPOSITORY_URI + "/blob/main/docs/diagnostics.md"

# code -> what it means, in Markdown (backticks for names as written in a spec)
DESCRIPTIONS: dict[str, str] = {
    "MS001": "`modelspec.yaml` is missing, unreadable or has an invalid field",
    "MS002": "a spec file cannot be read or is not UTF-8",
    "MS003": "the specs directory holds no `*.yaml` / `*.yml` files (warning)",
    "MS100": (
        "the YAML does not parse; also non-scalar keys and merge keys (`<<`), which YAML 1.2 "
        "does not define"
    ),
    "MS101": "a key appears twice in one mapping (the second is reported)",
    "MS102": (
        "a tag other than the standard `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, "
        "`!!map`, `!!seq`; object-constructing tags such as `!!python/object` are never "
        "honoured"
    ),
    "MS103": "aliases expand a document past 200,000 nodes (a \"billion laughs\" file)",
    "MS104": "a spec file is over 4 MiB",
    "MS105": "a document nests deeper than 64 levels",
    "MS106": "a document is a list or a scalar instead of a spec",
    "MS200": "`apiVersion` is missing or not `modelspec/v1`",
    "MS201": "`kind` is missing or not one of the seven kinds",
    "MS202": "a field the kind does not define (with a \"did you mean\")",
    "MS203": "a required field is absent",
    "MS204": (
        "a value has the wrong type (`\"10\"` where an integer is expected, a number where a "
        "version string is expected)"
    ),
    "MS205": (
        "a value outside its enum, range or pattern, an invalid date, or a regular expression"
        " RE2 does not compile"
    ),
    "MS206": "a name that is not a DNS-1123 label",
    "MS207": (
        "a version that is not semver 2.0.0, or has +build metadata (modelspec's builds are "
        "`<version>+<N>`)"
    ),
    "MS208": "a `schedule` that is not a valid five-field cron expression or macro",
    "MS209": (
        "fields that contradict each other (min above max, `schedule` on an online "
        "deployment, a canary without `canary_percent`, ...)"
    ),
    "MS300": (
        "two documents of one kind share a name (the second is reported, the hint names the "
        "first)"
    ),
    "MS301": "a reference to a contract, model, target, policy or resource that does not exist",
    "MS302": "a model's target or feature is not a column of its data contract",
    "MS303": "an estimator class outside the allow-list; it is never imported",
    "MS304": "a waiver names a rule its policy does not have",
    "MS305": "targets whose `promotion_from` chain loops",
    "MS306": "a classifier on a regression model or the reverse",
    "MS307": (
        "a contract's `source.path` leads outside the project (`..`, an absolute path or a "
        "symlink); nothing reads it"
    ),
    "MS401": (
        "a resource breaks a policy rule: a warning for advisory policies, an error for "
        "soft-mandatory ones (unless waived) and hard-mandatory ones; a waived finding stays "
        "visible as a note with its justification and approver"
    ),
    "MS402": "a waiver names a hard-mandatory policy, which nothing can lift",
    "MS403": "a waiver's `expires` date has passed: it lifts nothing (warning)",
    "MS404": "a waiver expires within 14 days (warning)",
    "MS405": (
        "an approval's digest no longer matches its subject, which changed since; it counts "
        "for nothing (warning)"
    ),
    "MS406": (
        "a CEL `expr` does not compile, is over 10,000 characters or nests too deeply (error,"
        " the rule is skipped), fails at run time (warning, the condition is false) or "
        "exceeds its evaluation budget (error)"
    ),
    "MS407": (
        "a Deployment's target has `promotion_from: X`, and the model version it deploys is "
        "neither applied to a Deployment on X nor deployed there by the same plan (error, at "
        "`spec.model`)"
    ),
    "MS408": (
        "an applied Deployment moves to a model version that its source target only receives "
        "in the same plan: the version has not run there before (warning)"
    ),
    "MS409": (
        "`apply --override` names a hard-mandatory or unknown policy (error), or a policy "
        "with nothing blocking to lift (warning)"
    ),
    "MS501": (
        "what a model is trained from changed (task, data, training, or a contract column it "
        "uses) but `spec.version` did not; versions are immutable"
    ),
    "MS502": "a data contract changed in a breaking way without a new major version",
    "MS503": "a saved plan file cannot be read or is not a modelspec plan",
    "MS504": (
        "a saved plan no longer matches the state (lineage or serial) or the specs changed "
        "since it was made"
    ),
    "MS505": (
        "a step of apply failed; state records what was done before it (when the audit record"
        " cannot be written first, nothing is done)"
    ),
    "MS506": (
        "a generated path would leave `generated/`, by its name or through a symlinked "
        "directory; nothing is written"
    ),
    "MS507": "the state is locked by another run, or cannot be read",
}

_CODE_SPAN = re.compile(r"`([^`]*)`")


def help_uri(code: str) -> str:
    """Where the docs explain code: the Codes table of docs/diagnostics.md; "" for an unknown code."""
    return f"{DOCS_URI}#codes" if code in DESCRIPTIONS else ""


def plain(markdown: str) -> str:
    """A description as plain text: code spans lose their backticks."""
    return _CODE_SPAN.sub(r"\1", markdown)
