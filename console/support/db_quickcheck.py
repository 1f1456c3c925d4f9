"""Whether a recording database is surely at the current schema, without SQLAlchemy or Alembic.

The console checks before its window opens whether the database needs a (possibly long)
upgrade, to show a busy dialog meanwhile; doing that through SQLAlchemy and Alembic costs
0.4 s of imports on every start. For the usual case, a SQLite file that is new or already at the
head revision, this module answers with the standard library in about a millisecond; in any other
case (another database, an older revision, anything unexpected) it says "not sure" and the caller
does the full check (``console.recorder.db.pending_upgrade``).
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote

VERSIONS_DIR = Path(__file__).resolve().parents[1] / "recorder" / "migrations" / "versions"
_REV = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


def default_url() -> str:
    """$LIVEDESK_DB_URL or a SQLite file under the user data directory (created)."""
    env = os.environ.get("LIVEDESK_DB_URL")
    if env:
        return env
    from platformdirs import user_data_dir
    d = Path(user_data_dir("livedesk"))
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'livedesk.db'}"


def head_revision(versions_dir: Path = VERSIONS_DIR) -> str | None:
    """The one revision no other migration revises (None if there is not exactly one)."""
    revisions, downs = set(), set()
    for path in versions_dir.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = _REV.search(text)
        if rev is None:
            continue
        revisions.add(rev.group(1))
        down = _DOWN.search(text)
        if down is not None and down.group(1):
            downs.add(down.group(1))
    heads = revisions - downs
    return next(iter(heads)) if len(heads) == 1 else None


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL (None for other databases, memory, URI forms)."""
    m = re.match(r"^sqlite(?:\+pysqlite)?:///(.+)$", url or "")
    if m is None:
        return None
    db = unquote(m.group(1).split("?", 1)[0])
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def surely_current(url: str, versions_dir: Path = VERSIONS_DIR) -> bool:
    """True when ``url`` is a SQLite file that does not exist yet (its tables are created at
    head) or whose ``alembic_version`` is the head revision; False when not sure."""
    path = sqlite_path(url)
    if path is None:
        return False
    if not path.exists():
        return True
    head = head_revision(versions_dir)
    if head is None:
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return [r[0] for r in rows] == [head]
