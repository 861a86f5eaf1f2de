"""The fuzzer's mutations of files modelspec reads back (state, lock, saved plan) and of the file system."""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fuzz_values as V


@dataclass(frozen=True)
class Mutation:
    """One change to the case's project: which file, how, and a short description of the value."""

    target: str  # path relative to the project
    operator: str
    detail: str

    def describe(self) -> str:
        return f"{self.operator} {self.target}: {self.detail}"


def short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 20]}...<{len(text)} chars>"


class FileMutations:
    """Mutations of the project at root by file: reading and writing them, state files, the file system."""

    def __init__(self, root: Path, outside: Path) -> None:
        self.root = root
        self.outside = outside
        self.outside_text = str(outside)

    # -- helpers -------------------------------------------------------------------------------
    def spec_files(self) -> list[str]:
        found = []
        for path in sorted((self.root / "specs").rglob("*.yaml")):
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(self.root).as_posix())
        return found or ["specs/extra.yaml"]

    def read(self, rel: str) -> bytes:
        path = self.root / rel
        if path.is_symlink() or not path.is_file():
            return b""
        return path.read_bytes()

    def write(self, rel: str, data: bytes | str) -> None:
        path = self.root / rel
        self._clear_parents(rel)
        if path.is_symlink() or (path.exists() and not path.is_file()):
            _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        path.write_bytes(data)

    # -- files modelspec reads back ------------------------------------------------------------
    def state(self, rng: random.Random) -> Mutation:
        rel = rng.choice([".modelspec/state.json", ".modelspec/state.json", "plan.json",
                          ".modelspec/audit.jsonl", ".modelspec/state.lock", ".modelspec/state.lock",
                          ".modelspec/state.json.backup"])
        registry = self.registry_files()
        if registry and rng.random() < 0.4:
            rel = rng.choice(registry)
        if not rel.endswith((".json", ".jsonl", ".lock", ".backup")):
            return self.artifact(rng, rel)
        if rel.endswith(".lock"):
            content = rng.choice(_lock_contents())
            self.write(rel, content)
            return Mutation(rel, "state.lock", short(content))
        raw = self.read(rel)
        op = rng.choice(["json", "json", "json", "truncate", "text", "delete"])
        if not os.path.lexists(self.root / rel):
            op = "text"
        if op == "delete":
            _remove(self.root / rel)
            return Mutation(rel, "state.delete", "removed")
        if op == "truncate":
            cut = rng.randrange(len(raw) + 1)
            self.write(rel, raw[:cut])
            return Mutation(rel, "state.truncate", f"at byte {cut}")
        if op == "text":
            content = rng.choice(_json_texts())
            if rel.endswith(".jsonl") and rng.random() < 0.5:
                content = raw + content
            self.write(rel, content)
            return Mutation(rel, "state.text", short(content))
        lines = raw.split(b"\n") if rel.endswith(".jsonl") else [raw]
        k = rng.randrange(len(lines))
        try:
            doc = json.loads(lines[k])
        except (ValueError, RecursionError):
            self.write(rel, b"{}")
            return Mutation(rel, "state.text", "{}")
        containers = list(containers_of(doc))
        if not containers:
            self.write(rel, b"[]")
            return Mutation(rel, "state.text", "[]")
        path, node = rng.choice(containers)
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            self.write(rel, b"[]")
            return Mutation(rel, "state.text", "[]")
        key = rng.choice(keys)
        placeholder = "__FUZZ_VALUE__"
        node[key] = placeholder
        hostile = rng.choice(_json_values())
        lines[k] = json.dumps(doc).replace(f'"{placeholder}"', hostile).encode("utf-8")
        self.write(rel, b"\n".join(lines))
        return Mutation(rel, "state.json", f"{'/'.join(map(str, [*path, key]))} = {short(hostile)}")

    def registry_files(self) -> list[str]:
        """The registry's manifests, aliases and artifacts, in a case copied from the trained template."""
        registry = self.root / ".modelspec" / "registry"
        if registry.is_symlink() or not registry.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in registry.rglob("*") if p.is_file())

    def artifact(self, rng: random.Random, rel: str) -> Mutation:
        """A model artifact truncated, swapped for the other model's, or overwritten with junk."""
        raw = self.read(rel)
        op = rng.choice(["truncate", "swap", "junk", "empty"])
        if op == "swap":
            others = [r for r in self.registry_files() if r != rel and r.endswith(Path(rel).suffix)]
            if others:
                other = rng.choice(others)
                self.write(rel, self.read(other))
                return Mutation(rel, "registry.swap", f"bytes of {other}")
            op = "truncate"
        if op == "truncate":
            cut = rng.randrange(len(raw) + 1)
            self.write(rel, raw[:cut])
            return Mutation(rel, "registry.truncate", f"at byte {cut} of {len(raw)}")
        if op == "junk":
            self.write(rel, bytes(rng.randrange(256) for _ in range(512)))
            return Mutation(rel, "registry.junk", "512 random bytes")
        self.write(rel, b"")
        return Mutation(rel, "registry.empty", "0 bytes")

    # -- the file system -----------------------------------------------------------------------
    def filesystem(self, rng: random.Random) -> Mutation:
        spec = rng.choice(self.spec_files())
        options: list[tuple[str, str, Callable[[], None]]] = [
            (spec, "symlink to the sentinel's secret.yaml", lambda: self._link(spec, self.outside / "secret.yaml")),
            (spec, "symlink to /dev/zero", lambda: self._link(spec, Path("/dev/zero"))),
            (spec, "dangling symlink", lambda: self._link(spec, self.root / "nowhere.yaml")),
            ("specs/loop.yaml", "symlink loop", lambda: self._link("specs/loop.yaml", self.root / "specs/loop.yaml")),
            ("specs/zz-fifo.yaml", "FIFO", lambda: self._fifo("specs/zz-fifo.yaml")),
            ("specs/dir.yaml", "directory named *.yaml", lambda: self._dir("specs/dir.yaml")),
            ("specs/outside", "symlinked directory to the sentinel",
             lambda: self._link("specs/outside", self.outside / "specs")),
            ("specs/huge.yaml", "file over the size limit",
             lambda: self.write("specs/huge.yaml", b"# " + b"x" * (5 * 1024 * 1024) + b"\n")),
            ("modelspec.yaml", "symlink to the sentinel", lambda: self._link("modelspec.yaml", self.outside / "modelspec.yaml")),
            ("modelspec.yaml", "symlink to /dev/zero", lambda: self._link("modelspec.yaml", Path("/dev/zero"))),
            ("modelspec.yaml", "FIFO", lambda: self._fifo("modelspec.yaml")),
            ("data/diabetes.csv", "symlink to the sentinel's secret.csv",
             lambda: self._link("data/diabetes.csv", self.outside / "secret.csv")),
            ("data/breast_cancer.csv", "symlink to /dev/zero", lambda: self._link("data/breast_cancer.csv", Path("/dev/zero"))),
            ("data/diabetes.csv", "FIFO", lambda: self._fifo("data/diabetes.csv")),
            ("generated/models", "symlinked directory to the sentinel",
             lambda: self._link("generated/models", self.outside / "generated")),
            ("generated/contracts/diabetes-cohort/expectations.json", "symlink to a sentinel file",
             lambda: self._link("generated/contracts/diabetes-cohort/expectations.json", self.outside / "secret.json")),
            (".modelspec/state.json", "symlink to the sentinel", lambda: self._link(".modelspec/state.json", self.outside / "state.json")),
            (".modelspec/state.json", "symlink to /dev/zero", lambda: self._link(".modelspec/state.json", Path("/dev/zero"))),
            (".modelspec/state.json", "FIFO", lambda: self._fifo(".modelspec/state.json")),
            (".modelspec/state.json", "directory", lambda: self._dir(".modelspec/state.json")),
            (".modelspec/state.lock", "directory", lambda: self._dir(".modelspec/state.lock")),
            (".modelspec", "a file, not a directory", lambda: self._file(".modelspec")),
            ("plan.json", "symlink to /dev/zero", lambda: self._link("plan.json", Path("/dev/zero"))),
            ("plan.json", "FIFO", lambda: self._fifo("plan.json")),
            ("generated", "a file, not a directory", lambda: self._file("generated")),
        ]
        weights = [6 if "huge" not in what else 1 for _, what, _ in options]
        rel, what, act = rng.choices(options, weights=weights)[0]
        act()
        return Mutation(rel, "fs", what)

    def _clear_parents(self, rel: str) -> None:
        """Remove a file or symlink an earlier mutation left where a folder of rel must be."""
        parent = self.root
        for part in Path(rel).parts[:-1]:
            parent = parent / part
            if os.path.lexists(parent) and (parent.is_symlink() or not parent.is_dir()):
                _remove(parent)
                return

    def _link(self, rel: str, target: Path) -> None:
        self._clear_parents(rel)
        path = self.root / rel
        if os.path.lexists(path):
            _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, path)

    def _fifo(self, rel: str) -> None:
        self._clear_parents(rel)
        path = self.root / rel
        if os.path.lexists(path):
            _remove(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(path)

    def _dir(self, rel: str) -> None:
        self._clear_parents(rel)
        path = self.root / rel
        if os.path.lexists(path):
            _remove(path)
        path.mkdir(parents=True)
        (path / "inner").write_text("x", encoding="utf-8")

    def _file(self, rel: str) -> None:
        self._clear_parents(rel)
        path = self.root / rel
        if os.path.lexists(path):
            _remove(path)
        path.write_text("not a directory\n", encoding="utf-8")


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        shutil.rmtree(path)


def containers_of(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every dict and list in a parsed document with its path, the root first."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    stack = [(path, node)]
    seen: set[int] = set()
    while stack:
        here, item = stack.pop()
        if not isinstance(item, dict | list) or id(item) in seen:
            continue
        seen.add(id(item))
        found.append((here, item))
        children = item.items() if isinstance(item, dict) else enumerate(item)
        stack.extend(((*here, k), v) for k, v in children)
    return found


def _json_values() -> list[str]:
    """Hostile JSON text for one value of a state file, saved plan or audit line."""
    return [
        "null", "true", "0", "-1", "1.5", '""', '"x"', "[]", "{}", '{"a": 1}',
        "9" * 5000, "-" + "9" * 400, "1e309", "-1e309", "NaN", "Infinity", "-Infinity",
        "[" * 10_000 + "]" * 10_000, '{"a":' * 5000 + "1" + "}" * 5000, "[" * 150 + "]" * 150,
        '"\\ud800"', '"\\u0000"', '"' + "a" * 1_000_000 + '"', str(2**64), str(2**31),
        '"../../outside/secret.csv"', '"/etc/passwd"', '"::error title=fuzz::injected"',
        '"' + V.MENTION + '"',
    ]


def _json_texts() -> list[bytes]:
    """Hostile whole contents for a JSON file modelspec reads back."""
    return [
        b"", b"\n", b"{", b"null", b"[]", b"42", b'"state"', b"{}", b'{"version": 999}',
        b'{"version": -1}', b'{"format_version": "x"}', b"\xff\xfe\x00\x00", b"\x00" * 64,
        b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b"9" * 10_000, b'{"serial": ' + b"9" * 5000 + b"}", b"NaN", b'{"serial": Infinity}',
        b'{"a": 1, "a": 2}', b"\xef\xbb\xbf{}", b'{"x": "\\ud800"}', b'{"x"' + b":1" * 10 + b"}",
        b"\n".join([b"{}"] * 10_000),
    ]


def _lock_contents() -> list[bytes]:
    """Hostile lock files: impossible pids, bad text, deep JSON."""
    import socket

    host = socket.gethostname()

    def lock(**override: Any) -> bytes:
        base: dict[str, Any] = {"id": "fuzz-lock", "user": "fuzz", "host": host, "pid": 2**31,
                                "command": "apply", "created": "2026-11-27T09:30:00Z"}
        base.update(override)
        return json.dumps(base).encode("utf-8")

    return [
        lock(), lock(pid=2**63), lock(pid=-1), lock(pid=0), lock(pid=1.5), lock(pid="1"),
        lock(pid=2**31 - 1), lock(host="elsewhere", pid=1), lock(id="../../x"),
        lock(command="::error title=fuzz::injected"), lock(created="not a date"),
        lock(user="\x1b[2J"), lock().replace(b'"pid": 2147483648', b'"pid": ' + b"9" * 5000),
        b"", b"\xff\xfe garbage", b"[" * 100_000, b'{"pid": NaN}', b"null", b"{}", b"\x00",
    ]
