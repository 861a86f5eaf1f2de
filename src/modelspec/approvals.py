"""Writing an Approval: a sign-off pinned to a resource's current digest, in its own spec file."""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from modelspec import yamledit
from modelspec.compile.graph import Graph, Resource
from modelspec.diagnostics import Diagnostic, Severity

__all__ = ["ApprovalRequest", "ApprovalWrite", "approval_name", "prepare_approval"]

_MAX_NAME = 63
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._@/-]*")  # whole string: `$` would pass "x\n"
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """Who approves what, in which role, on which day."""

    subject: str  # address, e.g. model.churn-classifier
    role: str
    approved_by: str
    day: date
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovalWrite:
    """The file an approval goes into and its whole new text."""

    path: str  # posix, relative to the project root
    name: str  # the Approval's metadata.name
    subject: str
    digest: str
    created: bool  # False when an existing Approval was updated in place
    text: str


def approval_name(kind: str, name: str, role: str, taken: set[str]) -> str:
    """`<kind>-<name>-<role>` as a DNS-1123 label, with -2, -3, ... when it is taken."""
    base = re.sub(r"[^a-z0-9]+", "-", f"{kind}-{name}-{role}".lower()).strip("-") or "approval"
    candidate = base[:_MAX_NAME].rstrip("-")
    n = 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: _MAX_NAME - len(suffix)].rstrip("-") + suffix
    return candidate


def prepare_approval(
    graph: Graph, request: ApprovalRequest, *, specs_dir: str, taken_files: set[str]
) -> tuple[ApprovalWrite | None, list[Diagnostic]]:
    """The Approval to write for a request: an update of the one for the same subject and role,
    or a new file under `<specs_dir>/approvals/`. taken_files are paths (relative to the
    project root) that already exist. Pure: nothing is written."""
    subject = graph.get(request.subject)
    if subject is None:
        return None, [_unknown_subject(graph, request.subject)]
    if subject.kind == "Approval":
        return None, [
            _error("an Approval cannot itself be approved", "approve its subject instead")
        ]
    for value, what in ((request.role, "--role"), (request.approved_by, "--by")):
        if not value.strip():
            return None, [_error(f"{what} is empty", f"give {what} a value")]
    existing = [
        a
        for a in graph.of_kind("Approval")
        if a.spec["subject"] == subject.address and a.spec["role"] == request.role
    ]
    if existing and existing[0].document is not None:
        return _update(existing[0], subject, request)
    taken = {a.name for a in graph.of_kind("Approval")}
    directory = f"{specs_dir.strip('/') or '.'}/approvals"
    taken |= {Path(p).stem for p in taken_files if p.startswith(directory + "/")}
    name = approval_name(subject.kind, subject.name, request.role, taken)
    path = f"{directory}/{name}.yaml"
    schema = os.path.relpath("schemas/approval.schema.json", directory).replace(os.sep, "/")
    text = _new_text(name, subject, request, schema)
    return _checked(ApprovalWrite(path, name, subject.address, subject.digest, True, text))


# ---------------------------------------------------------------- a new file


def _new_text(name: str, subject: Resource, request: ApprovalRequest, schema: str) -> str:
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "apiVersion: modelspec/v1",
        "kind: Approval",
        "metadata:",
        f"  name: {name}",
        f"  owner: {_scalar(request.approved_by)}",
    ]
    if request.comment:
        lines.append(f"  description: {_scalar(request.comment)}")
    lines += [
        "spec:",
        f"  subject: {subject.address}",
        f"  digest: {subject.digest}",
        f"  role: {_scalar(request.role)}",
        f"  approved_by: {_scalar(request.approved_by)}",
        f'  date: "{request.day.isoformat()}"',
    ]
    return "\n".join(lines) + "\n"


def _scalar(value: str) -> str:
    """A YAML scalar for a string: bare when it cannot be misread, else double-quoted."""
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


# ---------------------------------------------------------------- an update in place


def _update(
    approval: Resource, subject: Resource, request: ApprovalRequest
) -> tuple[ApprovalWrite | None, list[Diagnostic]]:
    assert approval.document is not None
    document = approval.document
    source = document.source.text
    changes: dict[tuple[str, str], str] = {
        ("spec", "digest"): subject.digest,
        ("spec", "date"): request.day.isoformat(),
        ("spec", "approved_by"): request.approved_by,
    }
    if request.comment:
        changes[("metadata", "description")] = request.comment
    too_large = len(source.encode("utf-8")) > yamledit.MAX_ROUND_TRIP_BYTES
    text = None if too_large else _round_trip_edit(source, document.index, changes)
    if text is None:
        return None, [
            document.diagnostic(
                "MS205",
                f"cannot update {document.file} in place without changing the rest of the file",
                ("spec", "digest"),
                hint=f"set spec.digest to {subject.digest} and spec.date to "
                f"{request.day.isoformat()} by hand",
            )
        ]
    write = ApprovalWrite(
        document.file, approval.name, subject.address, subject.digest, False, text
    )
    return _checked(write)


def _round_trip_edit(text: str, index: int, changes: dict[tuple[str, str], str]) -> str | None:
    """The text with values of one document changed, comments and quoting kept.

    None when ruamel cannot write it back without touching anything else.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    yaml = yamledit.round_trip_yaml()
    try:
        docs = list(yaml.load_all(text))
    except YAMLError:
        return None
    if index >= len(docs) or not isinstance(docs[index], CommentedMap):
        return None
    target = docs[index]
    for (section, key), value in changes.items():
        mapping = target.get(section)
        if not isinstance(mapping, CommentedMap):
            return None
        old = mapping.get(key)
        mapping[key] = type(old)(value) if isinstance(old, str) and type(old) is not str else value
    preamble = yamledit.explicit_start_preamble(text)
    parts = [yamledit.dump_document(yaml, doc) for doc in docs]
    result = (preamble or "") + yamledit.join_documents(parts, explicit_start=preamble is not None)
    if not _only_changed(text, result, index, changes):
        return None
    # Every document of the file gets the editor's schema, as init writes them.
    kinds = [doc.get("kind") if isinstance(doc, CommentedMap) else None for doc in docs]
    with_modelines = yamledit.add_document_modelines(result, kinds)
    same = yamledit.load_plain(with_modelines) == yamledit.load_plain(result)
    return with_modelines if same else result


def _only_changed(before: str, after: str, index: int, changes: dict[tuple[str, str], str]) -> bool:
    """Whether after holds the same data and comments as before, but for the changes."""
    try:
        old, new = yamledit.load_plain(before), yamledit.load_plain(after)
    except ValueError:
        return False
    if len(old) != len(new) or not isinstance(old[index], dict):
        return False
    for (section, key), value in changes.items():
        old[index].setdefault(section, {})[key] = value
    return _plain(old) == _plain(new) and yamledit.comment_lines(before) == yamledit.comment_lines(
        after
    )


def _plain(value: Any) -> Any:
    """Data compared as JSON would see it (a date the safe loader made is text again)."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


# ---------------------------------------------------------------- checks and errors


def _checked(write: ApprovalWrite) -> tuple[ApprovalWrite | None, list[Diagnostic]]:
    """The write, when its text is a valid Approval; otherwise the reasons."""
    from modelspec.compile.check_documents import check_document
    from modelspec.loading.yaml12 import load_text

    docs, diags = load_text(write.path, write.text)
    for doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        if data.get("kind") == "Approval":
            _, problems = check_document(doc)
            diags.extend(problems)
    return (None, diags) if diags else (write, [])


def _unknown_subject(graph: Graph, address: str) -> Diagnostic:
    close = difflib.get_close_matches(address, list(graph.resources), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "`modelspec graph` lists every address"
    return Diagnostic(Severity.ERROR, "MS301", f"{address} does not exist", hint=hint)


def _error(message: str, hint: str) -> Diagnostic:
    return Diagnostic(Severity.ERROR, "MS205", message, hint=hint)
