"""Where Livedesk logs: the terminal (when there is one) and a rotating file, secrets removed.

The packaged windowed app has no terminal, so every command also writes to
``livedesk.log`` under the platform's user log folder (Windows
``%LOCALAPPDATA%\\livedesk\\Logs``, macOS ``~/Library/Logs/livedesk``, Linux
``~/.local/state/livedesk/log``; ``$LIVEDESK_LOG_DIR`` overrides it). The file rotates at
2 MiB and keeps five old copies. ``livedesk --version`` and Help → About show its path.

Every record is redacted before it is written anywhere: bearer tokens, ``token`` and
``password`` fields and options, and secrets in URL queries become ``***``.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

import platformdirs

from console.support import credentials

ENV_LOG_DIR = "LIVEDESK_LOG_DIR"
LOG_NAME = "livedesk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"

_SECRET_KEYS = r"(?:token|relay[-_]token|password|passwd|secret|api[-_]?key|access[-_]token|cookie)"
_REDACTIONS = [
    # Authorization: Bearer abc / Basic abc (header lines, dict reprs, tuples)
    (re.compile(r"(?i)(authorization['\"]?\s*[:=,]\s*['\"]?\s*(?:bearer|basic|token)?\s*)[^\s'\",)}\]]+"),
     r"\1***"),
    # "token": "abc"   'password': 'abc'   token=abc   token: abc   ?token=abc&
    (re.compile(r"(?i)(['\"]?" + _SECRET_KEYS + r"['\"]?\s*[:=]\s*['\"]?)(?!\*\*\*)[^\s'\",&)}\]]+"),
     r"\1***"),
    # --token abc   --relay-token abc (a command line in a log message)
    (re.compile(r"(?i)(--" + _SECRET_KEYS + r"\s+)(?!\*\*\*)\S+"), r"\1***"),
]


def redact(text: str) -> str:
    """``text`` with every secret it shows replaced by ``***``: the tokens this process was
    given (:func:`console.support.credentials.register_secret`) and anything that looks like one."""
    text = credentials.redact(text)
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats a record (message, arguments and traceback alike) and then removes secrets."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_dir() -> Path:
    given = os.environ.get(ENV_LOG_DIR)
    return Path(given) if given else Path(platformdirs.user_log_dir("livedesk", appauthor=False))


def log_file() -> Path:
    """The current log file (older ones are ``livedesk.log.1`` … ``.5`` beside it)."""
    return log_dir() / LOG_NAME


class _Setup:
    """What :func:`setup_logging` did in this process (it configures once)."""

    configured = False
    file: Path | None = None


def configured_log_file() -> Path | None:
    """The file this process logs to (None before :func:`setup_logging`, or without one)."""
    return _Setup.file


def setup_logging(verbose: bool = False) -> Path | None:
    """Log to stderr (when the process has one) and to the rotating file; the file's path.

    A log folder that cannot be written (read-only, full disk) costs the file, not the run:
    one warning on stderr says so. Calling it again changes only the level.
    """
    root = logging.getLogger()
    level = logging.DEBUG if verbose else logging.INFO
    root.setLevel(level)
    if _Setup.configured:
        return _Setup.file
    formatter = RedactingFormatter(FORMAT)
    if sys.stderr is not None and not root.handlers:   # none on a windowed (frozen) app;
        # a host that already logs to the terminal (a test runner) keeps its own handler
        stream = logging.StreamHandler()
        stream.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    file = log_file()
    path: Path | None = file
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(file, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=True)
        handler.setFormatter(formatter)
        root.addHandler(handler)
    except OSError as exc:
        path = None
        if sys.stderr is not None:
            print(f"livedesk: warning: no log file ({exc})", file=sys.stderr)
    _Setup.configured, _Setup.file = True, path
    if not verbose:  # schema checks at every start are not news
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return path
