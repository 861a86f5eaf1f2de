"""The fuzzer's mutations of a project copy: YAML text, parsed specs, config paths and CSVs."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

import fuzz_values as V
import yaml
from fuzz_files import FileMutations, Mutation, containers_of, short

# class of mutation -> weight; each class picks its own operator
CLASSES = {
    "spec-text": 34,
    "spec-data": 16,
    "config": 16,
    "csv": 16,
    "state": 9,
    "filesystem": 9,
}

_SLOT = re.compile(r"(?:(?<=: )|(?<=- )|(?<=\[)|(?<=, ))[^\s,{}\[\]#][^,{}\[\]#\n]*")


class Mutator(FileMutations):
    """Applies seeded mutations to the project at root; outside is the sentinel folder beside it."""

    # -- entry point -------------------------------------------------------------------------
    def mutate(self, rng: random.Random, kind: str | None = None) -> Mutation:
        kind = kind or rng.choices(list(CLASSES), weights=list(CLASSES.values()))[0]
        handler: Callable[[random.Random], Mutation] = {
            "spec-text": self.spec_text,
            "spec-data": self.spec_data,
            "config": self.config,
            "csv": self.csv,
            "state": self.state,
            "filesystem": self.filesystem,
        }[kind]
        return handler(rng)

    # -- YAML text ---------------------------------------------------------------------------
    def spec_text(self, rng: random.Random, rel: str | None = None) -> Mutation:
        rel = rel or rng.choice(self.spec_files())
        text = self.read(rel).decode("utf-8", "surrogateescape")
        lines = text.split("\n")
        op = rng.choice(
            ["delete", "duplicate", "swap", "indent", "scalar", "scalar", "scalar", "key",
             "line", "line", "splice", "document", "truncate", "bytes", "append", "policy"]
        )
        if op == "policy":
            return self.costly_policy(rng)
        detail = ""
        n = max(1, len(lines) - 1)
        i, j = rng.randrange(n), rng.randrange(n)
        if op == "delete" and len(lines) > 1:
            detail = f"line {i + 1}: {short(lines.pop(i))}"
        elif op == "duplicate":
            lines.insert(i, lines[i])
            detail = f"line {i + 1}"
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
            detail = f"lines {i + 1} and {j + 1}"
        elif op == "indent":
            change = rng.choice(["+1", "+2", "-1", "-2", "tab", "zero"])
            line = lines[i]
            lines[i] = {
                "+1": " " + line, "+2": "  " + line, "-1": line[1:] if line.startswith(" ") else line,
                "-2": line[2:] if line.startswith("  ") else line, "tab": "\t" + line.lstrip(" "),
                "zero": line.lstrip(" "),
            }[change]
            detail = f"line {i + 1} {change}"
        elif op in ("scalar", "key"):
            short_lines = [(k, line) for k, line in enumerate(lines) if len(line) < 2000]
            slots = [(k, m) for k, line in short_lines for m in _SLOT.finditer(line)]
            value = rng.choice(V.yaml_scalars(self.outside_text))
            if op == "key":
                keys = [(k, m) for k, line in short_lines for m in re.finditer(r"[\w.-]+(?=:)", line)]
                slots = keys or slots
                value = rng.choice([value, "nmae", "kind", "spec", "''", "1", "true", "null", "x" * 300])
            if slots:
                k, m = rng.choice(slots)
                lines[k] = lines[k][: m.start()] + value + lines[k][m.end() :]
                detail = f"line {k + 1} {short(m.group())} -> {short(value)}"
            else:
                lines.append(f"x: {value}")
                detail = f"appended x: {short(value)}"
        elif op == "line":
            extra = rng.choice(V.yaml_lines(self.outside_text))
            indent = re.match(r"[ -]*", lines[i]).group().replace("-", " ")  # type: ignore[union-attr]
            lines.insert(i, "\n".join(indent + part for part in extra.split("\n")))
            detail = f"before line {i + 1}: {short(extra)}"
        elif op == "splice":
            other = rng.choice(self.spec_files())
            other_lines = self.read(other).decode("utf-8", "surrogateescape").split("\n")
            line = rng.choice(other_lines)
            lines.insert(i, line)
            detail = f"line from {other}: {short(line)}"
        elif op == "document":
            doc = rng.choice(V.whole_documents(self.outside_text))
            data = doc.encode("latin-1") if doc.startswith("\xff") else doc.encode("utf-8")
            self.write(rel, data)
            return Mutation(rel, "yaml.document", short(doc))
        elif op == "truncate":
            raw = self.read(rel)
            cut = rng.randrange(len(raw) + 1)
            self.write(rel, raw[:cut])
            return Mutation(rel, "yaml.truncate", f"at byte {cut} of {len(raw)}")
        elif op == "bytes":
            raw = self.read(rel)
            junk = rng.choice([b"\x00", b"\xff\xfe", b"\xc3", b"\xef\xbb\xbf", b"\r", b"\x1b[2J",
                               b"\xed\xa0\x80", b"\xe2\x80\xa8", bytes(rng.randrange(256) for _ in range(16))])
            at = rng.randrange(len(raw) + 1)
            self.write(rel, raw[:at] + junk + raw[at:])
            return Mutation(rel, "yaml.bytes", f"{junk!r} at byte {at}")
        else:  # append another document: a copy of a spec (duplicate names) or a hostile one
            if rng.random() < 0.5:
                other = rng.choice(self.spec_files())
                addition = self.read(other).decode("utf-8", "surrogateescape")
                detail = f"copy of {other}"
            else:
                addition = rng.choice(V.whole_documents(self.outside_text))
                detail = short(addition)
            lines.extend(["---", addition])
            op = "append"
        self.write(rel, "\n".join(lines).encode("utf-8", "surrogateescape"))
        return Mutation(rel, f"yaml.{op}", detail)

    def costly_policy(self, rng: random.Random) -> Mutation:
        """A policy whose condition is costly to judge, and a description that makes backtracking slow."""
        condition = rng.choice(V.policy_conditions())
        self.write("specs/governance/fuzz-costly.yaml", V.hostile_policy(condition))
        model = "specs/models/diabetes-progression-regressor.yaml"
        text = self.read(model).decode("utf-8", "surrogateescape")
        text = re.sub(r"(?m)^  description: .*$", "  description: " + "a" * 40 + "!", text, count=1)
        self.write(model, text.encode("utf-8", "surrogateescape"))
        return Mutation("specs/governance/fuzz-costly.yaml", "yaml.policy", short(condition))

    # -- parsed YAML -------------------------------------------------------------------------
    def spec_data(self, rng: random.Random, rel: str | None = None) -> Mutation:
        rel = rel or rng.choice(self.spec_files())
        try:
            docs = list(yaml.safe_load_all(self.read(rel)))
        except (yaml.YAMLError, ValueError, RecursionError):
            return self.spec_text(rng, rel)
        containers = [(d, path, node) for d, doc in enumerate(docs) for path, node in containers_of(doc)]
        if not containers:
            return self.spec_text(rng, rel)
        op = rng.choice(["text", "text", "text", "replace", "replace", "replace", "delete", "add",
                         "rename", "wrap", "move"])
        strings = [(path, node, k) for _, path, node in containers
                   for k in (node if isinstance(node, dict) else range(len(node)))
                   if isinstance(node[k], str)]
        if op == "text" and strings:  # a hostile string where a string stands: the spec often stays valid
            path, node, key = rng.choice(strings)
            value: Any = rng.choice([v for v in V.python_values(self.outside_text) if isinstance(v, str)])
            if rng.random() < 0.3:
                value = f"{node[key]} {value}"
            node[key] = value
            return self._dump(rng, rel, docs, f"data.{op}", "/".join(str(p) for p in [*path, key]), value)
        _, path, node = rng.choice(containers)
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        value = rng.choice(V.python_values(self.outside_text))
        if op == "text":
            op = "replace"
        if not keys:
            op = "add"
        key: Any = rng.choice(keys) if keys else "extra"
        if op == "replace":
            node[key] = value
        elif op == "delete":
            del node[key]
        elif op == "add":
            if isinstance(node, dict):
                key = rng.choice(["extra", "x-fuzz", "", "spec", "apiVersion", 1, True, None])
                node[key] = value
            else:
                node.append(value)
        elif op == "rename" and isinstance(node, dict):
            new = rng.choice(["", "nmae", key.upper() if isinstance(key, str) else "k", 0, None, "x" * 200])
            node[new] = node.pop(key)
            value = new
        elif op == "wrap":
            node[key] = rng.choice([[node[key]], {"value": node[key]}, [[[node[key]]]]])
            value = "wrapped"
        else:  # move another container here: right shape, wrong place
            _, _, other = rng.choice(containers)
            node[key] = other
            value = "another container"
        return self._dump(rng, rel, docs, f"data.{op}", "/".join(str(p) for p in [*path, key]), value)

    def _dump(self, rng: random.Random, rel: str, docs: list[Any], op: str, where: str, value: Any) -> Mutation:
        try:
            text = yaml.safe_dump_all(
                docs, sort_keys=False, allow_unicode=rng.random() < 0.5,
                default_flow_style=rng.choice([False, None]), width=rng.choice([80, 10_000]),
            )
        except (yaml.YAMLError, ValueError, RecursionError):
            return self.spec_text(rng, rel)
        self.write(rel, text.encode("utf-8", "surrogatepass"))
        return Mutation(rel, op, f"{where} = {short(value)}")

    # -- modelspec.yaml ----------------------------------------------------------------------
    def config(self, rng: random.Random) -> Mutation:
        rel = "modelspec.yaml"
        roll = rng.random()
        if roll < 0.35:
            return self.spec_text(rng, rel)
        if roll < 0.5:
            return self.spec_data(rng, rel)
        try:
            data = yaml.safe_load(self.read(rel))
        except (yaml.YAMLError, ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            data = {"project": "fuzz"}
        keys = rng.choice(V.CONFIG_KEYS)
        if rng.random() < 0.85:
            value: Any = rng.choice(V.config_paths(self.outside_text))
        else:
            value = rng.choice(V.python_values(self.outside_text))
        node = data
        for k in keys[:-1]:
            if not isinstance(node.get(k), dict):
                node[k] = {}
            node = node[k]
        node[keys[-1]] = value
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=rng.random() < 0.5)
        self.write(rel, text.encode("utf-8", "surrogatepass"))
        return Mutation(rel, "config.path", f"{'.'.join(keys)} = {short(value)}")

    # -- CSV ---------------------------------------------------------------------------------
    def csv(self, rng: random.Random) -> Mutation:
        rel = rng.choice(["data/diabetes.csv", "data/breast_cancer.csv"])
        raw = self.read(rel)
        rows = [line.split(",") for line in raw.decode("utf-8", "surrogateescape").split("\n") if line]
        if not rows:
            rows = [["a"]]
        width = len(rows[0])
        op = rng.choice(["drop-column", "add-column", "ragged", "cell", "cell", "cell", "header-only",
                         "empty", "bom", "junk", "crlf", "duplicate-header", "truncate", "wide",
                         "one-row", "header-cell", "quote", "blank-lines"])
        r = rng.randrange(1, len(rows)) if len(rows) > 1 else 0
        c = rng.randrange(width)
        detail = ""
        if op == "drop-column":
            rows = [row[:c] + row[c + 1 :] for row in rows]
            detail = f"column {c}"
        elif op == "add-column":
            rows = [[*row, "extra" if k == 0 else str(k)] for k, row in enumerate(rows)]
        elif op == "ragged":
            rows[r] = rows[r][: rng.randrange(width)] if rng.random() < 0.5 else [*rows[r], "x", "y"]
            detail = f"row {r}"
        elif op in ("cell", "header-cell"):
            cell = rng.choice(V.CSV_CELLS)
            row = 0 if op == "header-cell" else r
            rows[row][c % len(rows[row])] = cell
            detail = f"row {row} column {c} = {short(cell)}"
        elif op == "header-only":
            rows = rows[:1]
        elif op == "empty":
            self.write(rel, b"")
            return Mutation(rel, "csv.empty", "0 bytes")
        elif op == "bom":
            self.write(rel, b"\xef\xbb\xbf" + raw)
            return Mutation(rel, "csv.bom", "UTF-8 BOM")
        elif op == "junk":
            junk = bytes(rng.randrange(256) for _ in range(rng.choice([1, 16, 4096])))
            at = rng.randrange(len(raw) + 1)
            self.write(rel, raw[:at] + junk + raw[at:])
            return Mutation(rel, "csv.junk", f"{len(junk)} random bytes at {at}")
        elif op == "crlf":
            self.write(rel, raw.replace(b"\n", b"\r\n"))
            return Mutation(rel, "csv.crlf", "CRLF line ends")
        elif op == "duplicate-header":
            rows[0][c] = rows[0][(c + 1) % width]
            detail = f"column {c} = {rows[0][c]}"
        elif op == "truncate":
            cut = rng.randrange(len(raw) + 1)
            self.write(rel, raw[:cut])
            return Mutation(rel, "csv.truncate", f"at byte {cut}")
        elif op == "wide":
            rows = [row + [str(k) for k in range(5000)] for row in rows[:3]]
        elif op == "one-row":
            rows = rows[:2]
        elif op == "quote":
            rows[r][c] = '"' + rows[r][c]
        else:
            self.write(rel, raw.replace(b"\n", b"\n\n", 5))
            return Mutation(rel, "csv.blank-lines", "blank lines")
        self.write(rel, "\n".join(",".join(row) for row in rows).encode("utf-8", "surrogateescape") + b"\n")
        return Mutation(rel, f"csv.{op}", detail)
