"""The wheel is complete: built, installed into a new virtual environment (not editable) and run.

``pip install .`` once shipped without ``resources/`` (sample plan, word list, translations):
this test installs the wheel as a user would, from a folder outside the checkout so nothing is
imported from the source tree, and uses every bundled file through the installed commands.
Slow (about a minute: the dependencies come from the package index or pip's cache).
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests import installed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[1]


def _bin(env_dir: Path, name: str) -> str:
    folder = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    return str(folder / (name + (".exe" if sys.platform == "win32" else "")))


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                            str(work / "dist"), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    wheels = list((work / "dist").glob("livedesk-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    inst = subprocess.run([_bin(env_dir, "python"), "-m", "pip", "install", "-q", str(wheels[0])],
                          capture_output=True, text=True, timeout=600, cwd=work)
    assert inst.returncode == 0, inst.stdout[-2000:] + inst.stderr[-3000:]
    return env_dir


def _python(env_dir: Path, code: str, tmp_path: Path) -> str:
    out = subprocess.run([_bin(env_dir, "python"), "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path, env=installed.env(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()


def test_installed_not_from_the_checkout(wheel_env, tmp_path):
    where = _python(wheel_env, "import console, resources, plugins; "
                    "print(console.__file__); print(resources.__file__); print(plugins.__file__)", tmp_path)
    for line in where.splitlines():
        assert str(wheel_env) in line and str(ROOT) not in line, where


def test_bundled_resources_present(wheel_env, tmp_path):
    listing = _python(wheel_env, "\n".join([
        "from console.support.resources import resource_path, sample_plan_path, banned_words_path, i18n_dir",
        "from plugins.json_mapper.plugin import EXAMPLE_MAPPING",
        "from console.recorder.db import MIGRATIONS_DIR",
        "for p in (sample_plan_path(), banned_words_path(), i18n_dir() / 'livedesk_zh_CN.qm',",
        "          EXAMPLE_MAPPING, MIGRATIONS_DIR / 'script.py.mako', MIGRATIONS_DIR / 'env.py'):",
        "    print(p.is_file(), p)",
    ]), tmp_path)
    assert all(line.startswith("True ") for line in listing.splitlines()), listing


def test_check_plan_on_the_bundled_plan(wheel_env, tmp_path):
    plan = _python(wheel_env, "from console.support.resources import sample_plan_path; print(sample_plan_path())",
                   tmp_path)
    out = subprocess.run([_bin(wheel_env, "livedesk"), "check-plan", plan], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path, env=installed.env(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "clean" in out.stdout


def test_simulate_and_record(wheel_env, tmp_path):
    installed.check_simulator_session_recorded(_bin(wheel_env, "livedesk"), tmp_path)


def test_console_offscreen(wheel_env, tmp_path):
    installed.check_console_starts_offscreen(_bin(wheel_env, "livedesk"), tmp_path, seconds=6)
