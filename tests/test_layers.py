"""Dependencies run one way: the layer order in the README's "Where things live", read from the code.

Every module under `app/` is parsed with `ast`. A part of the portal is a top-level module or
package of `app` (`app.registration`, `app.mail`, …); each has a rank below. A part may import
parts of its own rank or lower, never higher; no two parts import each other, however
indirectly; no import hides inside a function; and no module imports another blueprint's views.
"""
import ast
from pathlib import Path

from app.config import ROOT

APP = ROOT / "app"

# The README's order, lowest first. Parts of one rank may import each other one way only.
RANKS = {
    # infrastructure: knows nothing of conferences
    "config": 0, "extensions": 0, "timestamps": 0, "clock": 0, "database": 0, "email_address": 0,
    "markup": 0, "logs": 0, "backup": 0, "assets": 0, "i18n": 0, "htmx": 0, "forms": 0, "security": 0, "mail": 0,
    "pdf": 0, "page_cache": 0, "cookies": 0,
    # the domains, each with its models, rules (services) and messages (notify)
    "events": 1,
    "registration": 2,
    "program": 3, "newsletter": 3,
    # actions on one delegate that touch several domains (cancel, erase, export, sign-in)
    "delegates": 4,
    # the web: the blueprints of the public and the delegates, and the hosts' console
    "web": 5, "hosts": 5,
    # the application factory and the command line
    "app": 6, "cli": 6,
}


def modules() -> dict[str, Path]:
    """Every module of the portal by dotted name."""
    found = {}
    for path in sorted(APP.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def part_of(module: str) -> str:
    """`app.registration.services` → `registration`; `app` → `app`."""
    names = module.split(".")
    return names[1] if len(names) > 1 else "app"


def imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import of a portal module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                # `from . import views` names a module; `from .x import name` names x.
                names = [f"{target}.{alias.name}" for alias in child.names]
                found.extend((name, child.lineno, in_function) for name in names)
            visit(child, nested)

    visit(tree, False)
    return [(name, line, inner) for name, line, inner in found if name == "app" or name.startswith("app.")]


def resolve(name: str, known: dict[str, Path]) -> str:
    """The module an import names: `app.program.services.join` → `app.program.services`."""
    while name not in known and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def graph():
    known = modules()
    edges = []
    for module, path in known.items():
        for name, line, inner in imports(module, path):
            edges.append((module, resolve(name, known), line, inner))
    return known, edges


def blueprint_modules(known) -> set[str]:
    """Modules that define a Blueprint: the views of one audience."""
    found = set()
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                if getattr(func, "id", None) == "Blueprint" or getattr(func, "attr", None) == "Blueprint":
                    found.add(module)
    return found


def cycles(edges) -> list[list[str]]:
    """Groups of parts that import each other, directly or through others (Tarjan)."""
    adjacent: dict[str, set[str]] = {}
    for source, target, _line, _inner in edges:
        a, b = part_of(source), part_of(target)
        if a != b:
            adjacent.setdefault(a, set()).add(b)
            adjacent.setdefault(b, set())
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(adjacent[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(adjacent):
        if node not in index:
            connect(node)
    return groups


def test_every_part_has_a_place_in_the_order():
    known, _edges = graph()
    unplaced = sorted({part_of(m) for m in known} - set(RANKS))
    assert not unplaced, f"add these parts of app/ to the layer order (README and RANKS): {unplaced}"


def test_no_import_runs_upwards():
    _known, edges = graph()
    upward = [
        f"{source}:{line} imports {target} ({part_of(source)} is below {part_of(target)})"
        for source, target, line, _inner in edges
        if RANKS.get(part_of(source), 99) < RANKS.get(part_of(target), 99)
    ]
    assert not upward, "\n".join(upward)


def test_no_two_parts_import_each_other():
    _known, edges = graph()
    assert not cycles(edges)


def test_no_import_inside_a_function():
    _known, edges = graph()
    hidden = [f"{source}:{line} imports {target} inside a function" for source, target, line, inner in edges if inner]
    assert not hidden, "\n".join(hidden)


def test_no_module_imports_another_blueprints_views():
    known, edges = graph()
    views = blueprint_modules(known)
    crossing = [
        f"{source}:{line} imports the views of {target}"
        for source, target, line, _inner in edges
        if target in views and source != target and source not in ("app", "app.web")
    ]
    assert not crossing, "\n".join(crossing)


def test_views_are_short():
    """A view parses the request, calls one service and renders: a screenful at most (25 lines)."""
    long = []
    for module, path in modules().items():
        if part_of(module) not in ("web", "hosts"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            routed = isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("get", "post", "route")
                for d in node.decorator_list)
            if routed and node.end_lineno - node.lineno + 1 > 25:
                long.append(f"{module}.{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not long, "\n".join(long)


def test_the_checks_see_what_they_look_for(tmp_path):
    """The parser finds upward, hidden and cyclic imports in code written to have them."""
    edges = [("app.events.x", "app.program.y", 1, False), ("app.program.y", "app.events.x", 2, True)]
    assert cycles(edges) == [["events", "program"]]
    sample = tmp_path / "sample.py"
    sample.write_text("from ..program import services\n\ndef f():\n    from . import models\n", encoding="utf-8")
    found = imports("app.events.sample", sample)
    assert ("app.program.services", 1, False) in found
    assert ("app.events.models", 4, True) in found
