"""Livedesk's apps as processes in tests: start one offscreen, stop it with a signal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_app(args: list[str], tmp_path: Path) -> subprocess.Popen:
    """``livedesk ARGS`` offscreen in Chinese, with its own config and data directories."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LIVEDESK_LANG="zh_CN",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    return subprocess.Popen([sys.executable, "-m", "console.cli.main", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_with_signal(proc: subprocess.Popen, signum: int, timeout: float = 30.0) -> str:
    """Send ``signum``, wait for the exit and return the output (killed if it hangs)."""
    try:
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=timeout)
        return out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
