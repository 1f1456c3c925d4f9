"""ProcessRecorder: the Recorder in a child process, with the same rows and no loss when either
process dies."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from console.core.eventlog import Event
from console.recorder import ProcessRecorder, Recorder, RecorderProcessError, Store

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000.0


def events(start: int, n: int) -> list[Event]:
    out = []
    for seq in range(start, start + n):
        if seq % 97 == 0:
            out.append(Event(seq, T0 + seq, "operator.cue", {"text": f"上链接 {seq} \"引号\" \u2028"},
                             "operator"))
        elif seq % 1001 == 0:   # odd data: a non-string key (stored with the key as a string)
            out.append(Event(seq, T0 + seq, "order.paid", {"order_id": f"o{seq}", "x": {1: 2}},
                             "feed", seq))
        else:
            out.append(Event(seq, T0 + seq + 0.123456789, "order.paid",
                             {"order_id": f"o{seq}", "sku": "A1", "amount": 9.5,
                              "buyer": {"id": f"u{seq % 50}", "nick": "张三😀"}}, "feed", seq))
    return out


def rows(path: Path, sid: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT seq, feed_seq, ts, type, source, payload FROM events "
                           "WHERE session_id = ? ORDER BY seq", (sid,)).fetchall()
    finally:
        con.close()


def run_recording_script(path: Path, body: str) -> subprocess.CompletedProcess:
    """Run ``body`` in a fresh Python with ``rec`` a ProcessRecorder on ``path``, session s1."""
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tests.recorder.test_process_recorder import events
        from console.recorder import ProcessRecorder

        if __name__ == "__main__":
            rec = ProcessRecorder({f"sqlite:///{path}"!r})
            rec.open_session("s1", {{}})
    """) + textwrap.indent(textwrap.dedent(body), " " * 4)
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_same_rows_snapshots_and_summary_as_the_thread_recorder(tmp_path):
    evs = events(1, 3000)
    got = {}
    for name, cls in (("thread", Recorder), ("process", ProcessRecorder)):
        path = tmp_path / f"{name}.db"
        rec = cls(f"sqlite:///{path}")
        assert rec.open_session("s1", {"title": "双11 专场", "room": "旗舰店"}) == 0
        for i in range(0, len(evs), 250):
            rec.submit(evs[i:i + 250])
        rec.submit_snapshot(3000, b'{"v": 2, "last_seq": 3000}', ts=T0 + 3000)
        rec.submit_first_purchases([("b:u1", 2), ("b:u1|A1", 2)])
        rec.update_summary({"gmv": 123.5, "orders": 7, "title": "双11 专场"})
        assert rec.flush(30)
        assert rec.queued == 0 and rec.committed_seq == 3000
        rec.close()
        store = Store(f"sqlite:///{path}")
        info = store.session("s1")
        got[name] = (rows(path, "s1"), store.snapshot_at_or_before("s1", 5000),
                     store.first_purchases("s1"), (info.title, info.room, info.gmv, info.orders,
                                                   info.events))
        store.close()
    assert got["process"] == got["thread"]
    stored = got["process"][0]
    assert len(stored) == 3000 and stored[96][4] == "operator" and stored[96][1] is None
    assert b'"x":{"1":2}' in stored[1000][5]


def test_a_killed_recording_process_is_restarted_and_nothing_is_lost(tmp_path):
    path = tmp_path / "k.db"
    rec = ProcessRecorder(f"sqlite:///{path}")
    errors: list[str] = []
    rec.on_error = errors.append
    rec.open_session("s1", {})
    first_pid = rec.pid
    evs = events(1, 40_000)
    for i in range(0, 20_000, 500):
        rec.submit(evs[i:i + 500])
    os.kill(first_pid, signal.SIGKILL)
    for i in range(20_000, 40_000, 500):
        rec.submit(evs[i:i + 500])
    assert rec.flush(60)
    assert rec.restarts >= 1 and rec.pid != first_pid
    assert any("recording process exited" in e for e in errors)
    rec.close()
    seqs = [r[0] for r in rows(path, "s1")]
    assert seqs == list(range(1, 40_001))          # every event exactly once, in order


def test_the_child_commits_what_it_received_when_the_parent_is_killed(tmp_path):
    path = tmp_path / "p.db"
    proc = run_recording_script(path, """
        evs = events(1, 100_000)
        for i in range(0, len(evs), 300):
            rec.submit(evs[i:i + 300])
        while not rec._outbox.empty():           # all handed to the pipe
            time.sleep(0.01)
        print(rec.pid, rec.committed_seq, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)     # no flush, no close
    """)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    child_pid, committed_when_killed = map(int, proc.stdout.split())
    assert committed_when_killed < 100_000         # it really had work left
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the recording process did not finish after its parent was killed")
    assert [r[0] for r in rows(path, "s1")] == list(range(1, 100_001))


def test_an_unusable_database_is_a_clear_error_at_start(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(RecorderProcessError, match="cannot record to"):
        ProcessRecorder(f"sqlite:///{blocker}/sub/x.db")


def test_exiting_without_close_still_commits_everything(tmp_path):
    """An uncaught exception ends the program: the recorder is closed at exit, before
    multiprocessing would terminate the (daemonic) recording process."""
    path = tmp_path / "e.db"
    proc = run_recording_script(path, """
        rec.submit(events(1, 50_000))
        raise RuntimeError("crash without close()")
    """)
    assert proc.returncode == 1 and "crash without close()" in proc.stderr
    assert [r[0] for r in rows(path, "s1")] == list(range(1, 50_001))


def test_a_long_database_upgrade_at_start_is_waited_for(tmp_path, monkeypatch):
    """Opening a database that needs a long migration: the parent waits for as long as the
    recording process lives (the start timeout only covers starting Python), then records."""
    import console.recorder.process as process
    from tests.recorder.test_migrations import _database_at_0002

    url = _database_at_0002(tmp_path / "old.db", 3_000_000)     # ~4-5 s to upgrade (1M: 1.5 s)
    monkeypatch.setattr(process, "START_TIMEOUT_S", 2.0)
    t0 = time.monotonic()
    rec = ProcessRecorder(url)
    try:
        assert time.monotonic() - t0 > 2.0          # longer than the start timeout
        rec.open_session("s2", {"title": "after the upgrade"})
        rec.submit(events(1, 100))
        assert rec.flush(30)
    finally:
        rec.close()
    store = Store(url)
    try:
        assert len(store.events("s2")) == 100
        assert len(store.first_purchases("s1")) == 3_000_000
    finally:
        store.close()
