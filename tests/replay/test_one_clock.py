"""One clock (issue 16 item 6): every event of a session's log is on the feed's clock.

A session recorded from the simulator at ``--speed 20`` (its clock starting far from the wall
clock) must have its operator, alert and status events stamped on the simulated clock, so
that the replay timeline, "next card push", the report's minutes and the prompt panel's
countdown all agree. Recordings made before the fix are repaired when opened.
"""

from __future__ import annotations

import asyncio
import time

import orjson
import pytest

from console.core import protocol as p
from console.core.eventlog import SessionClock, SessionLog, StateClock
from console.live.session import LiveSession
from console.recorder import Recorder, Store
from console.replay.replay import Replay
from console.review.report import build_review
from plugins.simulator.server import SimServer
from console.fold.state import SessionState
from tests.replay.recorded import SimRecording

T0 = 1_600_000_000.0      # the simulator's clock starts here: years away from the wall clock


def _bracket_violations(events, tolerance=2.0):
    """Local events outside the times of the feed events around them (seconds off)."""
    feed_ts = [(i, ev.ts) for i, ev in enumerate(events) if ev.source == "feed"]
    bad = []
    for i, ev in enumerate(events):
        if ev.source == "feed":
            continue
        before = [ts for j, ts in feed_ts if j < i]
        after = [ts for j, ts in feed_ts if j > i]
        lo = before[-1] if before else (after[0] if after else ev.ts)
        hi = after[0] if after else None
        if ev.ts < lo - tolerance or (hi is not None and ev.ts > hi + tolerance):
            bad.append((ev.seq, ev.type, ev.ts - lo))
    return bad


# ---- the clock itself -----------------------------------------------------------------
def test_session_clock_runs_at_the_feed_speed_and_never_goes_back():
    mono = [100.0]
    clock = SessionClock(speed=10.0, monotonic=lambda: mono[0], wall=lambda: 5.0)
    assert clock.now() == 5.0                 # no feed event yet: wall time
    clock.observe(T0)
    mono[0] += 1.5
    assert clock.now() == pytest.approx(T0 + 15.0)
    clock.observe(T0 + 3.0)                   # a late (older) feed event: no step back
    assert clock.now() == pytest.approx(T0 + 15.0)
    mono[0] += 2.0
    assert clock.now() == pytest.approx(T0 + 23.0)


def test_local_events_take_the_feed_clock_and_never_precede_the_log():
    mono = [0.0]
    log = SessionLog(session_id="s")
    log.session_clock = SessionClock(speed=20.0, monotonic=lambda: mono[0])
    log.append_feed([p.make_event(1, T0, p.SESSION_STARTED, {"started_at": T0})])
    mono[0] = 2.0
    cue = log.append_local(p.OPERATOR_CUE, {"text": "上链接", "kind": "link"})
    assert cue.ts == pytest.approx(T0 + 40.0)          # 2 wall seconds at 20x
    log.append_feed([p.make_event(2, T0 + 41.0, p.TRAFFIC_TICK, {"online": 1})])
    log.session_clock.observe(T0 + 10.0)                # nonsense anchor: still not earlier
    assert log.append_local(p.OPERATOR_CUE, {"text": "x", "kind": "free"}).ts >= T0 + 41.0


def test_state_clock_follows_the_log_and_its_recorded_speed():
    mono = [0.0]
    st = SessionState()
    clock = StateClock(st, monotonic=lambda: mono[0])
    log = SessionLog(session_id="s", clock=lambda: T0)
    log.subscribe(st.apply)
    log.append_local(p.FEED_STATUS, {"state": "live", "speed": 10.0}, "system")
    assert clock.now() == pytest.approx(T0)
    mono[0] = 3.0
    assert clock.now() == pytest.approx(T0 + 30.0)


# ---- a live session at --speed 20, recorded ---------------------------------------------
async def _record_at_speed(url_db: str, seconds: float = 2.5) -> tuple[str, LiveSession]:
    srv = SimServer(speed=20.0, start_ts=T0, session_id="speed20")
    await srv.start()
    rec = Recorder(url_db, flush_interval=0.02)
    live = LiveSession(srv.url, recorder=rec)
    try:
        await live.start()
        for _ in range(200):
            if live.state.last_seq > 20:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(seconds / 2)
        sku = live.state.run_of_show[0] if live.state.run_of_show else next(iter(live.state.products))
        live.append_local(p.OPERATOR_CUE, {"text": "讲福利", "kind": "perks"})
        live.send_command(p.CMD_CARD_PUSH, {"sku": sku})
        await asyncio.sleep(seconds / 2)
        live.append_local(p.ALERT_RAISED, {"key": "k", "kind": "viewers_drop", "level": "warn",
                                           "message": "test"}, "system")
        await asyncio.sleep(0.3)
    finally:
        await live.stop()
        rec.close()
        await srv.stop()
    return srv.session_id, live


def test_a_session_recorded_at_speed_20_is_on_one_clock(tmp_path):
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    t_wall = time.time()
    sid, live = asyncio.run(_record_at_speed(url))
    store = Store(url)
    try:
        events = store.events(sid)
        local = [ev for ev in events if ev.source != "feed"]
        assert {ev.type for ev in local} >= {p.OPERATOR_CUE, p.OPERATOR_COMMAND, p.ALERT_RAISED,
                                               p.FEED_STATUS, p.OPERATOR_ACK}
        # nothing near the wall clock: every event is on the simulated clock
        assert all(abs(ev.ts - t_wall) > 86400 for ev in events)
        # within a quarter of a wall second of the feed (jitter of the loop at 20x)
        assert _bracket_violations(events, tolerance=5.0) == []
        statuses = [ev.data for ev in local if ev.type == p.FEED_STATUS and ev.data["state"] == "live"]
        assert statuses and statuses[0]["speed"] == 20.0
        info = store.session(sid)
        assert info.clock == "session"
        replay = Replay(store, sid).open()
        # the timeline ends where the library's duration says it does
        assert replay.end_ts - replay.start_ts == pytest.approx(info.duration_s, abs=2.0)
        # the operator's card push lies inside the session, not at its start or end
        ops = replay.lane("operator")
        assert ops and all(replay.start_ts + 10 < le.ts < replay.end_ts - 1 for le in ops)
    finally:
        store.close()


# ---- recordings made before the fix ---------------------------------------------------------
def _old_style_recording(url: str, sid: str = "old", *, feed_snapshot: bool = False
                         ) -> tuple[list[float], float]:
    """A recording as Livedesk wrote it before one clock: feed events on the simulated clock
    (20 minutes of it), operator/alert events stamped with the wall clock of a 1-minute run."""
    rec = SimRecording(url, sid, snapshot_every=300)
    wall0 = T0 + 400_000.0          # the wall clock, far from the simulated one
    local_wall: list[float] = []
    sim_at: list[float] = []
    for minute in range(1, 21):
        rec.advance(60.0)
        if minute in (3, 8, 15):
            wall = wall0 + minute * 3.0            # --speed 20: 3 wall seconds per sim minute
            local_wall.append(wall)
            sim_at.append(rec.state.last_ts)
            sku = rec.state.run_of_show[minute % len(rec.state.run_of_show)]
            rec.log.append_local(p.OPERATOR_CUE, {"text": f"cue {minute}", "kind": "free"}, ts=wall)
            rec.log.append_local(p.OPERATOR_COMMAND, {"command_id": f"c{minute}",
                                                      "name": p.CMD_CARD_PUSH, "args": {"sku": sku}},
                                 ts=wall)
            rec.log.append_local(p.ALERT_RAISED, {"key": f"a{minute}", "kind": "viewers_drop",
                                                  "level": "warn", "message": f"drop {minute}"},
                                 "system", ts=wall)
            if feed_snapshot and minute == 8:     # a resume the feed could not replay
                st = rec.state
                rec.log.append_local(p.FEED_SNAPSHOT, {
                    "current_sku": st.current_sku, "traffic": {"online": st.traffic["online"]},
                    "totals": {"gmv": st.gmv + 100.0, "orders": st.orders}}, "system", ts=wall)
    rec.end()
    rec.log.append_local(p.FEED_STATUS, {"state": "closed"}, "system", ts=wall0 + 61.0)
    assert rec.rec.flush()
    rec.close()
    return sim_at, wall0


def test_an_older_mixed_clock_recording_is_repaired_when_opened(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    sim_at, wall0 = _old_style_recording(url)
    store = Store(url)
    try:
        before = store.events("old")
        assert _bracket_violations(before)           # the two clocks, as recorded
        lib_duration = store.session("old").duration_s
        replay = Replay(store, "old").open()          # opening repairs it
        after = store.events("old")
        assert _bracket_violations(after) == []
        cues = [ev for ev in after if ev.type == p.OPERATOR_CUE and ev.data["text"].startswith("cue")]
        assert [round(ev.ts - s) for ev, s in zip(cues, sim_at)] == [0, 0, 0]
        assert store.session("old").clock == "repaired"
        # the timeline's end and the library's duration agree (about 20 minutes, not 3 s)
        assert replay.end_ts - replay.start_ts == pytest.approx(lib_duration, abs=60)
        assert replay.end_ts - replay.start_ts > 19 * 60
        # "next card push" from the start steps to the first operator action's time, in order
        ops = replay.lane("operator")
        assert [le.ts for le in ops] == sorted(le.ts for le in ops)
        assert min(le.ts for le in ops) > replay.start_ts + 2 * 60
        # snapshots were folded again: a seek into the middle shows the alerts at sim times
        mid = replay.state_at(replay.last_seq)
        ours = [a for a in mid.alerts if str(a.get("message", "")).startswith("drop")]
        assert [round(a["ts"] - s) for a, s in zip(ours, sim_at)] == [0, 0, 0]
        snap = store.snapshot_at_or_before("old", replay.last_seq)
        assert snap is not None
        snap_alerts = SessionState.from_snapshot(snap[1]).alerts
        assert all(abs(a["ts"] - wall0) > 3600 for a in snap_alerts)
        # the report puts the operator actions in their minutes (3, 8, 15), not 0-2
        review = build_review(store, "old", compare_limit=0)
        minutes = sorted({int((le.ts - review.started_at) // 60) for le in review.lanes
                          if le.kind == "alert" and le.label.startswith("drop")})
        assert minutes in ([3, 8, 15], [2, 7, 14])
        # it runs once
        assert store.repair_clock("old") == 0
    finally:
        store.close()


def test_the_repair_keeps_the_wall_time_and_leaves_one_clock_recordings_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_style_recording(url)
    store = Store(url)
    try:
        before = {ev.seq: ev.ts for ev in store.events("old") if ev.source != "feed"}
        assert store.repair_clock("old") > 0
        import sqlalchemy as sa
        from console.recorder import schema
        with store.engine.connect() as c:
            rows = c.execute(sa.select(schema.events.c.seq, schema.events.c.payload).where(
                schema.events.c.session_id == "old", schema.events.c.source != "feed")).all()
        kept = {seq: orjson.loads(pl).get("wall_ts", orjson.loads(pl)["ts"]) for seq, pl in rows}
        assert kept == before                                # no data lost
    finally:
        store.close()
    # a recording made with the one clock is never touched
    url2 = f"sqlite:///{tmp_path / 'new.db'}"
    sid, _ = asyncio.run(_record_at_speed(url2, seconds=1.0))
    store = Store(url2)
    try:
        assert store.repair_clock(sid) == 0
        assert store.session(sid).clock == "session"
    finally:
        store.close()


@pytest.mark.parametrize("feed_snapshot", [False, True], ids=["patched", "folded-again"])
def test_the_repaired_snapshots_equal_a_fold_of_the_repaired_log(tmp_path, feed_snapshot):
    """The snapshots are patched in place (no fold of the whole session), or folded again when
    a moved event added to the per-minute series (feed.snapshot): either way each must be
    exactly the state a fold of the repaired events gives."""
    from console.fold.state import IndexedBuyers
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_style_recording(url, feed_snapshot=feed_snapshot)
    store = Store(url)
    try:
        assert store.repair_clock("old") > 0
        import sqlalchemy as sa
        from console.recorder import schema
        with store.engine.connect() as c:
            seqs = [int(x) for x in c.execute(sa.select(schema.snapshots.c.seq).where(
                schema.snapshots.c.session_id == "old").order_by(schema.snapshots.c.seq)).scalars()]
        assert len(seqs) >= 3
        state = SessionState(IndexedBuyers(store.first_purchases("old")))
        for seq in seqs:
            state.apply(store.events("old", state.last_seq + 1, seq))
            want = orjson.loads(orjson.dumps(state.to_snapshot()))
            got = store.snapshot_at_or_before("old", seq)[1]
            for d in (want, got):
                d.pop("version")
            assert got == want, seq
    finally:
        store.close()


def test_events_held_until_the_welcome_are_stamped_at_the_session_start():
    mono = [0.0]
    clock = SessionClock(speed=10.0, monotonic=lambda: mono[0], wall=lambda: T0 + 999)
    clock.hold(T0)
    mono[0] = 0.5                                 # the feed's backlog has not arrived yet
    assert clock.now() == T0
    clock.observe(T0 + 1.0)                       # the first feed event: the clock runs
    mono[0] = 1.0
    assert clock.now() == pytest.approx(T0 + 6.0)


def test_wall_clock_reads_before_the_feed_answers_do_not_hold_its_clock_back():
    """The console's panels read the clock before the welcome (wall time); the session's clock
    then starts at the feed's session start all the same."""
    mono = [0.0]
    clock = SessionClock(speed=10.0, monotonic=lambda: mono[0], wall=lambda: T0 + 0.8)
    assert clock.now() == T0 + 0.8                # a panel painting before the welcome
    clock.hold(T0)
    assert clock.now() == T0


def test_a_recording_that_cannot_be_repaired_still_opens(tmp_path, caplog):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_style_recording(url)
    store = Store(url)

    def refuse(_sid):
        raise PermissionError("attempt to write a readonly database")

    store.repair_clock = refuse
    try:
        replay = Replay(store, "old").open()
        assert replay.last_seq > 0 and replay.final_state.orders > 0
        assert "could not put its older recording on one clock" in caplog.text
    finally:
        store.close()
