"""Import-boundary check: ``shared/`` never imports a service, services never import each other.

Services talk over HTTP; the only code they share is ``converge_common``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "metadata", "impact", "gateway")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def violations() -> list[str]:
    problems: list[str] = []
    service_packages = {f"converge_{s}" for s in SERVICES}
    for path in sorted((ROOT / "shared").rglob("*.py")):
        for module in imported_modules(path) & service_packages:
            problems.append(f"{path.relative_to(ROOT)}: shared/ imports the service {module}")
    for service in SERVICES:
        own = f"converge_{service}"
        for path in sorted((ROOT / "services" / service).rglob("*.py")):
            for module in imported_modules(path) & (service_packages - {own}):
                problems.append(f"{path.relative_to(ROOT)}: {own} imports another service {module}")
    for path in sorted((ROOT / "ops").rglob("*.py")):
        for module in imported_modules(path) & service_packages:
            problems.append(f"{path.relative_to(ROOT)}: the operator's CLI imports {module}")
    return problems


def main() -> int:
    problems = violations()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("import boundaries hold: shared/ imports no service, no service imports another")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
