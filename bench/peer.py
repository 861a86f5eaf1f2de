"""The peer measurement: check-jsonschema over the same documents, against modelspec's JSON Schemas.

check-jsonschema reads one document per file and one schema per call, so the
peer gets the very same document bytes split one per file, and a single
combined schema that picks each kind's schema with if/then on `kind` (each
kind's schema embedded under $defs with its own $id, so nothing is fetched).
One process checks every document, as one `modelspec validate` does.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

__all__ = ["PEER", "combined_schema", "peer_command", "prepare_peer_inputs", "ruamel_clib"]

PEER = "check-jsonschema"

_DOC_SEPARATOR = re.compile(r"^---[ \t]*\n", re.MULTILINE)
_KIND = re.compile(r"^kind:[ \t]*([A-Za-z]+)", re.MULTILINE)


def peer_executable() -> str | None:
    """check-jsonschema next to this interpreter (the venv) or on PATH."""
    beside = Path(sys.executable).parent / PEER
    if beside.exists():
        return str(beside)
    return shutil.which(PEER)


def ruamel_clib() -> bool:
    """Whether ruamel.yaml's C extension is importable: check-jsonschema is 2-3x slower without it."""
    return importlib.util.find_spec("_ruamel_yaml") is not None


def combined_schema(schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One schema for every kind: the document's `kind` selects the kind's schema."""
    from modelspec.spec.kinds import KINDS
    from modelspec.spec.schema import DRAFT, SCHEMA_BASE_URI, schema_file

    embedded = {kind: schemas[schema_file(kind)] for kind in KINDS}
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_BASE_URI + "any-kind.schema.json",
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": list(embedded)}},
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": schema["$id"]},
            }
            for kind, schema in embedded.items()
        ],
        "$defs": embedded,
    }


def prepare_peer_inputs(spec_files: list[Path], out: Path) -> tuple[Path, list[Path]]:
    """Write the combined schema and one file per document into out; (schema, files)."""
    from modelspec.spec.schema import json_schemas

    out.mkdir(parents=True, exist_ok=True)
    schema_path = out / "any-kind.schema.json"
    schema_path.write_text(json.dumps(combined_schema(json_schemas()), indent=1), encoding="utf-8")
    docs_dir = out / "docs"
    docs_dir.mkdir(exist_ok=True)
    written: list[Path] = []
    for number, path in enumerate(spec_files):
        parts = _DOC_SEPARATOR.split(path.read_text(encoding="utf-8"))
        for index, part in enumerate(p for p in parts if _KIND.search(p)):
            target = docs_dir / f"{number:05d}-{index:02d}.yaml"
            target.write_text(part, encoding="utf-8")
            written.append(target)
    return schema_path, written


def peer_command(executable: str, schema: Path, files: list[Path]) -> list[str]:
    return [executable, "--schemafile", str(schema), *(str(f) for f in files)]
