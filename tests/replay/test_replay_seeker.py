"""Replay seeks in a process of their own (console.replay.seeker)."""

from __future__ import annotations

import gc
import os
import signal

import orjson
import pytest

from console.recorder import Store
from console.replay.replay import Replay, WindowBuyers
from console.replay.seeker import SeekProcess, SeekUnavailable, gc_paused, store_url
from console.fold.state import HISTORY, SessionState
from tests.replay.sessions import T0, random_session
from tests.replay.test_real_store import record


def full(state: SessionState) -> dict:
    """Everything a panel can show (the whole kept history), JSON-normalised."""
    d = orjson.loads(orjson.dumps(state.to_snapshot(keep=HISTORY)))
    d.pop("version")
    return d


@pytest.fixture
def recording(tmp_path):
    url = f"sqlite:///{tmp_path}/rec.db"
    src, live = random_session(11, 900, k=10**9)
    rec = record(url, src, "r1", 60, {"title": "random", "room": "room", "started_at": T0})
    rec.close()
    return url, src


@pytest.fixture
def seeker(recording):
    sp = SeekProcess(recording[0], "r1").start()
    yield sp
    sp.close()


def test_states_equal_the_local_seek(recording, seeker):
    url, src = recording
    store = Store(url)
    try:
        rp = Replay(store, "r1").open()
        assert seeker.ready(60)
        for seq in (0, 1, 59, 60, 61, 250, 599, 777, rp.last_seq, rp.last_seq + 50):
            got = seeker.state_at(seq)
            assert full(got) == full(rp.state_at(seq)), seq
            assert isinstance(got.buyers_registry, WindowBuyers)
        assert seeker.seeks == 10
        # a state from the process folds on like a local one (the replay's playback path)
        got, local = seeker.state_at(300), rp.state_at(300)
        for state in (got, local):
            rp.fold(state, store.events("r1", 301, 420))
        assert full(got) == full(local) and got.last_seq == 420
    finally:
        store.close()


def test_time_seeks_look_up_the_seq_in_the_process(recording, seeker):
    url, src = recording
    store = Store(url)
    try:
        rp = Replay(store, "r1").open()
        assert seeker.ready(60)
        span = rp.end_ts - rp.start_ts
        for ts in (rp.start_ts - 60, rp.start_ts, rp.start_ts + span / 3, rp.end_ts - 0.5,
                   rp.end_ts + 60):
            got = seeker.state_at_time(ts)
            assert got.last_seq == rp.seq_at_time(ts)
            assert full(got) == full(rp.seek_time(ts)), ts
            assert isinstance(got.buyers_registry, WindowBuyers)
        assert seeker.seeks == 5
        assert seeker.last_child_s is not None and 0 < seeker.last_child_s < 30
    finally:
        store.close()


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            raise ValueError("a failed seek")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()             # off before: stays off
    finally:
        gc.enable()


def test_not_ready_yet_is_unavailable_at_once(recording):
    sp = SeekProcess(recording[0], "r1")
    try:
        sp.start()
        try:
            sp.state_at(10)          # the child is still importing: no waiting
        except SeekUnavailable as exc:
            assert "starting" in str(exc)
        assert sp.ready(60) and sp.state_at(10).last_seq == 10
    finally:
        sp.close()


def test_follows_a_session_that_grows(tmp_path):
    url = f"sqlite:///{tmp_path}/grow.db"
    src, live = random_session(3, 800, k=10**9)
    rec = record(url, src, "r1", 50, {"title": "growing", "started_at": T0}, upto=300)
    sp = SeekProcess(url, "r1").start()
    try:
        assert sp.ready(60)
        assert sp.state_at(10_000).last_seq == 300       # clamped to what is recorded
        record(url, src, "r1", 50, {}, upto=700, rec=rec)
        got = sp.state_at(10_000)
        assert got.last_seq == 700
        store = Store(url)
        try:
            assert full(got) == full(Replay(store, "r1").open().state_at(700))
        finally:
            store.close()
        expect = SessionState()
        expect.apply(src.events("r1", 1, 700))
        assert got.gmv == pytest.approx(expect.gmv) and got.orders == expect.orders
    finally:
        sp.close()
        rec.close()


def test_a_killed_process_is_replaced(recording, seeker):
    assert seeker.ready(60)
    first = seeker.pid
    os.kill(first, signal.SIGKILL)
    with pytest.raises(SeekUnavailable):
        seeker.state_at(100)                 # gone: the caller seeks locally this time
    assert seeker.available
    assert seeker.ready(60) and seeker.pid != first
    assert seeker.state_at(100).last_seq == 100


def test_gives_up_when_it_cannot_open_the_database(tmp_path):
    bad = tmp_path / "a-directory.db"
    bad.mkdir()
    sp = SeekProcess(f"sqlite:///{bad}", "x")
    try:
        for _ in range(5):
            sp.ready(60)
        assert not sp.available
        with pytest.raises(SeekUnavailable):
            sp.state_at(1)
    finally:
        sp.close()


def test_closed_process_exits(recording):
    sp = SeekProcess(recording[0], "r1").start()
    assert sp.ready(60)
    proc = sp._proc
    sp.close()
    assert not proc.is_alive() and not sp.available
    with pytest.raises(SeekUnavailable):
        sp.state_at(5)


def test_store_url(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/s.db")
    try:
        assert store_url(store) == f"sqlite:///{tmp_path}/s.db"
    finally:
        store.close()
    assert store_url(object()) is None
    mem = Store("sqlite://")
    try:
        assert store_url(mem) is None
    finally:
        mem.close()
