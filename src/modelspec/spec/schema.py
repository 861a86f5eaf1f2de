"""JSON Schema (draft 2020-12) export of every kind and of the project file."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from modelspec.project import ProjectConfig
from modelspec.spec.common import API_VERSION
from modelspec.spec.kinds import KINDS

__all__ = ["DRAFT", "SCHEMA_BASE_URI", "dump_schema", "json_schemas", "schema_file"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE_URI = "https://modelspec.dev/schemas/v1/"
PROJECT_SCHEMA_FILE = "modelspec.schema.json"

_DESCRIPTIONS = {
    "DataContract": "A versioned description of a data set: its source, columns and quality checks.",
    "Model": "A model: the data it is trained on, how it is trained and judged, its risk and card.",
    "Target": "A place models are served from: a platform and namespace.",
    "Deployment": "A model served on a target, online or in batch, with rollout and monitoring.",
    "Policy": "A governance policy: rules that resources of some kinds must meet.",
    "Waiver": "Lifts a soft-mandatory or advisory policy rule for some resources until a date.",
    "Approval": "A sign-off by a role on one version (digest) of a resource.",
}


def schema_file(kind: str) -> str:
    """The schema file name of a kind: "Model" -> "model.schema.json"."""
    return f"{kind.lower()}.schema.json"


def _document(model: type[BaseModel], file: str, title: str, description: str) -> dict[str, Any]:
    body = model.model_json_schema(by_alias=True, mode="validation")
    body.pop("title", None)
    body.pop("description", None)
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_BASE_URI + file,
        "title": title,
        "description": description,
        **body,
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema document, one per kind plus the project file."""
    out: dict[str, dict[str, Any]] = {}
    for kind, model in KINDS.items():
        file = schema_file(kind)
        out[file] = _document(model, file, f"{API_VERSION} {kind}", _DESCRIPTIONS[kind])
    out[PROJECT_SCHEMA_FILE] = _document(
        ProjectConfig,
        PROJECT_SCHEMA_FILE,
        "modelspec project (modelspec.yaml)",
        "The project file: where specs, generated artifacts, state, pipelines and the registry live.",
    )
    return dict(sorted(out.items()))


def dump_schema(schema: dict[str, Any]) -> str:
    """The committed text of a schema: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
