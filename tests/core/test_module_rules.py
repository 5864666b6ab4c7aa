"""The shape of `app/`: no import cycles (the domain rule is in test_layers.py)."""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _modules():
    modules = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(modules):
    """module → modules it imports, at any depth in the file (lazy imports count too)."""
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found.add(target if target in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def _registration(package, module):
    """A blueprint package importing its own views (`from . import views`) is Flask's pattern, not a cycle."""
    return module.startswith(package + ".")


def test_no_import_cycles():
    modules = _modules()
    graph = {m: {d for d in deps if not _registration(m, d)} for m, deps in _imports(modules).items()}
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycles.append(trail[trail.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
