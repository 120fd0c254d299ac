"""The apps form layers: each imports only the apps below it, and no module imports itself back.

Order, top to bottom (README, "Where code lives"): config -> planning -> participation -> layers ->
works_map -> priority_zones -> outbox -> gis_core. Imports inside functions count too: a lazy import
still makes the lower app know the higher one. Migrations are history and are not checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDER = ("config", "planning", "participation", "layers", "works_map", "priority_zones", "outbox", "gis_core")
RANK = {app: rank for rank, app in enumerate(ORDER)}


def _modules() -> dict[str, Path]:
    found = {}
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Project modules that `name` imports (anywhere in the file), resolved to known modules."""
    targets: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _app(module: str) -> str:
    return module.split(".")[0]


def test_there_are_modules_to_check():
    assert {"gis_core.tiles", "works_map.models", "planning.views", "config.settings"} <= set(MODULES)


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_no_app_above_it(app):
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _app(module) == app
        for target in targets
        if RANK[_app(target)] < RANK[app]
    )
    assert upward == []


def test_no_module_imports_itself_back():
    """No cycle of imports between project modules (a package importing its own modules is not one)."""
    cycles = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(GRAPH[module]):
            if target.startswith(module + ".") or module.startswith(target + "."):
                continue  # a package and its own submodules
            if state.get(target) == 1:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_kernel_names_no_domain_table():
    """SQL in gis_core that names an app's table is domain knowledge an import check cannot see (the
    works export SQL once lived there). Its own two tables keep the names they were created under."""
    import re

    own = {"layers_layerversion", "planning_version"}  # gis_core.models' db_table, kept from before
    table = re.compile(r"\b(?:works_map|priority_zones|planning|layers)_[a-z_]+\b")
    found = sorted(
        f"{module}: {name}"
        for module, path in MODULES.items()
        if _app(module) == "gis_core"
        for name in set(table.findall(path.read_text())) - own
    )
    assert found == []
