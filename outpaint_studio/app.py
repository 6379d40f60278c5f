"""Entry point: a CLI command when one is named, otherwise the editor window."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from outpaint_studio import __version__

CLI_COMMANDS = {"extend", "resume", "jobs"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0] in CLI_COMMANDS or args[0] in ("-h", "--help")):
        from outpaint_studio import cli

        return cli.main(args)
    if args[:1] == ["--version"]:
        print(f"outpaint-studio {__version__}")
        return 0
    if args[:1] in (["--install-desktop-entry"], ["--uninstall-desktop-entry"]):
        return desktop_entry(args[0])
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(f"outpaint-studio: unknown arguments {' '.join(args)}; see --help", file=sys.stderr)
        return 2
    from outpaint_studio.ui.launch import run_gui

    return run_gui(args[0] if args else None)


def desktop_entry(flag: str) -> int:
    from outpaint_studio import desktop_entry as entry

    paths = (
        entry.install_desktop_entry()
        if flag == "--install-desktop-entry"
        else entry.uninstall_desktop_entry()
    )
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
