"""Model card (Markdown) for every Model, rendered from its spec in a sandboxed Jinja2 template.

Every value taken from a spec is escaped (modelspec.markdown.text) before it
reaches the template, so the template itself cannot forget to: HTML-significant
characters and braces become entities (a `{{ ... }}` in a description stays
text for Jinja- or Liquid-based doc sites too), Markdown punctuation is
backslash-escaped, mentions and links are broken, and line breaks become
`<br>`, keeping every value on its line and table row.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from modelspec import jsonio, markdown
from modelspec.compile.graph import Resource
from modelspec.compile.roles import Role
from modelspec.compile.views import ContractView, ModelView
from modelspec.generate.common import Artifact, safe_join

__all__ = ["escape_markdown", "model_card", "render_model_card"]

NOT_DOCUMENTED = "Not documented."


def escape_markdown(value: Any) -> str:
    """Spec data as inert Markdown text: literal when rendered, never markup or a template."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = jsonio.dumps(jsonio.spelled(value), sort_keys=True, ensure_ascii=False)
    return markdown.text(text, breaks=True)


def _get(data: Mapping[str, Any], *path: str) -> Any:
    current: Any = data
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _text(value: Any) -> str:
    escaped = escape_markdown(value)
    return escaped if escaped else NOT_DOCUMENTED


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _features(model: Resource, contract: Resource | None) -> list[dict[str, str]]:
    columns = {}
    if contract is not None:
        for column in ContractView(contract).columns:
            if isinstance(column, Mapping) and isinstance(column.get("name"), str):
                columns[column["name"]] = column
    rows = []
    for feature in ModelView(model).features:
        column = columns.get(feature, {}) if isinstance(feature, str) else {}
        rows.append(
            {
                "name": escape_markdown(feature),
                "type": escape_markdown(column.get("type")) or "-",
                "classification": escape_markdown(column.get("classification")) or "-",
            }
        )
    return rows


def _gates(model: Resource) -> list[dict[str, str]]:
    gates = []
    for metric in ModelView(model).gates:
        if not isinstance(metric, Mapping):
            continue
        bounds = [
            f"{op} {escape_markdown(metric[key])}"
            for key, op in (("min", "&ge;"), ("max", "&le;"))
            if metric.get(key) is not None
        ]
        gates.append(
            {"name": escape_markdown(metric.get("name")), "bound": ", ".join(bounds) or "-"}
        )
    return gates


def _card_context(model: Resource, refs: Mapping[str, Resource]) -> dict[str, Any]:
    spec, metadata = model.spec, model.metadata
    contract = refs.get(Role.CONTRACT)
    card = _get(spec, "card") or {}
    estimator = _get(spec, "training", "estimator") or {}
    params = _get(estimator, "params")
    labels = metadata.get("labels")
    return {
        "name": escape_markdown(model.name),
        "owner": _text(metadata.get("owner")),
        "version": _text(spec.get("version")),
        "description": _text(metadata.get("description")),
        "digest": escape_markdown(model.digest),
        "labels": [
            {"key": escape_markdown(k), "value": escape_markdown(v)}
            for k, v in sorted(labels.items())
        ]
        if isinstance(labels, Mapping)
        else [],
        "task": _text(spec.get("task")),
        "contract": _text(_get(spec, "data", "contract")),
        "contract_version": escape_markdown(ContractView(contract).version) if contract else "",
        "target": _text(_get(spec, "data", "target")),
        "features": _features(model, contract),
        "estimator": _text(_get(estimator, "class")),
        "params": [
            {"key": escape_markdown(k), "value": escape_markdown(v)}
            for k, v in sorted(params.items())
        ]
        if isinstance(params, Mapping)
        else [],
        "gates": _gates(model),
        "risk_tier": _text(_get(spec, "risk", "tier")),
        "personal_data": _text(_get(spec, "risk", "personal_data")),
        "intended_use": _text(_get(card, "intended_use")),
        "out_of_scope": _text(_get(card, "out_of_scope")),
        "limitations": [_text(item) for item in _items(_get(card, "limitations"))],
        "ethical": [
            {"name": _text(_get(item, "name")), "mitigation": _text(_get(item, "mitigation"))}
            for item in _items(_get(card, "ethical_considerations"))
        ],
        "human_oversight": _text(_get(card, "human_oversight")),
        "license": _text(_get(card, "license")),
        "not_documented": NOT_DOCUMENTED,
    }


@cache
def _template() -> Template:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # values arrive escaped for Markdown, which HTML autoescape is not
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    source = files("modelspec.generate").joinpath("templates/model_card.md.j2").read_text("utf-8")
    return env.from_string(source)


def model_card(model: Resource, refs: Mapping[str, Resource]) -> str:
    return _template().render(**_card_context(model, refs))


def render_model_card(model: Resource, refs: Mapping[str, Resource]) -> list[Artifact]:
    content = model_card(model, refs).encode("utf-8")
    return [Artifact(path=safe_join("models", model.name, "model-card.md"), content=content)]
