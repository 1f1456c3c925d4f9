"""The log file: where it is, that it rotates, that no secret reaches it, and that a bad folder costs only the file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from console.support.logs import log_file, redact

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "LIVEDESK_LOG_DIR": str(tmp_path / "logs"), **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=60)


def test_log_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("LIVEDESK_LOG_DIR", str(tmp_path))
    assert log_file() == tmp_path / "livedesk.log"


def test_version_names_the_log_file(tmp_path):
    out = subprocess.run([sys.executable, "-m", "console", "--version"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "LIVEDESK_LOG_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().splitlines()
    assert first.startswith("livedesk ")
    assert second == f"log file: {tmp_path / 'livedesk.log'}"


@pytest.mark.parametrize("secret_line", [
    "hello {'op': 'hello', 'token': 'S3cr3tT0k3n'}",
    '{"op": "hello", "token": "S3cr3tT0k3n", "last_seq": 0}',
    "Authorization: Bearer S3cr3tT0k3n",
    "headers [('Authorization', 'Bearer S3cr3tT0k3n')]",
    "connecting to ws://127.0.0.1:8765/?token=S3cr3tT0k3n&x=1",
    "argv: livedesk record ws://h --token S3cr3tT0k3n",
    "argv: livedesk console --relay-token S3cr3tT0k3n",
    "obs password=S3cr3tT0k3n",
])
def test_redact(secret_line):
    out = redact(secret_line)
    assert "S3cr3tT0k3n" not in out and "***" in out, out


def test_redact_keeps_ordinary_text():
    line = "order LD0000000217 paid 329.0 by 橘子汽水; 42 tokens of thanks"
    assert redact(line) == line


def test_file_written_rotated_and_redacted(tmp_path):
    out = _run("""
        import logging, console.support.logs as logs
        logs.MAX_BYTES = 4000
        path = logs.setup_logging(verbose=True)
        log = logging.getLogger("livedesk.test")
        for i in range(600):
            log.info("order %d paid 中文 ¥329.00", i)
        log.debug("hello %s", {"op": "hello", "token": "S3cr3tT0k3n"})
        try:
            raise RuntimeError("Authorization: Bearer S3cr3tT0k3n")
        except RuntimeError:
            log.exception("failed")
        print(path)
    """, tmp_path)
    assert out.returncode == 0, out.stderr
    path = Path(out.stdout.strip())
    assert path == tmp_path / "logs" / "livedesk.log"
    files = sorted(path.parent.glob("livedesk.log*"))
    assert len(files) == 6, files                       # the current file and five old ones
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "order 599 paid 中文 ¥329.00" in text and "order 0 paid" not in text   # the oldest rotated out
    assert "'token': '***'" in text and "Bearer ***" in text
    assert "S3cr3tT0k3n" not in text and "S3cr3tT0k3n" not in out.stderr
    assert all(f.stat().st_size <= 4000 + 200 for f in files)


def test_unwritable_log_folder_costs_only_the_file(tmp_path):
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    out = _run("""
        import logging, console.support.logs as logs
        print(logs.setup_logging())
        logging.getLogger("livedesk.test").warning("still logging")
    """, tmp_path, LIVEDESK_LOG_DIR=str(blocker / "sub"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"
    assert "warning: no log file" in out.stderr and "still logging" in out.stderr
