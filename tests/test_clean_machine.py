"""Nothing the suite or the app uses comes from outside what ``scripts/setup.sh`` installs.

A green run on a developer's machine once hid a missing install step (the PDF test passed
only where ``poppler-data`` happened to be installed). CI runs on a machine that earlier
sessions may have changed by hand, so a passing suite proves little by itself. These tests
read the code and the package databases instead:

* every module imported by the product, the tests, the benchmarks and the scripts is the
  standard library, Livedesk itself, or a distribution that ``pyproject.toml`` declares
  (directly or as a requirement of a declared one), so nothing hand-installed into the venv
  is needed;
* every external program the code runs (``subprocess`` with a literal program name,
  ``shutil.which("...")``) belongs to a Debian package that ``scripts/setup.sh`` installs, or
  one those depend on, or the base system (Essential or required priority);
* the CJK font the PDFs embed comes from such a package too.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("console", "widgets", "plugins", "resources", "tests", "bench", "scripts", "packaging")
OWN_PACKAGES = {"console", "widgets", "plugins", "resources", "tests", "bench", "scripts"}
# Programs run on purpose outside Debian's packages: the venv's own tools and the built app.
NOT_DEBIAN = {"livedesk", "lint-imports", "pyinstaller", "pyside6-lrelease", "ISCC.exe", "iscc"}


def _python_files() -> list[Path]:
    files: list[Path] = []
    for folder in CODE_DIRS:
        files += [p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts]
    return files + [p for p in ROOT.glob("*.py")]


def _trees() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p))) for p in _python_files()]


# ---- Python distributions -----------------------------------------------------------------

def _requirement_name(req: str) -> tuple[str, str]:
    """(normalised name, marker) of a requirement string."""
    name = re.split(r"[\s;\[<>=!~(]", req.strip(), maxsplit=1)[0]
    marker = req.split(";", 1)[1] if ";" in req else ""
    return _norm(name), marker


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared_closure() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"].get("test", []),
              *project["optional-dependencies"].get("postgres", []),
              *project["optional-dependencies"].get("package", []),
              "setuptools", "pip"]
    seen: set[str] = set()
    todo = [_requirement_name(r)[0] for r in wanted]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        for req in requires:
            dep, marker = _requirement_name(req)
            if "extra ==" in marker:
                continue             # optional features of a dependency are not installed for us
            todo.append(dep)
    return seen


def _imported_top_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def test_every_import_is_declared():
    declared = _declared_closure()
    providers = md.packages_distributions()
    local = {p.stem for p in _python_files()}       # scripts put a folder of their own on sys.path
    missing = []
    for module, where in sorted(_imported_top_modules().items()):
        if module in sys.stdlib_module_names or module in OWN_PACKAGES | local or module == "__future__":
            continue
        dists = {_norm(d) for d in providers.get(module, [])}
        if not dists:
            # PyInstaller's spec globals, optional platform modules guarded in the code
            if module in {"PyInstaller"} or module.startswith(("_", "win32", "pywintypes")):
                continue
            missing.append(f"{module} (imported in {where.relative_to(ROOT)}): not installed by setup")
        elif not dists & declared:
            missing.append(f"{module} (imported in {where.relative_to(ROOT)}) comes from "
                           f"{sorted(dists)}, which pyproject.toml does not declare")
    assert not missing, "\n".join(missing)


# ---- Debian packages ----------------------------------------------------------------------

def _setup_packages() -> list[str]:
    """The Debian packages setup.sh installs (the optional ones too: their tests say when absent)."""
    text = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    found = []
    for var in ("DEBIAN_PACKAGES", "OPTIONAL_PACKAGES"):
        block = re.search(var + r"=\((.*?)\)", text, re.S)
        assert block, f"scripts/setup.sh has no {var}"
        found += block.group(1).split()
    return found


def _dpkg(*args: str) -> str:
    return subprocess.run(["dpkg-query", *args], capture_output=True, text=True, check=False).stdout


def _debian_closure(roots: list[str]) -> set[str]:
    """The packages ``roots`` pull in (Depends and Pre-Depends, as installed), plus the base system."""
    depends: dict[str, list[str]] = {}
    providers: dict[str, list[str]] = {}       # virtual package -> installed packages providing it
    for line in _dpkg("-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n").splitlines():
        pkg, deps, provides = (line.split("\t") + ["", ""])[:3]
        depends[pkg] = [choice.strip().split(" ")[0] for alt in deps.split(",")
                        for choice in alt.split("|") if choice.strip()]
        for virtual in provides.split(","):
            if virtual.strip():
                providers.setdefault(virtual.strip().split(" ")[0], []).append(pkg)
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop().split(":")[0]
        if name in seen:
            continue
        seen.add(name)
        for dep in depends.get(name, []):
            todo.append(dep)
            todo += providers.get(dep.split(":")[0], [])
    base = _dpkg("-W", "-f=${Package} ${Essential} ${Priority}\n")
    for line in base.splitlines():
        pkg, essential, priority = (line.split(" ") + ["", ""])[:3]
        if essential == "yes" or priority in ("required", "important"):
            seen.add(pkg)
    return seen


def _owner(path: str) -> str | None:
    """The package that installed ``path`` (also under its /bin <-> /usr/bin merged name)."""
    resolved = str(Path(path).resolve())
    for candidate in dict.fromkeys([path, resolved, *(p.replace("/usr/", "/", 1) for p in (path, resolved)
                                                      if p.startswith("/usr/"))]):
        out = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            return out.stdout.split(":")[0].strip()
    return None


def _programs_run(probes: bool = True) -> dict[str, Path]:
    """Literal program names given to subprocess calls (and, with ``probes``, to shutil.which)."""
    found: dict[str, Path] = {}
    for path, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "which" and probes and node.args and isinstance(node.args[0], ast.Constant):
                found.setdefault(str(node.args[0].value), path)
            elif name in ("run", "Popen", "check_call", "check_output", "call") and node.args:
                first = node.args[0]
                if isinstance(first, (ast.List, ast.Tuple)) and first.elts:
                    head = first.elts[0]
                    if isinstance(head, ast.Constant) and isinstance(head.value, str):
                        found.setdefault(head.value, path)
    return found


needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian machine")


@needs_dpkg
def test_every_program_comes_from_setup():
    allowed = _debian_closure(_setup_packages())
    required = _programs_run(probes=False)
    problems = []
    for program, where in sorted(_programs_run().items()):
        if program in NOT_DEBIAN or "/" in program and not program.startswith("/usr"):
            continue
        located = shutil.which(program)
        if located is None:
            if program in required:     # a shutil.which probe alone copes with a missing program
                problems.append(f"{program} (run in {where.relative_to(ROOT)}) is not installed by setup")
            continue
        owner = _owner(located)
        if owner is None:
            problems.append(f"{program} ({located}, run in {where.relative_to(ROOT)}) belongs to no package")
        elif owner not in allowed:
            problems.append(f"{program} comes from {owner}, which scripts/setup.sh does not install")
    assert not problems, "\n".join(problems)


@needs_dpkg
def test_pdf_font_comes_from_setup():
    from console.support.fonts import find_cjk_font

    face = find_cjk_font()
    owner = _owner(str(face.path))
    assert owner in _debian_closure(_setup_packages()), f"{face.path} comes from {owner}"


def test_the_checks_see_what_they_check():
    """The scans find the programs and modules the suite is known to use (so they can fail)."""
    programs = _programs_run()
    assert {"pdffonts", "pdftotext", "pdftoppm"} <= set(programs)
    modules = _imported_top_modules()
    assert {"PySide6", "sqlalchemy", "reportlab", "fontTools", "filelock"} <= set(modules)
    assert "pyflakes" not in _declared_closure()       # something installed by hand is not declared
