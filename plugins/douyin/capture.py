"""Raw capture: every response the bridge captured, with its time, as gzip JSON lines.

One file per session, ``<user data dir>/livedesk/captures/<session id>.jsonl.gz``, next to
the recordings. Each line is a record ``{"t", "url", "page", "status", "body"[, "request"]}``
(the mapper's input). The writer appends gzip members and flushes at least once a second,
so a crash loses at most the last second; reading accepts a file cut short by a crash.
A newer mapper can re-derive a session from its capture (:func:`read_capture`), and a
capture replays as a feed (``plugins.douyin.plugin.DouyinCaptureFeed``).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import time
import zlib
from pathlib import Path
from typing import Any, Iterator

log = logging.getLogger(__name__)


def default_capture_dir() -> Path:
    """``<platformdirs.user_data_dir("livedesk")>/captures`` ($LIVEDESK_CAPTURE_DIR overrides)."""
    env = os.environ.get("LIVEDESK_CAPTURE_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("livedesk")) / "captures"


def capture_path(session_id: str, directory: Path | None = None) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in session_id)
    return (directory or default_capture_dir()) / f"{safe}.jsonl.gz"


class CaptureWriter:
    """Append records to a gzip JSON-lines file (user-only permissions where the OS has them)."""

    def __init__(self, path: Path, flush_s: float = 1.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._raw = open(self.path, "ab")
        try:
            os.chmod(self.path, 0o600)
        except OSError:  # pragma: no cover - file systems without POSIX modes
            pass
        self._gz = gzip.GzipFile(fileobj=self._raw, mode="ab", compresslevel=6)
        self.flush_s = flush_s
        self._flushed = time.monotonic()
        self.records = 0
        self.bytes_in = 0
        self.error: str | None = None

    def write(self, record: dict) -> None:
        if self._gz is None:
            return
        try:
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            self._gz.write(line)
            self.records += 1
            self.bytes_in += len(line)
            if time.monotonic() - self._flushed >= self.flush_s:
                self.flush()
        except (OSError, TypeError, ValueError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("capture %s: %s", self.path, self.error)

    def flush(self) -> None:
        if self._gz is None:
            return
        try:
            self._gz.flush(zlib.Z_SYNC_FLUSH)
            self._raw.flush()
        except OSError as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        self._flushed = time.monotonic()

    def close(self) -> None:
        if self._gz is None:
            return
        try:
            self._gz.close()
        finally:
            self._raw.close()
            self._gz = None


def read_capture(path: str | Path) -> Iterator[dict]:
    """The records of a capture file in order (gzip, or plain JSON lines as a studio may send).

    A truncated tail (a crash) ends the iteration; a line that is not JSON is skipped.
    """
    problems = 0
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        with stream:
            while True:
                try:
                    line = stream.readline()
                except (EOFError, OSError, zlib.error):
                    log.warning("capture %s ends early (cut off by a crash?)", path)
                    return
                if not line:
                    return
                if not line.strip():
                    continue
                try:
                    record: Any = json.loads(line)
                except ValueError:
                    problems += 1
                    log.warning("capture %s: skipped a line that is not JSON (%d)", path, problems)
                    continue
                if isinstance(record, dict):
                    yield record


__all__ = ["CaptureWriter", "read_capture", "capture_path", "default_capture_dir"]
