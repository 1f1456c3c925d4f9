"""A full disk (issue 17, item 2): at start one clear line, a non-zero exit and nothing left
behind; while recording, bounded memory, overflow reported, each retry reported once.

A real full filesystem is a small tmpfs when this machine lets the test mount one (root on
Linux); everywhere else SQLite's own "database or disk is full" is produced with
``PRAGMA max_page_count``, which fails exactly as a full disk does (SQLITE_FULL)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from console.core.eventlog import Event
from console.feed import FixedPolicy
from console.live.session import LiveSession
from console.recorder import Recorder, Store
from tests.feed.fakeserver import FakeServer, make_events
from tests.feed.test_client import until

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]


def _full_disk_schema(engine):
    """ensure_schema on a disk with no room left: SQLite opens (and creates) the file, then
    the first table it writes fails with SQLITE_FULL, "database or disk is full"."""
    with engine.connect() as c:
        pages = c.exec_driver_sql("PRAGMA page_count").scalar()
        c.exec_driver_sql(f"PRAGMA max_page_count={max(1, pages)}")
        c.exec_driver_sql("CREATE TABLE probe (x)")
    raise AssertionError("the disk was not full")


def test_start_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    from console.cli import parser as cli
    monkeypatch.setenv("LIVEDESK_RECORDER", "thread")
    monkeypatch.setattr("console.recorder.recorder.ensure_schema", _full_disk_schema)
    folder = tmp_path / "data"
    code = cli.main(["record", "ws://127.0.0.1:9", "--db", f"sqlite:///{folder / 'live.db'}",
                     "--duration", "1", "--quiet"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code not in (0, None)
    assert len(err) == 1 and "full" in err[0] and "Traceback" not in err[0], err
    assert not folder.exists() or list(folder.iterdir()) == []     # no empty database file


def test_a_database_that_existed_is_never_removed(tmp_path, monkeypatch, capsys):
    from console.cli import parser as cli
    from console.recorder.db import ensure_schema, make_engine
    db = tmp_path / "live.db"
    engine = make_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    engine.dispose()
    size = db.stat().st_size
    monkeypatch.setenv("LIVEDESK_RECORDER", "thread")
    monkeypatch.setattr("console.recorder.recorder.ensure_schema", _full_disk_schema)
    code = cli.main(["record", "ws://127.0.0.1:9", "--db", f"sqlite:///{db}", "--quiet",
                     "--duration", "1"])
    assert code not in (0, None) and db.exists() and db.stat().st_size == size


def test_each_retry_is_reported_once_not_per_attempt(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    rec = Recorder(url, flush_interval=0.01)
    limit = {"pages": None}

    @sa.event.listens_for(rec.engine, "checkout")
    def _limit(dbapi_conn, rec_, proxy):
        if limit["pages"] is not None:
            dbapi_conn.execute(f"PRAGMA max_page_count={limit['pages']}")

    caplog.set_level(logging.INFO)
    try:
        rec.open_session("s1", {})
        with rec.engine.connect() as c:
            limit["pages"] = c.exec_driver_sql("PRAGMA page_count").scalar() + 1
        rec.submit([Event(s, 1.0 * s, "comment", {"text": "x" * 3000}, "feed", s)
                    for s in range(1, 500)])
        assert not rec.flush(timeout=2.5)                   # about 6 attempts meanwhile
        limit["pages"] = 2 ** 30
        assert rec.flush(timeout=15)
    finally:
        rec.close()
    failed = [r.getMessage() for r in caplog.records if "recording failed" in r.getMessage()]
    assert len(failed) == 1 and "full" in failed[0], failed
    assert [r.getMessage() for r in caplog.records].count("recording recovered") == 1


class FailingRecorder:
    """A recorder stuck on a full disk: it keeps everything it is given (console.api.Recorder)."""

    database_url = None

    def __init__(self):
        self.events = []
        self.queued = 0
        self.last_error = "recording failed, retrying: database or disk is full"

    def open_session(self, session_id, meta):
        return 0

    def last_feed_seq(self, session_id):
        return 0

    def submit(self, events):
        self.events.extend(events)
        if self.last_error:
            self.queued += len(events)

    def submit_snapshot(self, seq, payload, ts=None):
        pass

    def submit_first_purchases(self, keys):
        pass

    def update_summary(self, summary):
        pass

    def flush(self, timeout=10.0):
        return True

    def close(self, timeout=30.0):
        pass


async def test_memory_is_bounded_while_recording_fails_and_overflow_is_reported(caplog):
    n = 6_000
    srv = await FakeServer(make_events(n), batch=100, pace=0.001).start()
    rec = FailingRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05), max_backlog=500,
                       max_unrecorded=2_000)
    caplog.set_level(logging.WARNING)
    await live.start()
    await until(lambda: live.status.counters.holds >= 1 and rec.queued >= 2_000)
    await asyncio.sleep(0.3)
    held = live.state.last_feed_seq
    assert held < n and rec.queued < 2_000 + 200          # bounded (at most a frame over)
    overflow = [r for r in caplog.records if "kept in memory" in r.getMessage()]
    assert len(overflow) == 1 and overflow[0].levelno == logging.ERROR
    assert "2,000" in overflow[0].getMessage()
    assert live.recording_overflow
    rec.last_error, rec.queued = None, 0                   # the disk has room again
    await until(lambda: live.state.last_feed_seq == n)
    await live.stop(); await srv.stop()
    assert [e.feed_seq for e in rec.events if e.feed_seq] == list(range(1, n + 1))  # nothing lost
    assert not live.recording_overflow


class OpenFailsRecorder(FailingRecorder):
    """The disk is full when the session is opened, twice; then there is room."""

    def __init__(self):
        super().__init__()
        self.last_error = None
        self.attempts = 0

    def open_session(self, session_id, meta):
        self.attempts += 1
        if self.attempts <= 2:
            raise RuntimeError("could not open session: database or disk is full")
        return 0


async def test_a_full_disk_when_the_session_opens_is_retried_not_a_silent_hang(caplog):
    srv = await FakeServer(make_events(300)).start()
    rec = OpenFailsRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.1))
    caplog.set_level(logging.WARNING)
    await live.start()
    await until(lambda: live.state.last_feed_seq == 300, timeout=20)
    await live.stop(); await srv.stop()
    assert rec.attempts == 3 and srv.connections == 3
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("disk is full" in e for e in errors)
    assert [e.feed_seq for e in rec.events if e.feed_seq] == list(range(1, 301))


# ---- a real full filesystem (a tmpfs), when this machine lets the test mount one -------------
@pytest.fixture
def tiny_fs(tmp_path):
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(path: Path, leave: int = 0) -> Path:
    """Fill the filesystem of ``path`` up to ``leave`` free bytes; return the filler."""
    filler = path / f"filler-{uuid.uuid4().hex[:6]}"
    free = shutil.disk_usage(path).free - leave
    with open(filler, "wb") as fh:
        try:
            fh.write(b"\0" * max(0, free))
        except OSError:
            pass
    return filler


def test_real_full_disk_at_start(tiny_fs):
    _fill(tiny_fs)
    res = subprocess.run([sys.executable, "-m", "console", "record", "ws://127.0.0.1:9",
                          "--db", f"sqlite:///{tiny_fs / 'live.db'}", "--quiet"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={k: v for k, v in os.environ.items() if k != "LIVEDESK_RECORDER"})
    err = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode != 0 and len(err) == 1 and "full" in err[0], res.stderr
    assert sorted(p.name for p in tiny_fs.iterdir() if not p.name.startswith("filler")) == []


async def test_real_disk_filling_while_recording(tiny_fs):
    """The recording process hits a full disk mid-session: each distinct report once, the
    events kept, everything committed once space is freed."""
    n = 8_000
    evs = make_events(n)
    for e in evs:
        if e["type"] == "comment":
            e["data"]["text"] = "评论" * 200
    srv = await FakeServer(evs, batch=50, pace=0.02).start()
    db = f"sqlite:///{tiny_fs / 'live.db'}"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "record", srv.url, "--db", db, "--quiet", cwd=ROOT,
        stderr=asyncio.subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "LIVEDESK_RECORDER"})
    def committed():
        store = Store(db)
        try:
            infos = store.sessions()
            return store.last_feed_seq(infos[0].id) if infos else 0
        finally:
            store.close()
    try:
        for _ in range(600):
            if await asyncio.to_thread(committed) >= 500:
                break
            await asyncio.sleep(0.1)
        filler = _fill(tiny_fs)                              # the disk fills up mid-session
        await asyncio.sleep(4.0)
        filler.unlink()                                      # and is freed again
        for _ in range(600):
            if await asyncio.to_thread(committed) >= n:
                break
            await asyncio.sleep(0.1)
    finally:
        proc.terminate()
        _, err = await proc.communicate()
        await srv.stop()
    text = err.decode()
    failed = [ln for ln in text.splitlines() if "recording failed" in ln]
    assert len(failed) == 1 and "full" in failed[0], text   # reported, once (not per retry)
    assert text.count("recording recovered") == 1, text
    store = Store(db)
    try:
        (info,) = store.sessions()
        feed = [e.feed_seq for e in store.events(info.id) if e.feed_seq is not None]
    finally:
        store.close()
    assert feed == list(range(1, n + 1))
