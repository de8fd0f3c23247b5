"""The shape of the code (DESIGN.md §7): no import cycles, the demo imported only by the CLI, no markup in Python."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
MARKUP = re.compile(r"<(table|section|h2|h3|tr|td|details)[ >]")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The pipeline modules a module imports, anywhere in it (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            # `from pipeline.ingest import store` imports the module store; `from pipeline.ingest import ingest` the package
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & set(MODULES)
            found |= submodules if len(submodules) == len(node.names) else submodules | {node.module}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("pipeline")}
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def cycle_from(start: str) -> list[str] | None:
    path, seen = [start], set()

    def visit(node: str) -> list[str] | None:
        for nxt in sorted(GRAPH[node]):
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                if found := visit(nxt):
                    return found
                path.pop()
        return None

    return visit(start)


def test_the_graph_sees_the_imports_it_must_see():
    # a check that finds nothing must be able to find something
    assert "pipeline.ingest.store" in GRAPH["pipeline.ingest"]
    assert "pipeline.demo" in GRAPH["pipeline.cli"]


def test_no_module_imports_itself_around_a_cycle():
    cycles = [found for name in MODULES if (found := cycle_from(name))]
    assert cycles == []


def test_only_the_cli_imports_the_demo():
    importers = {name for name, targets in GRAPH.items() if any(t == "pipeline.demo" or t.startswith("pipeline.demo.") for t in targets)}
    assert importers - {name for name in MODULES if name.startswith("pipeline.demo")} == {"pipeline.cli"}


def test_no_module_builds_html_markup_in_a_string():
    offenders = [str(path.relative_to(PACKAGE.parent)) for path in MODULES.values() if MARKUP.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
