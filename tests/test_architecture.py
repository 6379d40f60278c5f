"""The layers of DESIGN.md, checked by import-linter, and what a contract cannot say."""

import ast
import re
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


def test_the_layers_of_design_md_hold() -> None:
    """import-linter's contracts in pyproject.toml: ui and cli over model over session over
    engines over core; core, engines, session and cli never import Qt."""
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
         "lint_imports_command()"],
        capture_output=True, text=True, cwd=PACKAGE.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]


def test_models_hold_no_widgets() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in (PACKAGE / "model").rglob("*.py")
        for name in imported_modules(path)
        if name.startswith("PySide6.QtWidgets")
    ]
    assert offenders == []


def test_cli_runs_without_loading_qt() -> None:
    code = (
        "import sys; from outpaint_studio import cli, engines; "
        "import outpaint_studio.engines.bfl, outpaint_studio.core.runner; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_ui_part_holds_the_main_window() -> None:
    """Widgets receive the models and collaborators they use; only the window itself, the
    launcher and the package know it."""
    allowed = {"main_window.py", "launch.py", "__init__.py"}
    offenders = [
        path.name
        for path in (PACKAGE / "ui").glob("*.py")
        if path.name not in allowed
        and re.search(r"\b(main_window|MainWindow)\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
