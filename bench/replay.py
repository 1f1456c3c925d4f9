"""Replay benchmark: a 10,000,000-event recording, then open / seek / RSS.

    .venv/bin/python bench/replay.py [--events 10000000] [--db PATH] [--seeks 200] [--keep]
                                     [--snapshot-every 2000] [--card-every 100000] [--skip-generate]
                                     [--gui [--clicks 200]] [--json bench/results/replay.json]

Phase 1 (generate) writes the recording straight into the recorder's tables
(bulk inserts, the same rows the Recorder writes) while folding it, with a
snapshot every 2000 events (--snapshot-every) and the first-purchase index. Phase 2 (measure)
runs in a fresh process so its peak RSS is the replay's own: Replay.open()
time, random state_at() seeks (p50/p99), seek_time(), ReplayFeed ticks at 60x. With --gui,
the replay window (offscreen) in another fresh process: --clicks clicks on its timeline (round
trip p50/p99, the first click and the five slowest with where their time went), then dragging
and playing. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
import psutil  # noqa: E402

from console.core import protocol as p  # noqa: E402
from console.core.eventlog import Event  # noqa: E402

SID = "bench-10m"
T0 = 1_700_000_000.0
SNAP_EVERY = 2000      # events between snapshots (LiveSession(snapshot_every=...)); see --snapshot-every
CARD_EVERY = 100_000   # events between products on air (~2.4 min at 694 events/s: ~100 segments in 4 h)


def generate(url: str, n: int, seed: int = 1, snap_every: int = SNAP_EVERY,
             card_every: int = CARD_EVERY) -> dict:
    import sqlalchemy as sa

    from console.recorder import schema
    from console.recorder.db import ensure_schema, make_engine
    from console.fold.state import SessionState

    rnd = random.Random(seed)
    engine = make_engine(url)
    ensure_schema(engine)
    skus = [f"SKU{i:02d}" for i in range(30)]
    duration = 4 * 3600.0
    dt = duration / n
    state = SessionState()
    t0 = time.perf_counter()
    with engine.begin() as c:
        c.execute(sa.delete(schema.events).where(schema.events.c.session_id == SID))
        c.execute(sa.delete(schema.snapshots).where(schema.snapshots.c.session_id == SID))
        c.execute(sa.delete(schema.first_purchases).where(schema.first_purchases.c.session_id == SID))
        c.execute(sa.delete(schema.sessions).where(schema.sessions.c.id == SID))
        c.execute(sa.insert(schema.sessions).values(id=SID, title="bench 10M", room="bench", platform="sim",
                                                    started_at=T0, meta={}))
    ins = ("INSERT INTO events (session_id, seq, feed_seq, ts, type, source, payload) "
           "VALUES (?,?,?,?,?,?,?)")
    traffic = {"room_impressions": 0, "viewers": 0, "product_impressions": 0, "product_clicks": 0,
               "comments": 0}
    plan = {"products": [{"sku": s, "title": f"商品{s}", "price": 50.0 + i, "stock": 10**6,
                          "planned_minutes": 8} for i, s in enumerate(skus)]}
    card = 0
    oid = 0
    seq = 0
    dumps = orjson.dumps
    snaps = 0
    while seq < n:
        batch: list[Event] = []
        end = min(n, seq + snap_every)
        while seq < end:
            seq += 1
            ts = T0 + seq * dt
            if seq == 1:
                ev = Event(seq, ts, p.SESSION_STARTED, {"room": "bench", "started_at": T0}, "feed", seq)
            elif seq == 2:
                ev = Event(seq, ts, p.PLAN_LOADED, {"plan": plan}, "operator", None)
            elif seq % 2000 == 0:          # the card is re-popped every 2000 events (~3 s)
                if seq % card_every == 0:      # ... and the next product comes on air
                    card = (card + 1) % len(skus)
                ev = Event(seq, ts, p.CARD_PUSHED, {"sku": skus[card]}, "feed", seq)
            elif seq % 50_000 == 7:
                ev = Event(seq, ts, p.OPERATOR_CUE, {"text": "催单", "kind": "free"}, "operator", None)
            else:
                r = rnd.random()
                if r < 0.35:
                    for k in traffic:
                        traffic[k] += rnd.randint(0, 3)
                    ev = Event(seq, ts, p.TRAFFIC_TICK, dict(traffic, online=rnd.randint(500, 5000)),
                               "feed", seq)
                elif r < 0.65:
                    oid += 1
                    q = rnd.randint(1, 3)
                    ev = Event(seq, ts, p.ORDER_PAID, {"order_id": f"o{oid}", "sku": skus[card], "qty": q,
                                                       "amount": q * 59.0,
                                                       "buyer": {"id": f"u{rnd.randint(1, 300_000)}"}},
                               "feed", seq)
                else:
                    ev = Event(seq, ts, p.COMMENT, {"nick": "观众", "text": "多少钱", "comment_id": f"c{seq}"},
                               "feed", seq)
            batch.append(ev)
        state.apply(batch)
        rows = [(SID, e.seq, e.feed_seq, e.ts, e.type, e.source,
                 dumps(e) if e.feed_seq is not None else dumps(e.to_json())) for e in batch]
        firsts = [{"session_id": SID, "key": k, "seq": s} for k, s in state.buyers_registry.new_keys]
        state.buyers_registry.new_keys.clear()
        with engine.begin() as c:
            c.exec_driver_sql(ins, rows)
            if firsts:
                c.execute(sa.insert(schema.first_purchases), firsts)
            c.execute(sa.insert(schema.snapshots).values(
                session_id=SID, seq=state.last_seq, ts=state.last_ts,
                payload=zlib.compress(dumps(state.to_snapshot()), 1)))  # as the Recorder
        snaps += 1
        if seq % 1_000_000 == 0:
            el = time.perf_counter() - t0
            print(f"  generated {seq:,} events in {el:.0f}s", file=sys.stderr, flush=True)
    s = state.summary()
    with engine.begin() as c:
        c.execute(sa.update(schema.sessions).where(schema.sessions.c.id == SID).values(
            events=n, last_seq=n, last_feed_seq=state.last_feed_seq, gmv=s["gmv"], orders=s["orders"],
            buyers=s["buyers"], peak_online=s["peak_online"], ended_at=state.last_ts, updated_at=time.time()))
    engine.dispose()
    return {"generate_s": round(time.perf_counter() - t0, 1), "snapshots": snaps,
            "snapshot_every": snap_every, "card_every": card_every, "segments": len(state.segments),
            "gmv": s["gmv"]}


def measure(url: str, seeks: int, seed: int = 2) -> dict:
    from console.recorder import Store
    from console.replay.replay import Replay, ReplayFeed

    rnd = random.Random(seed)
    store = Store(url)
    t = time.perf_counter()
    rp = Replay(store, SID).open()
    open_s = time.perf_counter() - t
    gc.collect()     # as `livedesk replay` does once its windows are up (gui.gc_tuning.settle_gc)
    gc.freeze()
    times = []
    for _ in range(seeks):
        seq = rnd.randint(1, rp.last_seq)
        t = time.perf_counter()
        st = rp.state_at(seq)
        times.append(time.perf_counter() - t)
        assert st.last_seq == seq
    ttimes = []
    for _ in range(max(10, seeks // 10)):
        ts = rnd.uniform(rp.start_ts, rp.end_ts)
        t = time.perf_counter()
        rp.seek_time(ts)
        ttimes.append(time.perf_counter() - t)
    now = [0.0]
    feed = ReplayFeed(rp, rate=60, now=lambda: now[0])
    feed.seek_time(rp.start_ts + 3600, 0.0)
    feed.clock.play(0.0)
    tick_times, appended = [], 0
    for _ in range(300):          # 300 ticks of 1/30 s at 60x = 10 min of session
        now[0] += 1 / 30
        t = time.perf_counter()
        appended += feed.tick(now[0])
        tick_times.append(time.perf_counter() - t)
    qs = sorted(times)
    pct = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] * 1000  # noqa: E731
    return {"events": rp.last_seq, "lanes": len(rp.lanes), "open_s": round(open_s, 3),
            "seek_p50_ms": round(pct(qs, 0.50), 1), "seek_p99_ms": round(pct(qs, 0.99), 1),
            "seek_max_ms": round(qs[-1] * 1000, 1), "seek_mean_ms": round(statistics.mean(qs) * 1000, 1),
            "seek_time_p50_ms": round(pct(ttimes, 0.5), 1), "seek_time_p99_ms": round(pct(ttimes, 0.99), 1),
            "tick60x_p99_ms": round(pct(tick_times, 0.99), 2), "tick60x_events": appended,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def measure_gui(url: str, seeks: int, seed: int = 3) -> dict:
    """The replay window on the recording (offscreen): open and seek round trips through the
    worker thread, and the longest stall of the UI thread's event loop meanwhile (a 2 ms
    probe timer) for clicks on the timeline (one seek, then the repaint), while dragging the
    play head (a new position every 1/60 s for 5 s) and while playing at 60x."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")
    from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from console.gui.gc_tuning import settle_gc
    from console.gui.replay_window import SWITCH_INTERVAL_S, ReplayWindow
    from console.recorder import Store

    sys.setswitchinterval(SWITCH_INTERVAL_S)          # as run_replay() sets it
    QCoreApplication.setOrganizationName("LivedeskBench")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.IniFormat)
    app = QApplication.instance() or QApplication([])
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.elapsed()]

    def probe() -> None:
        t = clock.elapsed()
        gaps.append(t - last[0])
        last[0] = t

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(probe)
    timer.start()

    def wait(cond, limit: float = 60.0) -> None:
        end = time.monotonic() + limit
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError
            app.processEvents()
            time.sleep(0.001)

    store = Store(url)
    t = time.perf_counter()
    win = ReplayWindow(store, SID)
    win.resize(1600, 1000)
    win.show()
    ctl = win.controller
    wait(lambda: ctl.idle)
    open_ms = (time.perf_counter() - t) * 1000
    settle_gc()                                       # as run_replay() does after showing windows
    # Seeks fold in the seek process once it has started (about a second after opening;
    # until then the worker thread seeks itself): measure that steady state.
    seeker = ctl.seeker
    seek_process = bool(seeker is not None and seeker.ready(60))
    rnd = random.Random(seed)

    def settle(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.001)

    # Clicks: a seek, then the panels repaint before the next one (a person clicking or
    # stepping on the timeline). Round trip = request -> state adopted and every shown panel
    # refreshed (win.settled). Where it goes: the seek process's answer (read, fold, encode),
    # the state adopted on the UI thread (+ decoding on the worker thread), the panels' slices.
    # (run against an older checkout for a before/after, the bench falls back to what it has)
    settled = (lambda: win.settled) if hasattr(type(win), "settled") else (lambda: ctl.idle)
    applier = getattr(win, "seek_apply", None)
    adopted: list[float] = []           # when the feed made the seek's state current
    ctl.feed.on_reset.insert(0, lambda _state: adopted.append(time.perf_counter()))
    settle(0.2)
    gaps.clear()
    rtt, to_adopt, child, apply_s, slices = [], [], [], [], []
    for _ in range(seeks):
        ts = rnd.uniform(ctl.start_ts, ctl.end_ts)
        adopted.clear()
        t = time.perf_counter()
        ctl.seek_time(ts)
        wait(settled)
        rtt.append(time.perf_counter() - t)
        to_adopt.append(adopted[-1] - t if adopted else rtt[-1])
        if seek_process and getattr(seeker, "last_child_s", None) is not None:
            child.append(seeker.last_child_s)
        if applier is not None:
            apply_s.append(applier.last_apply_s)
            slices.append(applier.slices)
        assert ctl.state.last_seq == store.seq_at_time(SID, ts)
        settle(0.25)
    click_gaps = sorted(gaps)
    # Drag: the play head moves every frame (60 Hz) for 5 s; the controller keeps one seek
    # in flight and always computes the latest position, so the panels follow at its pace.
    gaps.clear()
    done0 = ctl.seeks_done
    t_drag = time.monotonic()
    while time.monotonic() - t_drag < 5.0:
        frac = (time.monotonic() - t_drag) / 5.0
        ctl.seek_time(ctl.start_ts + frac * (ctl.end_ts - ctl.start_ts))
        settle(1 / 60)
    wait(settled)
    drag_seeks_per_s = (ctl.seeks_done - done0) / (time.monotonic() - t_drag)
    seek_gaps = sorted(gaps)
    gaps.clear()
    ctl.seek_time(ctl.start_ts + 3600)
    wait(settled)
    ctl.set_rate(60)
    seq0 = ctl.state.last_seq
    gaps.clear()
    ctl.set_playing(True)
    t = time.monotonic()
    while time.monotonic() - t < 5.0:
        app.processEvents()
        time.sleep(0.001)
    ctl.set_playing(False)
    played = ctl.state.last_seq - seq0
    play_gaps = sorted(gaps)
    seeker_rss = (psutil.Process(seeker.pid).memory_info().rss / 1e6
                  if seek_process and seeker.pid else 0.0)
    seeks_in_process = seeker.seeks if seek_process else 0
    win.close()
    pct = lambda xs, q: xs[min(len(xs) - 1, int(q * len(xs)))] if xs else 0.0  # noqa: E731
    qs = sorted(rtt)
    ms = lambda xs, q: round(pct(sorted(xs), q) * 1000, 1)  # noqa: E731
    # the slowest clicks, each as [round trip, seek process, to adopted, apply] in ms
    parts = [[round(x * 1000, 1) for x in row] for row in zip(
        rtt, child or [0.0] * len(rtt), to_adopt, apply_s or [0.0] * len(rtt))]
    worst = sorted(range(len(parts)), key=lambda i: -parts[i][0])[:5]
    return {"gui_open_ms": round(open_ms, 1),
            "gui_seek_p50_ms": round(pct(qs, 0.5) * 1000, 1), "gui_seek_p99_ms": round(pct(qs, 0.99) * 1000, 1),
            "gui_seek_max_ms": round(qs[-1] * 1000, 1) if qs else 0.0,
            "gui_clicks": len(rtt), "gui_first_click_ms": parts[0][0] if parts else 0.0,
            "gui_worst_clicks": [[i, *parts[i]] for i in worst],
            "gui_child_p50_ms": ms(child, 0.5), "gui_child_p99_ms": ms(child, 0.99),
            "gui_adopted_p50_ms": ms(to_adopt, 0.5), "gui_adopted_p99_ms": ms(to_adopt, 0.99),
            "gui_apply_p50_ms": ms(apply_s, 0.5), "gui_apply_p99_ms": ms(apply_s, 0.99),
            "gui_apply_slices_max": max(slices, default=0),
            "ui_stall_max_ms_clicks": round(click_gaps[-1] if click_gaps else 0.0, 1),
            "ui_stall_p99_ms_clicks": round(pct(click_gaps, 0.99), 1),
            "ui_stall_max_ms_dragging": round(seek_gaps[-1] if seek_gaps else 0.0, 1),
            "ui_stall_p99_ms_dragging": round(pct(seek_gaps, 0.99), 1),
            "drag_seeks_per_s": round(drag_seeks_per_s, 1),
            "ui_stall_max_ms_playing60x": round(play_gaps[-1] if play_gaps else 0.0, 1),
            "ui_stall_p99_ms_playing60x": round(pct(play_gaps, 0.99), 1),
            "played_60x_5s_events": played, "seek_process": seek_process,
            "seeks_in_process": seeks_in_process, "seek_process_rss_mb": round(seeker_rss, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--db", default=None, help="SQLite file (default: a temp file)")
    ap.add_argument("--seeks", type=int, default=200)
    ap.add_argument("--clicks", type=int, default=200,
                    help="clicks on the replay window's timeline (--gui); p99 needs 100 or more")
    ap.add_argument("--snapshot-every", type=int, default=SNAP_EVERY,
                    help="events between recorder snapshots when generating (default %(default)s)")
    ap.add_argument("--card-every", type=int, default=CARD_EVERY,
                    help="events between products on air (a new explanation segment); the card is "
                         "re-popped every 2000 events regardless. 2000 = a new segment every "
                         "re-pop, the stress case (5000 segments in every late snapshot)")
    ap.add_argument("--skip-generate", action="store_true")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--measure-gui", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--gui", action="store_true",
                    help="also measure the replay window (offscreen): open, seek round trips, UI stalls")
    ap.add_argument("--keep", action="store_true", help="keep the temp database")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    a = ap.parse_args(argv)
    path = Path(a.db) if a.db else Path(tempfile.gettempdir()) / f"livedesk-bench-{a.events}.db"
    url = f"sqlite:///{path}"
    if a.measure_only:
        print(json.dumps(measure(url, a.seeks)))
        return 0
    if a.measure_gui:
        print(json.dumps(measure_gui(url, max(10, a.clicks))))
        return 0
    gen = {}
    if not a.skip_generate:
        if path.exists() and not a.db:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        gen = generate(url, a.events, snap_every=a.snapshot_every, card_every=a.card_every)
    out = subprocess.run([sys.executable, __file__, "--measure-only", "--db", str(path),
                          "--seeks", str(a.seeks)], capture_output=True, text=True, check=True)
    gui = {}
    if a.gui:
        g = subprocess.run([sys.executable, __file__, "--measure-gui", "--db", str(path),
                            "--clicks", str(a.clicks)], capture_output=True, text=True, check=True)
        gui = json.loads(g.stdout.strip().splitlines()[-1])
    res = {**gen, **json.loads(out.stdout.strip().splitlines()[-1]), **gui,
           "db_mb": round(path.stat().st_size / 2**20, 1),
           "loadavg": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
           "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "command": " ".join([Path(sys.executable).name, "bench/replay.py", *(argv or sys.argv[1:])])}
    for k, v in res.items():
        print(f"{k:>18}: {v}")
    print(json.dumps(res))
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    if not a.db and not a.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
