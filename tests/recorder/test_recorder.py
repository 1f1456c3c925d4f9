from __future__ import annotations

import argparse
import gzip
import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from console.core.eventlog import Event
from console.recorder import Recorder, SessionExistsError, Store, schema
from console.cli.sessions import run_sessions
from console.recorder.db import current_revision, default_url, head_revision

ROOT = Path(__file__).resolve().parents[2]


def make_events(start: int, n: int, *, t0: float = 1_700_000_000.0, local_every: int = 0):
    out = []
    for seq in range(start, start + n):
        if local_every and seq % local_every == 0:
            out.append(Event(seq, t0 + seq, "operator.note", {"text": f"n{seq}"}, "operator"))
        else:
            out.append(Event(seq, t0 + seq, "order.paid",
                             {"order_id": f"o{seq}", "sku": "A1", "amount": 9.5}, "feed", seq))
    return out


@pytest.fixture
def rec(db_url):
    r = Recorder(db_url, flush_interval=0.01)
    yield r
    r.close()


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.close()


def test_round_trip_events_snapshots_first_purchases(rec, store, sid):
    assert rec.open_session(sid, {"title": "Spring launch", "room": "r1",
                                  "platform": "douyin", "started_at": 1_700_000_000.0,
                                  "host": "Ann"}) == 0
    evs = make_events(1, 500, local_every=7)
    rec.submit(evs[:250])
    rec.submit(evs[250:])
    snap = {"v": 1, "last_seq": 300, "gmv": 12.5, "products": {"A1": {"sku": "A1"}}}
    rec.submit_snapshot(300, orjson.dumps(snap))
    rec.submit_first_purchases([("b:1", 3), ("b:1|A1", 3)])
    assert rec.flush()
    assert rec.committed_seq == 500 and rec.queued == 0 and rec.last_error is None

    got = store.events(sid)
    assert got == evs
    assert [e.seq for e in store.events(sid, 10, 19)] == list(range(10, 20))
    assert len(store.events(sid, 100, limit=5)) == 5
    assert store.last_seq(sid) == 500
    assert store.last_feed_seq(sid) == 500
    assert store.snapshot_at_or_before(sid, 299) is None
    assert store.snapshot_at_or_before(sid, 1000) == (300, snap)
    assert store.first_purchases(sid) == {"b:1": 3, "b:1|A1": 3}
    assert store.seq_at_time(sid, 1_700_000_000.0 + 42.5) == 42
    assert store.seq_at_time(sid, 0) == 0
    lane = store.lane_events(sid, ["operator.note"])
    assert [e.seq for e in lane] == list(range(7, 501, 7))
    assert all(e.feed_seq is None and e.source == "operator" for e in lane)
    info = store.session(sid)
    assert info.title == "Spring launch" and info.platform == "douyin" and info.events == 500
    assert store.session("nope") is None


def test_payload_is_event_json(rec, db_url, sid):
    rec.open_session(sid, {})
    evs = make_events(1, 20, local_every=3)
    rec.submit(evs)
    assert rec.flush()
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        payloads = c.execute(sa.select(schema.events.c.payload).where(
            schema.events.c.session_id == sid).order_by(schema.events.c.seq)).scalars().all()
    eng.dispose()
    assert [orjson.loads(p) for p in payloads] == [e.to_json() for e in evs]


def test_encoded_rows_are_the_events_json_byte_for_byte():
    from console.recorder.recorder import encode_rows
    evs = make_events(1, 12, local_every=4) + [
        Event(13, 1.0, "odd.event", {1: {"x": object()}}, "feed", 99)]   # not plain JSON
    rows = encode_rows(evs)
    for ev, (seq, feed_seq, ts, type_, source, payload) in zip(evs[:-1], rows):
        assert (seq, feed_seq, ts, type_, source) == (ev.seq, ev.feed_seq, ev.ts, ev.type,
                                                     ev.source)
        assert payload == orjson.dumps(ev.to_json()) and type(payload) is bytes
    odd = orjson.loads(rows[-1][5])
    assert odd["feed_seq"] == 99 and odd["data"]["1"]["x"].startswith("<object")


def test_summary_update(rec, store, sid):
    rec.open_session(sid, {"title": "x", "started_at": 1000.0})
    rec.submit(make_events(1, 10))
    rec.update_summary({"seq": 10, "feed_seq": 10, "gmv": 123.45, "orders": 3, "buyers": 2,
                        "peak_online": 999, "ended_at": 1000.0 + 3725, "card": "A1"})
    assert rec.flush()
    info = store.session(sid)
    assert (info.gmv, info.orders, info.buyers, info.peak_online, info.events) == \
        (123.45, 3, 2, 999, 10)
    assert info.duration_s == pytest.approx(3725)


def test_batching(db_url, store, sid):
    rec = Recorder(db_url, batch_max=100, flush_interval=0.2)
    commits = []
    sa.event.listen(rec.engine, "commit", lambda conn: commits.append(1))
    try:
        rec.open_session(sid, {})
        commits.clear()
        for ev in make_events(1, 1000):
            rec.submit([ev])
        assert rec.flush()
        assert store.last_seq(sid) == 1000
        # one transaction per batch of <= 100 events, not one per event
        assert 10 <= len(commits) <= 30
    finally:
        rec.close()


def test_a_commit_confirmation_does_not_cut_the_batch_short(db_url, store, sid):
    """The recording process asks for a confirmation (mark) whenever its pipe is idle: at a
    busy feed's pace that was after nearly every hand-over, and each one ended the batch, so
    it committed a transaction per hand-over (half its CPU at 20,000 events/s). A mark now
    waits for the batch like any event does (at most flush_interval)."""
    rec = Recorder(db_url, batch_max=5000, flush_interval=0.5)
    commits = []
    sa.event.listen(rec.engine, "commit", lambda conn: commits.append(1))
    confirmed = []

    class Marker:
        def __init__(self, n):
            self.n = n

        def set(self):
            confirmed.append(self.n)
    try:
        rec.open_session(sid, {})
        commits.clear()
        events = make_events(1, 1000)
        for i in range(0, 1000, 50):
            rec.submit(events[i:i + 50])
            rec.mark(Marker(i // 50))
        assert rec.flush()
        assert store.last_seq(sid) == 1000
        assert confirmed == list(range(20))
        assert len(commits) <= 2, len(commits)
    finally:
        rec.close()


def test_resume_numbering_and_duplicates_skipped(db_url, store, sid):
    r1 = Recorder(db_url)
    assert r1.open_session(sid, {"title": "a"}) == 0
    r1.submit(make_events(1, 50))
    r1.close()
    r2 = Recorder(db_url)
    try:
        assert r2.open_session(sid, {"title": "ignored on resume"}) == 50
        assert r2.committed_seq == 50
        # a restarted pipeline may resend rows that were already committed
        r2.submit(make_events(40, 21))
        assert r2.flush()
        assert r2.last_error is None
        assert r2.committed_seq == 60
        assert [e.seq for e in store.events(sid)] == list(range(1, 61))
        assert store.session(sid).title == "a"
    finally:
        r2.close()


def test_feed_seq_unique_per_session(rec, db_url, sid):
    rec.open_session(sid, {})
    rec.submit(make_events(1, 3))
    assert rec.flush()
    eng = sa.create_engine(db_url)
    row = {"session_id": sid, "seq": 99, "feed_seq": 2, "ts": 1.0, "type": "x",
           "source": "feed", "payload": b"{}"}
    try:
        with pytest.raises(sa.exc.IntegrityError):
            with eng.begin() as c:
                c.execute(sa.insert(schema.events), [row])
        with eng.begin() as c:  # NULL feed_seq (local events) may repeat
            c.execute(sa.insert(schema.events), [
                dict(row, seq=100, feed_seq=None), dict(row, seq=101, feed_seq=None)])
            # another session may reuse the same feed seq
            c.execute(sa.insert(schema.events), [dict(row, session_id=sid + "b", seq=1)])
    finally:
        eng.dispose()


def test_delete_session(rec, store, sid):
    rec.open_session(sid, {})
    rec.submit(make_events(1, 30))
    rec.submit_snapshot(10, b'{"a":1}')
    rec.submit_first_purchases([("b:x", 2)])
    assert rec.flush()
    store.delete_session(sid)
    assert store.session(sid) is None
    assert store.events(sid) == [] and store.first_purchases(sid) == {}
    assert store.snapshot_at_or_before(sid, 100) is None
    assert sid not in [i.id for i in store.sessions()]


def test_export_import_round_trip(rec, store, sid, tmp_path, sqlite_url):
    rec.open_session(sid, {"title": "exp", "currency": "CNY", "tag": "t1"})
    evs = make_events(1, 1234, local_every=10)
    rec.submit(evs)
    snap = {"v": 1, "last_seq": 1000, "x": [1, 2, 3]}
    rec.submit_snapshot(1000, orjson.dumps(snap))
    rec.submit_first_purchases([("b:1", 1), ("b:2", 5)])
    rec.update_summary({"seq": 1234, "gmv": 50.0, "orders": 2})
    assert rec.flush()
    path = tmp_path / "s.livedesk.jsonl.gz"
    store.export_session(sid, path)
    with gzip.open(path, "rt") as fh:
        header = json.loads(fh.readline())
    assert header["format"] == "livedesk-session" and header["session"]["id"] == sid

    with pytest.raises(SessionExistsError, match="already exists"):
        store.import_session(path)
    new = store.import_session(path, new_id=sid + "-copy")
    assert store.events(new) == evs

    other = Store(sqlite_url.replace("rec.db", "other.db"))
    try:
        assert other.import_session(path) == sid
        assert other.events(sid) == evs
        assert other.snapshot_at_or_before(sid, 2000) == (1000, snap)
        assert other.first_purchases(sid) == {"b:1": 1, "b:2": 5}
        info = other.session(sid)
        assert info.title == "exp" and info.gmv == 50.0 and info.events == 1234
    finally:
        other.close()
    bad = tmp_path / "bad.gz"
    with gzip.open(bad, "wb") as fh:
        fh.write(b"hello\n")
    with pytest.raises(ValueError, match="not a Livedesk session export"):
        store.import_session(bad)


def test_sessions_cli(rec, db_url, sid, capsys):
    rec.open_session(sid, {"title": "CLI show", "started_at": 1_700_000_000.0})
    rec.update_summary({"seq": 5, "gmv": 1234.5, "orders": 7, "peak_online": 321,
                        "ended_at": 1_700_000_000.0 + 3661})
    assert rec.flush()
    assert run_sessions(argparse.Namespace(db=db_url, json=False)) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith(sid))
    assert "CLI show" in line and "1:01:01" in line and "1,234.50" in line and "321" in line
    assert line.endswith("ended")                 # recording / ended / interrupted
    assert run_sessions(argparse.Namespace(db=db_url, json=True)) == 0
    data = json.loads(capsys.readouterr().out)
    row = next(d for d in data if d["id"] == sid)
    assert row["orders"] == 7 and row["duration_s"] == pytest.approx(3661)
    assert row["status"] == "ended"


# ---- SQLite specifics -------------------------------------------------------------

def test_sqlite_wal_and_schema_head(sqlite_url):
    s = Store(sqlite_url)
    try:
        with s.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            assert current_revision(c) == head_revision()
            assert c.exec_driver_sql("PRAGMA page_size").scalar() == 16384
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 2500   # ~40 MB
    finally:
        s.close()


def test_an_existing_database_keeps_its_page_size(tmp_path):
    import sqlite3
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("PRAGMA page_size=4096")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE keep_me (x)")
    con.commit()
    con.close()
    s = Store(f"sqlite:///{path}")
    try:
        with s.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA page_size").scalar() == 4096
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000  # ~40 MB
            assert current_revision(c) == head_revision()
    finally:
        s.close()


def test_default_url(monkeypatch, tmp_path):
    monkeypatch.setenv("LIVEDESK_DB_URL", "sqlite:///x.db")
    assert default_url() == "sqlite:///x.db"
    monkeypatch.delenv("LIVEDESK_DB_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = default_url()
    assert url.startswith("sqlite:///") and url.endswith("livedesk/livedesk.db")
    assert (tmp_path / "xdg" / "livedesk").is_dir()


def test_concurrent_schema_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    code = f"from console.recorder import Store; Store({url!r}).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT) for _ in range(3)]
    assert [p.wait(60) for p in procs] == [0, 0, 0]


def test_full_database_keeps_data_and_recovers(sqlite_url, sid):
    rec = Recorder(sqlite_url, flush_interval=0.01)
    limit = {"pages": None}

    @sa.event.listens_for(rec.engine, "checkout")
    def _limit(dbapi_conn, rec_, proxy):
        if limit["pages"] is not None:
            dbapi_conn.execute(f"PRAGMA max_page_count={limit['pages']}")

    errors = []
    rec.on_error = errors.append
    try:
        rec.open_session(sid, {})
        rec.submit(make_events(1, 100))
        assert rec.flush()
        with rec.engine.connect() as c:
            pages = c.exec_driver_sql("PRAGMA page_count").scalar()
        limit["pages"] = pages + 2
        big = [Event(s, 1.0 * s, "comment.created", {"text": "x" * 2000}, "feed", s)
               for s in range(101, 1101)]
        rec.submit(big)
        assert not rec.flush(timeout=1.0)
        assert errors and "full" in errors[0]
        assert rec.last_error and "full" in rec.last_error
        assert rec.queued == 1000 and rec.committed_seq == 100
        limit["pages"] = 2 ** 30  # space freed
        assert rec.flush(timeout=15)
        assert rec.last_error is None and rec.committed_seq == 1100 and rec.queued == 0
    finally:
        rec.close()
    s = Store(sqlite_url)
    try:
        assert [e.seq for e in s.events(sid)] == list(range(1, 1101))
    finally:
        s.close()


KILL_SCRIPT = textwrap.dedent("""
    import os, sys, time
    from console.core.eventlog import Event
    from console.recorder import Recorder
    url, sid, report = sys.argv[1:4]
    r = Recorder(url, flush_interval=0.005)
    seq = r.open_session(sid, {"title": "kill"}) + 1
    last = -1
    while True:
        batch = [Event(s, 1000.0 + s, "order.paid", {"n": s}, "feed", s)
                 for s in range(seq, seq + 50)]
        seq += 50
        r.submit(batch)
        c = r.committed_seq
        if c != last:
            with open(report + ".tmp", "w") as fh:
                fh.write(str(c))
            os.replace(report + ".tmp", report)
            last = c
        time.sleep(0.001)
""")


def test_kill_9_loses_nothing_committed(sqlite_url, sid, tmp_path):
    report = tmp_path / "committed.txt"
    p = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, sqlite_url, sid, str(report)],
                         cwd=ROOT)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if report.exists() and int(report.read_text() or 0) >= 5000:
                break
            time.sleep(0.05)
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    reported = int(report.read_text())
    assert reported >= 5000
    s = Store(sqlite_url)
    try:
        seqs = [e.seq for e in s.events(sid)]
    finally:
        s.close()
    assert len(seqs) >= reported
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps
    # a restarted recorder continues numbering after the last committed seq
    r = Recorder(sqlite_url)
    try:
        assert r.open_session(sid, {}) == len(seqs)
    finally:
        r.close()


def test_unusual_event_data_is_still_recorded(rec, store, sid):
    rec.open_session(sid, {})
    rec.submit([Event(1, 1.0, "x.odd", {1: "int key", "obj": object()}, "feed", 1),
                Event(2, 2.0, "x.ok", {"a": 1}, "feed", 2)])
    assert rec.flush()
    got = store.events(sid)
    assert [e.seq for e in got] == [1, 2] and got[0].data["1"] == "int key"


@pytest.mark.postgres
def test_postgres_connection_lost_is_retried(pg_url, sid):
    rec = Recorder(pg_url, flush_interval=0.01)
    killer = sa.create_engine(pg_url)
    try:
        rec.open_session(sid, {})
        rec.submit(make_events(1, 100))
        assert rec.flush()
        for start in (101, 201, 301):
            with killer.connect() as c:  # drop every other connection to the database
                c.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = current_database() "
                                  "AND pid <> pg_backend_pid()"))
            rec.submit(make_events(start, 100))
            assert rec.flush(timeout=15)
        assert rec.committed_seq == 400
    finally:
        rec.close()
        killer.dispose()
    s = Store(pg_url)
    try:
        assert [e.seq for e in s.events(sid)] == list(range(1, 401))
    finally:
        s.close()


def test_submit_after_close_raises(db_url, sid):
    rec = Recorder(db_url)
    rec.open_session(sid, {})
    rec.close()
    with pytest.raises(RuntimeError, match="closed"):
        rec.submit(make_events(1, 1))


def test_migration_matches_schema(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), schema.metadata) == []


def test_large_batches_with_overlap_recorded_exactly_once(db_url, store, sid):
    """Batches that are not a multiple of the rows per INSERT, resent overlaps included."""
    rec = Recorder(db_url, batch_max=5000)
    try:
        rec.open_session(sid, {})
        rec.submit(make_events(1, 1234, local_every=7))
        rec.submit(make_events(1001, 1500, local_every=7))      # 1001..1234 again
        rec.submit_first_purchases([(f"b:{i}", i) for i in range(1, 777)])
        rec.submit_first_purchases([(f"b:{i}", i) for i in range(700, 1001)])
        assert rec.flush()
        assert rec.last_error is None and rec.committed_seq == 2500
    finally:
        rec.close()
    got = store.events(sid)
    assert [e.seq for e in got] == list(range(1, 2501))
    feed = [e.feed_seq for e in got if e.feed_seq is not None]
    assert feed == [s for s in range(1, 2501) if s % 7]
    assert got[99].data == {"order_id": "o100", "sku": "A1", "amount": 9.5}
    assert store.first_purchases(sid) == {f"b:{i}": i for i in range(1, 1001)}
