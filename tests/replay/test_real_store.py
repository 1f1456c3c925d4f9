"""Replay and review against the real recorder (SQLite) when it is present."""

import orjson
import pytest

from console.fold.state import SessionState
from tests.replay.fakes import FakeStore
from tests.replay.sessions import T0, hand_session, random_session

recorder = pytest.importorskip("console.recorder")

from console.replay.replay import Replay, ReplayFeed  # noqa: E402
from console.review.report import build_review  # noqa: E402


def record(url, src_store: FakeStore, sid, k, meta, upto=None, rec=None):
    """Re-record a fake session's events through the real Recorder with snapshots every k."""
    own = rec is None
    if own:
        rec = recorder.Recorder(url)
        rec.open_session(sid, dict(meta))
        rec._ld_state = SessionState()
        rec._ld_since = 0
    state = rec._ld_state
    evs = src_store.events(sid, state.last_seq + 1, upto)
    for ev in evs:
        state.apply([ev])
        rec.submit([ev])
        rec.submit_first_purchases(state.buyers_registry.new_keys)
        state.buyers_registry.new_keys.clear()
        rec._ld_since += 1
        if rec._ld_since >= k:
            rec._ld_since = 0
            rec.submit_snapshot(state.last_seq, orjson.dumps(state.to_snapshot()))
    rec.update_summary(state.summary())
    assert rec.flush()
    return rec


def snap(state):
    d = orjson.loads(orjson.dumps(state.to_snapshot()))
    d.pop("version")
    return d


def test_state_at_real_store(tmp_path):
    url = f"sqlite:///{tmp_path}/rec.db"
    src, live = random_session(5, 600, k=10**9)
    rec = record(url, src, "r1", 40, {"title": "random", "room": "room", "started_at": T0})
    rec.close()
    store = recorder.Store(url)
    rp = Replay(store, "r1").open()
    assert snap(rp.final_state) == snap(live.state)
    for seq in (0, 1, 39, 40, 41, 123, 333, 599, rp.last_seq):
        full = SessionState()
        full.apply(src.events("r1", 1, seq))
        assert snap(rp.state_at(seq)) == snap(full), seq


def test_growing_session_real_store(tmp_path):
    url = f"sqlite:///{tmp_path}/rec.db"
    src, live = random_session(9, 300, k=10**9)
    rec = record(url, src, "r1", 25, {"title": "random", "room": "room", "started_at": T0}, upto=150)
    store = recorder.Store(url)
    rp = Replay(store, "r1").open()
    assert rp.last_seq == 150
    now = [0.0]
    feed = ReplayFeed(rp, rate=60, now=lambda: now[0])
    feed.clock.play(0.0)
    now[0] = 10_000.0
    feed.tick(now[0])
    assert feed.cursor == 150
    record(url, src, "r1", 25, {}, rec=rec)             # the recorder keeps writing
    assert feed.refresh() and rp.last_seq == src.last_seq("r1")
    feed.clock.play(now[0])
    now[0] += 10_000.0
    feed.tick(now[0])
    assert feed.cursor == rp.last_seq and snap(feed.state) == snap(live.state)
    rec.close()


def test_review_real_store(tmp_path):
    url = f"sqlite:///{tmp_path}/rec.db"
    src = FakeStore()
    hand_session(src, sid="s1", started=T0 - 86400)
    hand_session(src, sid="s2", started=T0)
    for sid, started in (("s1", T0 - 86400), ("s2", T0)):
        record(url, src, sid, 4, {"title": "双11 羽绒服专场", "room": "官方旗舰店", "platform": "douyin",
                                  "started_at": started}).close()
    r = build_review(recorder.Store(url), "s2")
    assert r.summary["gmv"] == 1492.0 and [c.session_id for c in r.comparison] == ["s2", "s1"]
    assert {p.sku: p.gmv for p in r.products} == {"A": 997.0, "B": 495.0, "C": 0.0}


def test_cli_report_real_store(tmp_path):
    import subprocess
    import sys
    url = f"sqlite:///{tmp_path}/rec.db"
    src = FakeStore()
    hand_session(src, sid="s2", started=T0)
    record(url, src, "s2", 4, {"title": "双11", "room": "官方旗舰店", "started_at": T0}).close()
    for fmt, out in (("xlsx", "r.xlsx"), ("csv", "r.zip"), ("html", "r.html"), ("pdf", "r.pdf")):
        res = subprocess.run([sys.executable, "-m", "console", "report", "s2", "--db", url, "--format", fmt,
                              "-o", str(tmp_path / out)], capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
        assert (tmp_path / out).stat().st_size > 500
    res = subprocess.run([sys.executable, "-m", "console", "report", "missing", "--db", url],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "no session 'missing'" in res.stderr


# ---- Property: over simulated sessions recorded by the real Recorder ----------------------
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), minutes=st.integers(1, 8), k=st.integers(20, 700),
       data=st.data())
def test_seek_equals_full_fold_simulated_real_store(tmp_path_factory, seed, minutes, k, data):
    """Replay state at any seek point (seq or time) equals a full fold to that point."""
    from tests.replay.recorded import SimRecording
    url = f"sqlite:///{tmp_path_factory.mktemp('prop')}/rec.db"
    r = SimRecording(url, "p", seed=seed, snapshot_every=k, audience=data.draw(st.sampled_from([50, 3000])))
    r.advance(minutes * 60)
    if data.draw(st.booleans()):
        r.end()
    r.close()
    store = recorder.Store(url)
    rp = Replay(store, "p").open()
    assert rp.last_seq == r.state.last_seq
    assert snap(rp.final_state) == snap(r.state)
    for _ in range(4):
        seq = data.draw(st.integers(0, rp.last_seq))
        full = SessionState()
        full.apply(store.events("p", 1, seq))
        assert snap(rp.state_at(seq)) == snap(full), seq
    ts = data.draw(st.floats(rp.start_ts, rp.end_ts))
    seq = rp.seq_at_time(ts)
    full = SessionState()
    full.apply(store.events("p", 1, seq))
    assert snap(rp.seek_time(ts)) == snap(full)
    store.close()
