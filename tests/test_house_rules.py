"""The house's structural rules (issue 15), checked over every module of the desk's own packages.

No import cycle between modules: the import graph of module-level imports (what runs when a module is
imported first, in a fresh interpreter) has no cycle. Imports inside functions and under TYPE_CHECKING do
not count: they run after every module has loaded. Stricter than importing each module first, and instant.
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _packages() -> list[str]:
    names = {entry.split(".")[0] for entry in settings.INSTALLED_APPS} | {"helpdesk"}
    return sorted(name for name in names if (ROOT / name / "__init__.py").exists())


def desk_modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package), migrations left out."""
    modules = {}
    for package in _packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            modules[".".join(parts)] = (path, is_package)
    return modules


def _module_level_imports(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            yield from (child for child in node.body + node.orelse if isinstance(child, ast.Import | ast.ImportFrom))
        elif isinstance(node, ast.Try):
            yield from (child for child in node.body if isinstance(child, ast.Import | ast.ImportFrom))


def _imported_modules(node: ast.Import | ast.ImportFrom, package: str, modules) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:
        parents = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join(parents + ([base] if base else []))
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in modules:
            found.add(submodule)
        elif base in modules:
            found.add(base)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = desk_modules()
    graph = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(), filename=str(path))
        graph[name] = set().union(*(_imported_modules(node, package, modules) for node in _module_level_imports(tree)))
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_the_desks_modules():
    graph = import_graph()
    assert len(graph) > 100
    assert cycles(graph) == []
