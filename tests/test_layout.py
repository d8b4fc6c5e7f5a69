"""The layering rules of docs/architecture.md, read off the source with ``ast`` (nothing imported).

Dependencies point one way: ``deployments → flows → tasks → {speech, storage, datasets}``,
``storage → datasets``; the emulator imports nothing of the product but ``speechflows.redaction``
(it is our independent model of Azure); no import cycles between modules (a package's
``__init__`` counts as a module); ``speech``, ``storage`` and ``datasets`` never import Prefect;
no imports inside functions in the layers below the CLI except optional dependencies.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.test_import_budget import _loaded_after_import

PACKAGE = Path(__file__).resolve().parents[1] / "speechflows"

# Imported inside a function on purpose: optional extras or a process entry point's server.
# And the heavy part of an optional step, loaded by the task that runs it (docs/architecture.md
# "Import-time budget"; tests/test_import_budget.py checks the flow modules stay without it).
OPTIONAL_IMPORTS = {
    "azure.identity",
    "uvicorn",
    "speechflows.datasets.audio_report",
    "speechflows.flows.release",
}
# The CLI keeps `speechflows --help` and `validate` from importing Prefect (its modules say so).
LAZY_LAYERS = {"cli", "demo"}
# Below the CLI, the modules `validate` imports load Prefect (secret://, the server's settings
# block) and the storage layer (blob://, SAS URLs) only on the path that needs them;
# test_validate_modules_load_neither_prefect_nor_the_storage_layer keeps that true.
VALIDATE_MODULES = {"speechflows.location", "speechflows.preflight", "speechflows.settings"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    return {
        _module_name(p): (p, ast.parse(p.read_text(encoding="utf-8"), str(p)))
        for p in sorted(PACKAGE.rglob("*.py"))
    }


SOURCES = _sources()


def _resolve(importer: str, path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The speechflows modules (or packages) an import statement names."""
    if isinstance(node, ast.Import):
        candidates = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = importer.split(".")
            if path.name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        candidates = [base] + [f"{base}.{a.name}" for a in node.names]
    found = []
    for name in candidates:
        while name and name not in SOURCES:
            name = name.rpartition(".")[0]
        if name and name != importer:
            found.append(name)
    return found


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for name, (path, tree) in SOURCES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges[name].update(_resolve(name, path, node))
    return edges


EDGES = _edges()


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in EDGES.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in SOURCES:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    assert _cycles() == []


@pytest.mark.parametrize(
    ("lower", "forbidden"),
    [
        ("flows", {"deployments", "cli", "demo", "dev"}),
        ("tasks", {"deployments", "flows", "cli", "demo", "dev"}),
        ("speech", {"tasks", "flows", "deployments", "storage", "datasets", "emulator"}),
        ("storage", {"tasks", "flows", "deployments", "speech", "emulator"}),
        ("datasets", {"storage", "speech", "tasks", "flows", "deployments", "emulator"}),
        ("emulator", {"speech", "storage", "tasks", "flows", "deployments", "datasets"}),
    ],
)
def test_dependencies_point_down(lower: str, forbidden: set[str]) -> None:
    wrong = sorted(
        f"{a} -> {b}"
        for a, targets in EDGES.items()
        if _layer(a) == lower
        for b in targets
        if _layer(b) in forbidden
    )
    assert wrong == []


def test_the_emulator_imports_only_redaction_of_the_product() -> None:
    """Issue 25: the emulator is an independent model; only ``speechflows.redaction`` is shared."""
    outside = sorted(
        f"{a} -> {b}"
        for a, targets in EDGES.items()
        if _layer(a) == "emulator"
        for b in targets
        if _layer(b) != "emulator" and b != "speechflows.redaction"
    )
    assert outside == []


@pytest.mark.parametrize("layer", ["speech", "storage", "datasets"])
def test_library_layers_do_not_import_prefect(layer: str) -> None:
    users = sorted(
        name
        for name, (_, tree) in SOURCES.items()
        if _layer(name) == layer
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for target in (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
        if target == "prefect" or target.startswith("prefect.")
    )
    assert users == []


def test_no_imports_inside_functions_below_the_cli() -> None:
    inner = []
    for name, (path, tree) in SOURCES.items():
        if _layer(name) in LAZY_LAYERS or name in VALIDATE_MODULES:
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = (
                        [a.name for a in node.names]
                        if isinstance(node, ast.Import)
                        else [node.module or ""]
                    )
                    if not any(
                        n.split(".")[0] in OPTIONAL_IMPORTS or n in OPTIONAL_IMPORTS for n in names
                    ):
                        inner.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {fn.name}")
    assert inner == []


def test_validate_modules_load_neither_prefect_nor_the_storage_layer() -> None:
    heavy = {"prefect", "azure.storage.blob", "speechflows.storage.blob_source"}
    for module in sorted(VALIDATE_MODULES):
        assert sorted(_loaded_after_import(module) & heavy) == [], module
