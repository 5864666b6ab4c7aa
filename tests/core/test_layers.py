"""Domain packages never import each other; they share accounts, review, scoring and core helpers."""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
DOMAINS = ("competitions", "training", "innovation", "apprenticeship")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            if node.module == "app":
                yield from (f"app.{alias.name}" for alias in node.names)


def test_domain_packages_do_not_import_each_other():
    problems = []
    for domain in DOMAINS:
        folder = APP / domain
        if not folder.is_dir():
            continue
        others = [d for d in DOMAINS if d != domain]
        for path in sorted(folder.rglob("*.py")):
            for module in imported_modules(path):
                if any(module == f"app.{o}" or module.startswith(f"app.{o}.") for o in others):
                    problems.append(f"{path.relative_to(APP)} imports {module}")
    assert not problems, "\n".join(problems)
