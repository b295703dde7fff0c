"""The code's shape: apps in a one-way stack, no import cycles, services called by keyword.

Imports are read from the source (every ``import``, at module level or inside a function),
so a cycle hidden in a function body counts too.
"""

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from testing.helpers import ROOT

# The stack, bottom first: an app may import from its own level and below, never above.
APP_LEVELS = {"accounts": 0, "tasks": 1, "userdata": 2}
PACKAGES = (*APP_LEVELS, "todo_project", "testing")
# Loaded by their own tests, each in a fresh interpreter with the environment it needs.
ENTRY_POINTS = ("todo_project.settings", "todo_project.wsgi", "todo_project.asgi")
SERVICE_MODULES = ("accounts.services", "tasks.services", "tasks.selectors", "userdata.services")


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports, resolved to the longest known module name."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
                break
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported_modules(name, path, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_imports_it_must_see():
    # A parser that found nothing would pass every test below.
    graph = import_graph()
    assert "accounts.models" in graph["tasks.models"] or "accounts.models" in graph["tasks.selectors"]
    assert {"tasks.selectors", "accounts.models"} <= graph["userdata.services"]
    assert (
        "accounts.jwks" in graph["accounts.authentication"]
        or "accounts.tokens" in graph["accounts.authentication"]
    )


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_apps_import_only_their_own_level_and_below():
    upward = [
        (name, target)
        for name, targets in import_graph().items()
        for target in targets
        if name.split(".")[0] in APP_LEVELS and target.split(".")[0] in APP_LEVELS
        if APP_LEVELS[target.split(".")[0]] > APP_LEVELS[name.split(".")[0]]
    ]
    assert upward == []


@pytest.mark.parametrize(
    "name", sorted(name for name in project_modules() if not name.startswith(ENTRY_POINTS))
)
def test_every_module_imports(name):
    importlib.import_module(name)


@pytest.mark.parametrize("module_name", SERVICE_MODULES)
def test_services_take_keyword_arguments_only(module_name):
    """Team style: a service is called with named arguments, so none can be swapped unnoticed."""
    module = importlib.import_module(module_name)
    public = [
        function
        for name, function in vars(module).items()
        if inspect.isfunction(function) and function.__module__ == module.__name__
        if not name.startswith("_")
    ]
    assert public
    for function in public:
        kinds = {parameter.kind for parameter in inspect.signature(function).parameters.values()}
        assert kinds <= {inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD}, function.__name__
