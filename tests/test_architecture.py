"""ARCHITECTURE.md stays the map of the code: every module is on it, and imports only point down.

Imports are read from the source (top level and inside functions alike), so a lazy import that
reaches up a layer is caught as surely as one at the top of a file.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "strat_cli"
TERMINAL = ("rich", "questionary", "prompt_toolkit")


def _layers() -> dict[str, int]:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_]+)` \| (\d) \|", text, flags=re.MULTILINE)
    return {module: int(layer) for module, layer in rows}


def _modules() -> list[str]:
    """strat_cli's modules; a package (strat_cli/interview/) is one module on the map."""
    files = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("__")}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")} - {"cli"}
    return sorted(files | packages)


def _sources(module: str) -> list[Path]:
    package = PACKAGE / module
    return sorted(package.glob("*.py")) if package.is_dir() else [PACKAGE / f"{module}.py"]


def _module_imports(module: str) -> tuple[set[str], set[str]]:
    ours: set[str] = set()
    theirs: set[str] = set()
    for path in _sources(module):
        o, t = _imports(path)
        ours |= o
        theirs |= t
    return ours - {module}, theirs


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """strat modules and third-party top-level packages imported anywhere in the file."""
    ours: set[str] = set()
    theirs: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                top = node.module.split(".")[0]
                if top == "strat_cli":
                    ours.add(node.module.split(".")[1] if "." in node.module else "")
                else:
                    theirs.add(top)
            elif node.level == 1 and path.parent == PACKAGE:
                names = [node.module] if node.module else [a.name for a in node.names]
                ours.update(n.split(".")[0] for n in names)
            elif node.level == 1:  # within a package of strat_cli: its own modules
                continue
            elif node.level == 2 and path.parent.parent == PACKAGE:  # from ..x in a package
                names = [node.module] if node.module else [a.name for a in node.names]
                ours.update(n.split(".")[0] for n in names)
        elif isinstance(node, ast.Import):
            theirs.update(a.name.split(".")[0] for a in node.names)
    ours.discard("__version__")
    ours.discard("")
    return ours, theirs


def test_every_module_is_on_the_map() -> None:
    layers = _layers()
    assert set(_modules()) - set(layers) == set(), "add the module to ARCHITECTURE.md"
    assert set(layers) - set(_modules()) == set(), "ARCHITECTURE.md names a module that is gone"


def test_imports_only_point_down_the_layers() -> None:
    layers = _layers()
    wrong = []
    for module in _modules():
        ours, _ = _module_imports(module)
        for dep in ours:
            if dep == "cli" or layers.get(dep, 0) > layers[module]:
                wrong.append(f"{module} (layer {layers[module]}) imports {dep}")
    assert wrong == []


def test_only_the_command_line_imports_typer_and_only_the_terminal_imports_rich() -> None:
    layers = _layers()
    wrong = []
    for module in _modules():
        _, theirs = _module_imports(module)
        if "typer" in theirs:
            wrong.append(f"{module} imports typer")
        if layers[module] < 6 and theirs & set(TERMINAL):
            wrong.append(f"{module} imports {sorted(theirs & set(TERMINAL))}")
    assert wrong == []


def test_the_modules_import_no_cycle() -> None:
    graph = {m: _module_imports(m)[0] & set(_modules()) for m in _modules()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if dep == node:
                continue
            assert state.get(dep) != 1, "import cycle: " + " -> ".join([*path, node, dep])
            if dep not in state:
                visit(dep, [*path, node])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [])
