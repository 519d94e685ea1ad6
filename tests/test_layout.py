"""The package's layout: every module imports on its own, and no module-level import cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "llmcost"


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> set[str]:
    """The llmcost modules *module* imports when it is imported (not inside functions)."""
    path = PACKAGE.parent / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    body = list(tree.body)
    while body:
        node = body.pop(0)
        if isinstance(node, ast.If) and not _is_type_checking(node):
            body.extend([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            body.extend([*node.body, *node.orelse, *node.finalbody])
            for handler in node.handlers:
                body.extend(handler.body)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("llmcost"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("llmcost"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
    return found & set(_modules())


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle of *graph* (``[a, b, a]``), or [] when it has none."""
    done: set[str] = set()

    def visit(m: str, path: list[str]) -> list[str]:
        if m in path:
            return [*path[path.index(m) :], m]
        if m in done:
            return []
        for n in sorted(graph.get(m, ())):
            if n != "llmcost":  # every submodule's parent package; not an edge of the design
                found = visit(n, [*path, m])
                if found:
                    return found
        done.add(m)
        return []

    for m in sorted(graph):
        found = visit(m, [])
        if found:
            return found
    return []


def test_the_cycle_finder_finds_cycles() -> None:
    """The check below would see a cycle such as registry -> litellm reader -> registry."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_module_level_import_cycle() -> None:
    """Readers and writers sit above the registry: the import graph has no cycle."""
    graph = {m: _imports(m) - {m} for m in _modules()}
    assert graph["llmcost._cost"] >= {"llmcost._registry"}  # the parser sees real edges
    cycle = _cycle(graph)
    assert not cycle, f"import cycle: {' -> '.join(cycle)}"


def test_every_module_imports_first_in_a_fresh_process() -> None:
    """Importing any module first (before llmcost itself is used) works."""
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    for m in _modules():
        subprocess.run([sys.executable, "-c", code, m], check=True, timeout=120)
