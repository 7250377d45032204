"""The layout holds: every provider module imports first in a fresh interpreter, and the
project's own imports form no cycle between the framework's modules or between apps, with
``clianta`` importing no other app.

The import graph is read with the standard library's ``ast``: the imports a module runs when it
is loaded (at module level, in class bodies and in ``if``/``try`` blocks; not inside functions,
nor under ``if TYPE_CHECKING:``). Anyone can run it: ``pytest tests/integrations/test_layout.py``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Top-level folders that are not the project's packages.
NOT_PACKAGES = {"tests", "bench", "docs", "docker", "templates"}
FRAMEWORK = "integrations"
CORE = "clianta"


def project_packages() -> list[str]:
    return sorted(
        path.name
        for path in ROOT.iterdir()
        if (path / "__init__.py").is_file() and path.name not in NOT_PACKAGES
    )


def module_files() -> dict[str, Path]:
    """Dotted name -> file, for every module of the project's packages (migrations left out:
    only ``migrate`` loads them)."""
    modules = {}
    for package in project_packages():
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def apps(modules: dict[str, Path]) -> list[str]:
    """The Django apps among the packages (a folder with an ``apps.py``), longest first."""
    found = [name.removesuffix(".apps") for name in modules if name.endswith(".apps")]
    return sorted(found, key=len, reverse=True)


def app_of(module: str, app_names: list[str]) -> str | None:
    return next((a for a in app_names if module == a or module.startswith(a + ".")), None)


def _runs_at_import(node: ast.AST):
    """The import statements executed when the module body runs."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                yield from _runs_at_import(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from _runs_at_import(child)


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The project module ``name`` loads (its longest prefix that is one), or None."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, modules: dict[str, Path]) -> set[str]:
    """The project modules ``module`` imports at import time."""
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in _runs_at_import(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        found.update(t for t in (_known(target, modules) for target in targets) if t)
    found.discard(module)
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[str, Path]]:
    modules = module_files()
    return {module: imports_of(module, modules) for module in modules}, modules


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> … -> a) through each strongly connected component that has one."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, component) for component in components]


def _cycle_in(graph, component: set[str]) -> list[str]:
    """A shortest way from the component's first node back to itself (breadth first)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & component):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError("a strongly connected component without a cycle")


def test_no_import_cycle_between_modules_of_the_framework():
    graph, modules = import_graph()
    app_names = apps(modules)
    framework = {m for m in graph if app_of(m, app_names) == FRAMEWORK}
    found = cycles({m: graph[m] & framework for m in framework})
    assert not found, "Import cycles in the framework:\n" + "\n".join(
        " -> ".join(cycle) for cycle in found
    )


def test_no_import_cycle_between_apps():
    graph, modules = import_graph()
    app_names = apps(modules)
    edges, imports = defaultdict(set), defaultdict(list)
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            source_app, target_app = app_of(module, app_names), app_of(target, app_names)
            if source_app and target_app and source_app != target_app:
                edges[source_app].add(target_app)
                imports[source_app, target_app].append(f"{module} imports {target}")
    found = cycles(edges)
    assert not found, "Import cycles between apps:\n" + "\n".join(
        " -> ".join(cycle) + "".join(f"\n    {imports[a, b][0]}" for a, b in pairwise(cycle))
        for cycle in found
    )


def test_clianta_imports_no_other_app():
    graph, modules = import_graph()
    app_names = apps(modules)
    imported = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if app_of(module, app_names) == CORE
        for target in targets
        if app_of(target, app_names) not in (None, CORE)
    )
    assert not imported, f"{CORE} imports other apps:\n" + "\n".join(imported)


PROVIDER_MODULES = sorted(
    name for name in module_files() if name.startswith(f"{FRAMEWORK}.providers.")
)


@pytest.mark.parametrize("module", PROVIDER_MODULES)
def test_a_provider_module_imports_first_in_a_fresh_interpreter(module):
    """Imported before anything else, then Django set up: the registry holds every provider of
    ``INTEGRATION_PROVIDERS``."""
    code = "\n".join(
        [
            f"import {module}",
            "import django",
            "django.setup()",
            "from django.conf import settings",
            "from django.utils.module_loading import import_string",
            "from integrations import registry",
            "for path in settings.INTEGRATION_PROVIDERS:",
            "    provider = import_string(path)",
            "    assert registry.get(provider.slug) is provider, path",
        ]
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clianta.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
