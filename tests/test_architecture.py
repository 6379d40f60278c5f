"""The layers of DESIGN.md: core/ and engines/ never import Qt."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "outpaint_studio"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_and_engines_never_import_qt_or_ui() -> None:
    offenders = []
    for folder in ("core", "engines"):
        for path in (PACKAGE / folder).rglob("*.py"):
            for name in imported_modules(path):
                if name.startswith(("PySide6", "PyQt", "shiboken", "outpaint_studio.ui")):
                    offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def test_core_never_imports_engines() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "core").rglob("*.py")
        if any(n.startswith("outpaint_studio.engines") and "session" not in path.name
               for n in imported_modules(path))
    ]  # fmt: skip
    assert offenders == []


def test_cli_runs_without_loading_qt() -> None:
    code = (
        "import sys; from outpaint_studio import cli, engines; "
        "import outpaint_studio.engines.bfl, outpaint_studio.core.runner; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
