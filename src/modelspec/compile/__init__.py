"""Compile: Documents -> Graph. Schema checks, names, references, defaults and digests."""

from __future__ import annotations

from modelspec.compile.address import Address
from modelspec.compile.check_documents import check_document
from modelspec.compile.graph import Graph, Resource, address_of, canonical_json, digest_of
from modelspec.compile.references import Candidate, check_references, dependencies
from modelspec.diagnostics import Diagnostic
from modelspec.loading import LoadResult, discover, load_files
from modelspec.loading.documents import Document
from modelspec.project import Project

__all__ = [
    "Address",
    "Graph",
    "Resource",
    "address_of",
    "canonical_json",
    "compile_documents",
    "data_path_problems",
    "digest_of",
    "load_graph",
    "load_specs",
]


def load_specs(project: Project) -> LoadResult:
    """Read every spec file of a project."""
    result = load_files(discover(project.specs_dir), project.root)
    if not result.files and not result.diagnostics:
        from modelspec.diagnostics import Severity

        result.diagnostics.append(
            Diagnostic(
                Severity.WARNING, "MS003", f"no spec files (*.yaml, *.yml) under {project.config.specs}/",
                hint="add specs, or set `specs:` in modelspec.yaml",
            )
        )
    return result


def load_graph(project: Project) -> tuple[Graph, list[Diagnostic]]:
    """Load and compile a project's specs. Diagnostics with errors mean the graph is partial."""
    loaded = load_specs(project)
    graph, diags = compile_documents(loaded.documents)
    return graph, loaded.diagnostics + diags + data_path_problems(graph, project)


def data_path_problems(graph: Graph, project: Project) -> list[Diagnostic]:
    """A contract whose source.path leads outside the project is refused before anything reads it."""
    from modelspec.compile.views import ContractView
    from modelspec.files import Contained
    from modelspec.paths import PathRefused

    out = []
    contained = Contained(project.root)
    for contract in graph.of_kind("DataContract"):
        try:
            ContractView(contract).source_file(project.root, contained)
        except PathRefused as exc:
            where = ("spec", "source", "path")
            if contract.document is not None:
                out.append(contract.document.diagnostic(
                    "MS307", str(exc), where, hint="keep data files inside the project"
                ))
    return out


def compile_documents(documents: list[Document]) -> tuple[Graph, list[Diagnostic]]:
    """Validate each document, check names and references, and build the graph.

    Every problem is reported in one pass; the graph holds the documents that
    passed their own schema (so later stages can still say something useful).
    """
    diags: list[Diagnostic] = []
    index: dict[str, Candidate] = {}
    invalid: set[str] = set()  # addresses of documents that failed their own checks
    for doc in documents:
        model, problems = check_document(doc)
        diags.extend(problems)
        if model is None:
            invalid.update(_claimed_address(doc))
            continue
        normalized = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        kind, name = normalized["kind"], normalized["metadata"]["name"]
        candidate = Candidate(kind, name, doc, model, normalized)
        first = index.get(candidate.address)
        if first is not None:
            diags.append(
                doc.diagnostic(
                    "MS300", f"{kind} {name!r} is defined twice", ("metadata", "name"),
                    hint=f"first defined at {first.doc.file}:{first.doc.position(('metadata', 'name'))[0]}; "
                    "rename one of them",
                )
            )
            continue
        index[candidate.address] = candidate
    diags.extend(check_references(index, invalid))
    return _build(index), diags


def _claimed_address(doc: Document) -> list[str]:
    """The address an invalid document meant to define, when it says so plainly."""
    data = doc.data if isinstance(doc.data, dict) else {}
    metadata = data.get("metadata")
    kind = data.get("kind")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if isinstance(kind, str) and isinstance(name, str):
        return [address_of(kind, name)]
    return []


def _build(index: dict[str, Candidate]) -> Graph:
    """Resources in dependency order (dependencies first), ties broken by address."""
    deps = {
        addr: tuple(sorted({a for _, a in dependencies(c) if a in index and a != addr}))
        for addr, c in index.items()
    }
    ordered: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(addr: str) -> None:
        if state.get(addr) == 2 or state.get(addr) == 1:  # a cycle is reported elsewhere
            return
        state[addr] = 1
        for dep in deps[addr]:
            visit(dep)
        state[addr] = 2
        ordered.append(addr)

    for addr in sorted(index):
        visit(addr)
    resources: dict[str, Resource] = {}
    for addr in ordered:
        c = index[addr]
        resources[addr] = Resource(
            kind=c.kind,
            name=c.name,
            normalized=c.normalized,
            digest=digest_of(c.normalized),
            depends_on=deps[addr],
            document=c.doc,
            model=c.model,
        )
    return Graph(resources)
