"""The ``livedesk`` entry point: headless commands and, by name, the Qt ones."""

from __future__ import annotations

import sys

from console.support import startup_trace

startup_trace.mark("process")

from console.cli import parser as cli  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, allow_gui=True)


if __name__ == "__main__":
    sys.exit(main())
