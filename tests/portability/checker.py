"""Find POSIX-only uses in Livedesk's product code that no platform guard protects.

Studios run Windows. A module such as ``fcntl`` imported at the top of a file stops the whole
program there, and ``loop.add_signal_handler`` or ``signal.SIGKILL`` fail only when that
code path runs. The check reads the code (AST, nothing is imported) and reports every use
below that is not inside one of these guards:

* ``if`` / conditional expression testing ``sys.platform``, ``os.name``, ``platform.system()``
  or ``hasattr(...)``;
* ``try`` whose handlers catch ``ImportError``, ``ModuleNotFoundError``, ``AttributeError``,
  ``NotImplementedError`` or ``OSError`` (or ``with contextlib.suppress(...)`` of one);
* a line marked ``# portable: <why>`` (for a use that is portable in a way the check cannot see).

It also reports text files opened without ``encoding=``: Windows' default is the ANSI code
page (GBK on a Chinese system), which misreads the UTF-8 plans and word lists.

    python -m tests.portability.checker            # exit 1 and a list when there are findings
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_DIRS = ("console", "widgets", "plugins", "resources")

POSIX_MODULES = frozenset({"fcntl", "termios", "tty", "pty", "pwd", "grp", "resource", "posix",
                           "crypt", "syslog", "curses", "readline", "spwd", "nis", "pipes"})
POSIX_ATTRS = {
    "os": frozenset({"fork", "forkpty", "getuid", "geteuid", "getgid", "getegid", "setsid",
                     "setpgrp", "getpgid", "killpg", "mkfifo", "chown", "lchown", "uname",
                     "getloadavg", "nice", "WNOHANG", "wait3", "wait4", "sched_getaffinity",
                     "posix_spawn", "sync"}),
    "signal": frozenset({"SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD",
                         "SIGPIPE", "SIGQUIT", "SIGSTOP", "SIGCONT", "alarm", "pause",
                         "setitimer", "siginterrupt", "pthread_kill", "pthread_sigmask"}),
}
POSIX_METHODS = frozenset({"add_signal_handler", "remove_signal_handler"})
POSIX_START_METHODS = frozenset({"fork", "forkserver"})
POSIX_PATH_PREFIXES = ("/tmp/", "/tmp", "/dev/shm", "/proc/", "/var/run/")
GUARD_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError",
                              "NotImplementedError", "OSError", "Exception", "BaseException"})
WAIVER = "# portable:"


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        rel = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{rel}:{self.line}: {self.what} is POSIX-only and not guarded"


def _names(node: ast.AST) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
    return out


def _is_platform_test(test: ast.AST) -> bool:
    for sub in ast.walk(test):
        if isinstance(sub, ast.Attribute) and (sub.attr in ("platform", "name", "system")):
            base = sub.value
            if isinstance(base, ast.Name) and base.id in ("sys", "os", "platform"):
                return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "hasattr":
            return True
    return False


def _catches_guard(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if handler.type is None or _names(handler.type) & GUARD_EXCEPTIONS:
            return True
    return False


def _suppresses_guard(item: ast.withitem) -> bool:
    call = item.context_expr
    return (isinstance(call, ast.Call) and isinstance(call.func, (ast.Attribute, ast.Name))
            and (getattr(call.func, "attr", None) or getattr(call.func, "id", None)) == "suppress"
            and any(_names(arg) & GUARD_EXCEPTIONS for arg in call.args))


class _Visitor(ast.NodeVisitor):
    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path, self.lines = path, lines
        self.guard_depth = 0
        self.findings: list[Finding] = []

    # ---- guards
    def visit_If(self, node: ast.If) -> None:
        if _is_platform_test(node.test):
            self.guard_depth += 1
            self.generic_visit(node)
            self.guard_depth -= 1
        else:
            self.generic_visit(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self.visit_If(node)  # type: ignore[arg-type]

    def visit_Try(self, node: ast.Try) -> None:
        guarded = _catches_guard(node.handlers)
        self.guard_depth += guarded
        for stmt in node.body:
            self.visit(stmt)
        self.guard_depth -= guarded
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    visit_TryStar = visit_Try

    def visit_With(self, node: ast.With) -> None:
        guarded = any(_suppresses_guard(item) for item in node.items)
        self.guard_depth += guarded
        self.generic_visit(node)
        self.guard_depth -= guarded

    visit_AsyncWith = visit_With

    # ---- uses
    def _report(self, node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if self.guard_depth == 0 and WAIVER not in text:
            self.findings.append(Finding(self.path, line, what))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] in POSIX_MODULES:
                self._report(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.module.split(".")[0] in POSIX_MODULES and node.level == 0:
            self._report(node, f"from {node.module} import ...")
        if node.module in POSIX_ATTRS:
            for alias in node.names:
                if alias.name in POSIX_ATTRS[node.module]:
                    self._report(node, f"{node.module}.{alias.name}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = node.value
        if isinstance(base, ast.Name) and node.attr in POSIX_ATTRS.get(base.id, ()):
            self._report(node, f"{base.id}.{node.attr}")
        elif node.attr in POSIX_METHODS:
            self._report(node, f".{node.attr}()")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if _text_io_without_encoding(node):
            # Not POSIX-only, but Windows' default text encoding is the ANSI code page (GBK on
            # a Chinese system), so a UTF-8 plan or word list would be read wrong there.
            self.findings.append(Finding(self.path, node.lineno, "text I/O without encoding="))
        if (isinstance(func, ast.Attribute) and func.attr in ("get_context", "set_start_method")
                and node.args and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in POSIX_START_METHODS):
            self._report(node, f"multiprocessing start method {node.args[0].value!r}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value.startswith(POSIX_PATH_PREFIXES):
            self._report(node, f"the path {node.value!r}")


def _text_io_without_encoding(node: ast.Call) -> bool:
    func = node.func
    keywords = {k.arg for k in node.keywords}
    if "encoding" in keywords:
        return False
    if isinstance(func, ast.Attribute) and func.attr in ("read_text", "write_text"):
        return True
    if isinstance(func, ast.Name) and func.id == "open":
        mode = node.args[1] if len(node.args) > 1 else next(
            (k.value for k in node.keywords if k.arg == "mode"), None)
        if mode is None:
            return True
        return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and "b" not in mode.value
    return False


def check_source(source: str, path: Path = Path("<string>")) -> list[Finding]:
    tree = ast.parse(source, filename=str(path))
    visitor = _Visitor(path, source.splitlines())
    visitor.visit(tree)
    return visitor.findings


def check_tree(root: Path = ROOT) -> list[Finding]:
    findings: list[Finding] = []
    for folder in PRODUCT_DIRS:
        for path in sorted((root / folder).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            findings += check_source(path.read_text(encoding="utf-8"), path)
    return findings


def main() -> int:
    findings = check_tree()
    for finding in findings:
        print(finding)
    print(f"portability: {len(findings)} unguarded POSIX-only use(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
