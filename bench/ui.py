"""UI benchmark: the real console window on a real live feed at 5,000 events/s.

    .venv/bin/python bench/ui.py [--seconds 60] [--eps 5000] [--warmup 3] [--json PATH]
                                 [--no-record] [--batch 1] [--sim-nice N] [--profile PATH]
                                 [--comments CPS]

``--comments 200`` is the comment desk's benchmark (issue 15): 5,000 other events a second plus
200 comments a second (the simulator's ``--load 5200 --load-comments 200``), with the comment panel
in front in the default layout; it also reports the comments folded per second and how often
the panel refreshed, and writes ``bench/results/ui-comments.json``.

What runs
---------
* ``livedesk simulate --load EPS --port 0`` in a **separate process** (the built-in simulator's
  load generator: order.created/order.paid pairs, inventory.set, comments, a traffic tick per
  second), one event per websocket frame unless ``--batch`` is given.
* In this process, exactly what ``livedesk console --url`` runs: a ``QApplication`` (offscreen
  platform, dark theme, zh_CN) on a ``qasync`` loop, the console's
  :class:`console.live.session.LiveSession` (``console.gui.coalescing_session.make_session``) connected to
  the simulator over loopback websocket, recording with the real
  the console's recorder (``open_recorder``: its own process) into a temporary SQLite database (``--no-record`` turns it off),
  and the real :class:`console.gui.main_window.MainWindow` (1600x1000, shown, frame timer,
  alert timer, the app's GC settings from ``console.gui.gc_tuning.settle_gc``). Nothing is pre-folded: every event is received, decoded, appended to the session
  log, folded, recorded and painted while the benchmark runs.
* The first ``--warmup`` seconds after the connection goes live are not measured; then the
  benchmark measures for ``--seconds`` seconds.

What is measured (all times from ``time.perf_counter`` in this process)
-----------------------------------------------------------------------
* **fps** (frames per second with the screen current): the frame clock ticks at 32 Hz; a tick
  counts as a delivered frame when everything the previous tick refreshed had been painted
  before it (a repaint is a ``QEvent.UpdateRequest`` on the top-level window, on which Qt paints
  the dirty widgets into the backing store). A late or skipped tick, or a refresh not painted in
  time, costs frames. Also reported: **repaints with new events per second**, the repaints that
  followed a refresh with newly folded events. The load simulator sends each second's events in
  20 slices, so at most ~20 frames a second have anything new to show; the other frames have
  nothing to paint and are current by definition.
* **event-to-screen latency** of a feed event: from *receive* to *screen*. *Receive* is, as the
  console runs by default (through the feed relay process, console.feed.relay_process), the
  moment the relay read the first frame of the batch that carried the event (the relay's
  ``time.perf_counter()``, the system's monotonic clock shared by both processes), so the time
  a batch waits between relay and console counts; with ``--no-relay``, the moment the websocket
  frame carrying it is handed to ``FeedClient._on_frame`` (before decoding), which leaves out
  any time the frame waited in the socket. ``latency_from_console_receive_ms`` is always the
  latter (the only measure before the relay existed). *Screen* is the end of the
  first window repaint whose content was refreshed from a state that already includes the event
  (the frame clock's refresh ran after the event was folded, then the window painted). "End of the
  repaint" is taken when a zero-delay timer posted at the start of the repaint fires, i.e. after the
  paint and the backing-store flush (slightly pessimistic). Percentiles p50/p99/max are over every
  measured event.
* **keeping up**: feed events folded per second in the measured window against the rate offered,
  and the *lag drift*: how much further behind the simulator's send schedule the console was
  reading at the end of the window than at its start (median over the first and the last second).
  The load generator timestamps an event of load second *k* at ``floor(t0) + 1 + k + frac`` and
  sends it at ``t0 + k + frac`` (t0 = ``session.started_at``), so its scheduled send time is
  ``ts - (floor(t0) + 1 - t0)`` (both processes read the same wall clock). The absolute lag is
  not reported: a client that connects after the simulator started stays a constant ~1.4 s behind
  that schedule even at 100 events/s (a property of the simulator's replay on connect, seen with
  a bare websocket client too), but a console that cannot keep up makes the lag *grow*.
* **longest UI-thread stall**: a 5 ms ``Qt.PreciseTimer`` heartbeat on the UI thread; a stall is
  the time between two heartbeats minus the 5 ms interval. Reported: the longest, p99, and the
  number of stalls above 50 ms.
* **events/s delivered**: feed events received per second during the measured window (and the
  simulator's count of events sent against the console's count received, in the JSON).
* Diagnostics: garbage-collector pauses (``gc.callbacks``), CPU time of the UI thread and of the
  whole process, and the time the UI thread was runnable but waiting for a CPU
  (``/proc/thread-self/schedstat``): on a shared machine that, not the console's own work, is
  what produces most long stalls. ``--profile PATH`` writes cProfile stats of the window.

``--no-relay`` reads the feed on the UI thread directly, as the console did before the relay.

Targets (issue 3): >= 30 fps, p99 event-to-screen <= 100 ms, no stall > 50 ms.
Results: a table on stdout, one JSON line (prefixed ``JSON``), ``bench/results/ui.json`` and
``--json PATH``.
"""

from __future__ import annotations

import argparse
import threading
import asyncio
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("LIVEDESK_LANG", "zh_CN")

TARGET_FPS = 30.0
TARGET_P99_MS = 100.0
TARGET_STALL_MS = 50.0
HEARTBEAT_MS = 5
STALL_SAMPLE_MS = 30.0   # stalls longer than this are listed with where the UI thread was


def _pct(values, q: float) -> float | None:
    if not len(values):
        return None
    vs = sorted(values)
    k = min(len(vs) - 1, max(0, int(math.ceil(q * len(vs))) - 1))
    return vs[k]


def _schedstat() -> tuple[float, float]:
    """(CPU time, time runnable but waiting for a CPU) of the calling thread, in seconds."""
    try:
        run, wait, _ = Path("/proc/thread-self/schedstat").read_text().split()
        return int(run) / 1e9, int(wait) / 1e9
    except (OSError, ValueError):
        return 0.0, 0.0


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def start_simulator(eps: float, batch: int, duration: float,
                    nice: int = 0, comments: float | None = None) -> tuple[subprocess.Popen, str]:
    """``livedesk simulate --load EPS`` in its own process; returns (process, ws URL). With
    ``comments``: that many comments a second on top of EPS other events."""
    cmd = ["nice", "-n", str(nice)] if nice else []
    total = eps + (comments or 0)
    cmd += [sys.executable, "-m", "console.cli.main", "simulate", "--load", f"{total:g}", "--port", "0",
           "--batch", str(batch), "--duration", f"{duration:g}"]
    if comments is not None:
        cmd += ["--load-comments", f"{comments:g}"]
    proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"listening on (ws://\S+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    raise RuntimeError("simulator did not start: " + (proc.stdout.read() or ""))


class Probe:
    """Instrumentation: receive times, frame refreshes, repaints, heartbeat."""

    def __init__(self, win, session) -> None:
        from PySide6.QtCore import QEvent, QObject, Qt, QTimer

        self.win, self.session = win, session
        self.recv = array("d")          # receive time of feed event i (delivery order)
        self.sched = array("d")         # scheduled send time of feed event i (wall clock)
        self.recv_wall_offset = time.time() - time.perf_counter()
        self.measuring = False
        self.t_start = self.t_end = 0.0
        self.lat = array("d")           # receive -> screen, seconds (filled by finish())
        self.screen = array("d")        # time feed event i was first on screen
        #: (index of the frame's first event, events, whether it was a relay's batch)
        self.frame_marks: list[tuple[int, int, bool]] = []
        self.relay_wait = array("d")    # per measured event: relay read -> console receive (s)
        self.lat_console = array("d")   # receive (by this process) -> screen, seconds
        self.lat_schedule = array("d")  # the simulator's scheduled send time -> screen, seconds
        self.frames = 0                 # measured repaints following a refresh
        self.repaints = 0
        self.refreshed_n = 0            # events folded when the last refresh ran
        self.shown_n = 0                # events already counted as on screen
        self.pending_n: int | None = None
        self.paint_n: int | None = None
        self.stalls = array("d")
        self.long_stalls: list = []     # (seconds into the window, stall ms, UI stack or None)
        self._stall_stack: list | None = None
        self._watch_stop = False
        self.events_at_start = self.events_at_end = 0
        self.folded = 0                 # feed events folded into the state so far
        self._t0_offset: float | None = None
        self._frame_t = 0.0

        client = session.client
        original = client._on_frame
        counters = client.counters
        recv, sched = self.recv, self.sched
        clock = time.perf_counter

        marks = self.frame_marks
        relayed = client.relay is not None

        def on_frame(raw, _orig=original):
            t = clock()
            before = counters.events
            _orig(raw)
            n = counters.events - before
            if relayed and raw[:1] == b"[":      # every batch, even one that delivered nothing
                marks.append((len(recv), n, True))
            if n:
                recv.extend([t] * n)
        client._on_frame = on_frame

        # scheduled send times: from the events as they are folded (same order as delivery)
        def on_batch(events, _self=self):
            _self.folded += sum(1 for ev in events if ev.feed_seq is not None)
            off = _self._t0_offset
            if off is None:
                st = session.state.started_at
                if st is None:                 # before session.started: no schedule known
                    sched.extend([math.nan] * sum(1 for ev in events if ev.feed_seq is not None))
                    return
                off = _self._t0_offset = math.floor(st) + 1 - st
            wall = _self.recv_wall_offset
            sched.extend([ev.ts - off - wall for ev in events if ev.feed_seq is not None])
        session.log.subscribe(on_batch)

        win.clock.sig_frame.connect(self._on_refresh)
        # runs right after the frame clock's own slot on every frame-timer timeout
        win.clock._timer.timeout.connect(self._on_tick)
        self.ticks = 0                  # measured frame-clock ticks
        self.ticks_current = 0          # ... at which the previous frame was already on screen
        self._tick_owed = 0             # events refreshed at the previous tick

        probe = self

        class Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802
                if event.type() == QEvent.UpdateRequest:
                    probe._on_update_request()
                return False

        self._filter = Filter(win)
        win.installEventFilter(self._filter)
        self._painted = QTimer(win)             # one reusable zero-delay timer (no connect per frame)
        self._painted.setSingleShot(True)
        self._painted.setInterval(0)
        self._painted.timeout.connect(self._on_painted)
        self.heart = QTimer(win)
        self.heart.setTimerType(Qt.PreciseTimer)
        self.heart.setInterval(HEARTBEAT_MS)
        self._last_beat = 0.0
        self.heart.timeout.connect(self._on_beat)
        self.behind_time = 0.0          # seconds the console said it was behind the feed
        self.lag_samples = array("d")   # session.lag.lag_s at each heartbeat
        self.gc_pauses = array("d")     # garbage-collector pauses on the UI thread, seconds
        self._gc_t = 0.0
        import gc
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_t = time.perf_counter()
        elif self.measuring and self._gc_t:
            self.gc_pauses.append(time.perf_counter() - self._gc_t)

    def lag_drift(self) -> float | None:
        """Median lag behind the send schedule in the last second minus in the first second."""
        recv, sched = self.recv, self.sched
        n = min(len(recv), len(sched))
        first = [recv[i] - sched[i] for i in range(n) if self.t_start <= recv[i] < self.t_start + 1
                 and not math.isnan(sched[i])]
        last = [recv[i] - sched[i] for i in range(n) if self.t_end - 1 <= recv[i] < self.t_end
                and not math.isnan(sched[i])]
        if not first or not last:
            return None
        return round(_pct(last, 0.5) - _pct(first, 0.5), 2)

    def current_lag(self) -> float | None:
        """How far behind the simulator's send schedule the newest received event is (s)."""
        i = min(len(self.recv), len(self.sched)) - 1
        if i < 0 or math.isnan(self.sched[i]):
            return None
        return self.recv[i] - self.sched[i]

    # ---- hooks
    def _on_refresh(self, _version: int) -> None:
        self.refreshed_n = self.folded         # feed events in the state this refresh showed

    def _on_tick(self) -> None:
        if self.measuring:
            self.ticks += 1
            if self.shown_n >= self._tick_owed:
                self.ticks_current += 1
        self._tick_owed = self.refreshed_n

    def _on_update_request(self) -> None:
        self.repaints += 1
        if self.refreshed_n > self.shown_n and self.paint_n is None:
            self.paint_n = self.refreshed_n
            self._painted.start()

    def _on_painted(self) -> None:
        t = time.perf_counter()
        n, self.paint_n = self.paint_n, None
        if n is None:
            return
        lo, self.shown_n = self.shown_n, n
        self.screen.extend([t] * (n - lo))
        if self.measuring:
            self.frames += 1

    def finish(self, batch_starts: list[float] | None, batches_written: int = 0) -> None:
        """Event-to-screen latencies of the measured events. Through the feed relay an event's
        receive time is when the relay read the first frame of its batch (``batch_starts``, the
        relay's ``time.perf_counter()``: the system's monotonic clock, the same in both
        processes), not when the batch reached this process."""
        recv = self.recv
        received = array("d", recv)
        if batch_starts is not None:
            # the relay keeps the latest start times only: batch k of the connection is
            # batch_starts[k - dropped]
            k = -max(0, batches_written - len(batch_starts))
            for first, n, is_batch in self.frame_marks:
                if not is_batch:
                    continue
                if 0 <= k < len(batch_starts):
                    since = batch_starts[k]
                    for i in range(first, first + n):
                        received[i] = min(received[i], since)
                k += 1
        screen = self.screen
        for i in range(min(len(screen), len(recv))):
            if self.t_start <= recv[i] < self.t_end and screen[i] >= self.t_start:
                self.lat.append(screen[i] - received[i])
                self.lat_console.append(screen[i] - recv[i])
                if i < len(self.sched) and not math.isnan(self.sched[i]):
                    self.lat_schedule.append(screen[i] - self.sched[i])
                self.relay_wait.append(recv[i] - received[i])

    def _on_beat(self) -> None:
        t = time.perf_counter()
        if self._last_beat and self.measuring:
            lag = getattr(self.session, "lag", None)
            if lag is not None:
                self.lag_samples.append(lag.lag_s)
                if lag.behind:
                    self.behind_time += t - self._last_beat
            stall = max(0.0, t - self._last_beat - HEARTBEAT_MS / 1000)
            self.stalls.append(stall)
            if stall > STALL_SAMPLE_MS / 1000:
                self.long_stalls.append((round(t - self.t_start, 3), round(stall * 1000, 1),
                                         self._stall_stack))
        self._stall_stack = None
        self._last_beat = t

    def _watch(self) -> None:
        """Watchdog thread: while a heartbeat is overdue, note what the UI thread is running
        (its Python stack, innermost last); ``--stall-stacks`` prints it per long stall."""
        import traceback
        ui = threading.main_thread().ident
        while not self._watch_stop:
            time.sleep(0.003)
            late = time.perf_counter() - self._last_beat if self._last_beat else 0.0
            if self.measuring and late > STALL_SAMPLE_MS / 1000 and self._stall_stack is None:
                frame = sys._current_frames().get(ui)
                if frame is not None:
                    self._stall_stack = [f"{fs.filename.rsplit('/', 2)[-1]}:{fs.lineno} {fs.name}"
                                         for fs in traceback.extract_stack(frame)[-8:]]

    # ---- control
    def start(self) -> None:
        self.measuring = True
        self.cpu_start = (time.thread_time(), time.process_time())
        self.sched_start = _schedstat()
        self.clock_start = (self.win.clock.frames, self.win.clock._frame, self.repaints)
        self.t_start = time.perf_counter()
        self.events_at_start = self.session.client.counters.events
        self.heart.start()
        threading.Thread(target=self._watch, name="stall-watchdog", daemon=True).start()

    def stop(self) -> None:
        self.measuring = False
        self._watch_stop = True
        self.t_end = time.perf_counter()
        self.cpu_end = (time.thread_time(), time.process_time())
        self.sched_end = _schedstat()
        self.clock_end = (self.win.clock.frames, self.win.clock._frame, self.repaints)
        self.events_at_end = self.session.client.counters.events
        self.heart.stop()


def run(args) -> dict:
    from PySide6.QtCore import QCoreApplication, QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    import qasync

    from console.gui.closing import dispose
    from console.gui.coalescing_session import make_session
    from console.gui.gc_tuning import settle_gc
    from console.gui.i18n import install_translator
    from console.gui.main_window import MainWindow
    from console.gui.theme import apply_theme
    from console.core.plan import load_plan
    from console.recorder import open_recorder
    from plugins.simulator.server import default_plan_path

    tmp = Path(tempfile.mkdtemp(prefix="livedesk-bench-ui-"))
    QCoreApplication.setOrganizationName("LivedeskBench")
    QCoreApplication.setApplicationName("LivedeskBench")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp / "settings"))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    install_translator(app)

    load_before = _load()
    total = args.warmup + args.seconds + 10
    sim, url = start_simulator(args.eps, args.batch, total + 30, args.sim_nice, args.comments)
    relay_stats: dict = {}
    recorder = None if args.no_record else open_recorder(f"sqlite:///{tmp / 'bench.db'}")  # as the console
    plan = load_plan(default_plan_path())
    out: dict = {}
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def main() -> None:
        session = make_session(url, plan=plan, recorder=recorder,   # what `livedesk console` runs
                               relay=not args.no_relay)
        win = MainWindow(session, sound=False)
        out["win"] = win
        win.resize(1600, 1000)
        probe = Probe(win, session)
        await session.start()
        win.show()
        settle_gc()
        for _ in range(300):
            if session.status.state == "live" and session.client.counters.events:
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError(f"feed did not go live: {session.status.last_error}")
        await asyncio.sleep(args.warmup)
        prof = None
        if args.profile:
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        # The comment desk stays in front (an operator reading comments): a new alert brings the
        # alerts panel forward, and the frame clock does not refresh a panel behind a tab, so
        # the comments would otherwise stop costing anything after the first sold-out alert.
        from widgets.frame_clock import obscured

        def comments_to_front(*_args) -> None:
            win.docks["comments"].raise_()

        comments_to_front()
        win.alerts.sig_new_alert.connect(lambda _a: QTimer.singleShot(0, comments_to_front))
        relay = session.client.relay
        relay_cpu0 = (relay.stats() or {}).get("cpu_s") if relay is not None else None
        probe.start()
        episodes_at_start = session.lag.episodes
        comments_at_start = session.state.desk.count
        panel_rows_start = win.comments.refreshes
        await asyncio.sleep(args.seconds)
        probe.stop()
        if relay is not None:
            relay_stats.update(relay.stats(starts=True) or {})
            if relay_cpu0 is not None and relay_stats.get("cpu_s") is not None:
                relay_stats["cpu_percent"] = round(
                    100 * (relay_stats["cpu_s"] - relay_cpu0) / (probe.t_end - probe.t_start), 1)
        probe.finish(relay_stats.get("batch_starts") if relay is not None else None,
                     relay_stats.get("batches_written") or 0)
        out["lag"] = {"episodes": session.lag.episodes - episodes_at_start,
                      "behind_at_end": session.lag.behind,
                      "lag_at_end_s": round(session.lag.lag_s, 2),
                      "indicator_shown_at_end": bool(win.status.behind.text())}
        out["comments"] = session.state.desk.count - comments_at_start
        out["comment_panel_refreshes"] = win.comments.refreshes - panel_rows_start
        out["comment_panel_visible"] = not obscured(win.comments)
        if prof is not None:
            prof.disable()
            prof.dump_stats(args.profile)
        st = session.state
        out.update(probe=probe, last_seq=st.last_seq, orders=st.orders, gmv=st.gmv,
                   feed_last=session.client.last_seq, clock_frames=win.clock.frames)
        closed = asyncio.Event()
        win.sig_closed.connect(closed.set)
        win.close_now()                   # as Ctrl-C: stops the session, flushes the recorder (no quit dialog)
        await asyncio.wait_for(closed.wait(), 30)

    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        sim.send_signal(signal.SIGINT)
        try:
            tail = sim.communicate(timeout=20)[0] or ""
        except subprocess.TimeoutExpired:
            sim.kill()
            tail = sim.communicate()[0] or ""
        if recorder is not None:
            recorder.close()
    m = re.search(r"stopped after (\d+) events", tail)
    win = out.pop("win", None)
    dispose(win)
    shutil.rmtree(tmp, ignore_errors=True)

    pr: Probe = out["probe"]
    dur = pr.t_end - pr.t_start
    lat = [x * 1000 for x in pr.lat]
    stalls = [x * 1000 for x in pr.stalls]
    wait = [x * 1000 for x in pr.relay_wait]
    lat_console = [x * 1000 for x in pr.lat_console]
    lat_schedule = [x * 1000 for x in pr.lat_schedule]
    delivered = pr.events_at_end - pr.events_at_start
    result = {
        "bench": "ui",
        "command": "bench/ui.py " + " ".join(sys.argv[1:]),
        "eps_target": args.eps,
        "batch": args.batch,
        "record": not args.no_record,
        "relay": None if args.no_relay else {
            k: relay_stats.get(k) for k in ("frames_in", "events_in", "frames_out", "batches",
                                            "alone", "hold_ms")} | {
            "wait_ms": {"p50": _r(_pct(wait, 0.50)), "p99": _r(_pct(wait, 0.99)),
                        "max": _r(max(wait) if wait else None)},
            "process_cpu_percent": relay_stats.get("cpu_percent")},
        "sim_nice": args.sim_nice,
        "seconds": round(dur, 2),
        "fps": round(pr.ticks_current / dur, 1) if dur else 0.0,
        "painted_new_data_fps": round(pr.frames / dur, 1) if dur else 0.0,
        "events_per_s": round(delivered / dur, 0) if dur else 0.0,
        "comments_target": args.comments,
        "comments_per_s": round(out.get("comments", 0) / dur, 1) if dur else 0.0,
        "comment_panel": {"visible": out.get("comment_panel_visible"),
                          "refreshes_per_s": round(out.get("comment_panel_refreshes", 0) / dur, 1)
                          if dur else 0.0},
        "events_measured": len(lat),
        "latency_ms": {"p50": _r(_pct(lat, 0.50)), "p99": _r(_pct(lat, 0.99)),
                       "max": _r(max(lat) if lat else None)},
        # receive by this process -> screen: the measure before the feed relay (without the relay
        # it is the latency above; with it, it leaves out the time between relay and console)
        "latency_from_console_receive_ms": {
            "p50": _r(_pct(lat_console, 0.50)), "p99": _r(_pct(lat_console, 0.99)),
            "max": _r(max(lat_console) if lat_console else None)},
        # the simulator's send schedule -> screen: the same measure with and without the relay,
        # everything included (the load generator's offset from its schedule too: compare runs,
        # not the absolute value)
        "latency_from_schedule_ms": {
            "p50": _r(_pct(lat_schedule, 0.50)), "p99": _r(_pct(lat_schedule, 0.99)),
            "max": _r(max(lat_schedule) if lat_schedule else None)},
        "lag_drift_s": pr.lag_drift(),
        "falling_behind": dict(out.get("lag", {}), time_behind_s=round(pr.behind_time, 2),
                               max_lag_s=_r(max(pr.lag_samples) if pr.lag_samples else None),
                               p50_lag_s=_r(_pct(pr.lag_samples, 0.5))),
        "stall_ms": {"max": _r(max(stalls) if stalls else None), "p99": _r(_pct(stalls, 0.99)),
                     "over_50ms": sum(1 for s in stalls if s > TARGET_STALL_MS)},
        "long_stalls": [{"at_s": at, "ms": ms, "ui_stack": stack} for at, ms, stack in pr.long_stalls],
        "gc_pause_ms": {"max": _r(max(pr.gc_pauses) * 1000 if pr.gc_pauses else 0.0),
                        "total": _r(sum(pr.gc_pauses) * 1000), "count": len(pr.gc_pauses)},
        
        "ui_thread_waiting_for_cpu_percent": round(
            100 * (pr.sched_end[1] - pr.sched_start[1]) / dur, 1),
        "cpu_percent": {"ui_thread": round(100 * (pr.cpu_end[0] - pr.cpu_start[0]) / dur, 1),
                        "process": round(100 * (pr.cpu_end[1] - pr.cpu_start[1]) / dur, 1)},
        "per_s": {name: round((b - a) / dur, 1) for name, a, b in
                  zip(("refresh_frames", "clock_ticks", "update_requests"), pr.clock_start,
                      pr.clock_end)},
        "simulator_sent": int(m.group(1)) if m else None,
        "received_total": pr.events_at_end,
        "load_before": load_before,
        "load_after": _load(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    result["targets_met"] = {
        "fps": result["fps"] >= TARGET_FPS,
        "p99": (result["latency_ms"]["p99"] or 1e9) <= TARGET_P99_MS,
        "stall": (result["stall_ms"]["max"] or 1e9) <= TARGET_STALL_MS,
    }
    return result


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def print_table(r: dict) -> None:
    ok = {True: "ok", False: "MISSED"}
    t = r["targets_met"]
    rows = [
        ("frames per second (screen current)", f"{r['fps']:.1f}", f">= {TARGET_FPS:g}",
         ok[t["fps"]]),
        ("repaints with new events per second", f"{r['painted_new_data_fps']:.1f}",
         "feed: 20 bursts/s", ""),
        ("receive -> screen p50", f"{r['latency_ms']['p50']} ms", "", ""),
        ("receive -> screen p99", f"{r['latency_ms']['p99']} ms", f"<= {TARGET_P99_MS:g} ms",
         ok[t["p99"]]),
        ("receive -> screen max", f"{r['latency_ms']['max']} ms", "", ""),
        ("console receive -> screen p50/p99", f"{r['latency_from_console_receive_ms']['p50']} / "
         f"{r['latency_from_console_receive_ms']['p99']} ms", "(before the relay)", ""),
        ("send schedule -> screen p50/p99", f"{r['latency_from_schedule_ms']['p50']} / "
         f"{r['latency_from_schedule_ms']['p99']} ms", "relay or not", ""),

        ("longest UI-thread stall", f"{r['stall_ms']['max']} ms", f"<= {TARGET_STALL_MS:g} ms",
         ok[t["stall"]]),
        ("stalls > 50 ms / p99 stall", f"{r['stall_ms']['over_50ms']} / {r['stall_ms']['p99']} ms",
         "", ""),
        ("GC pauses: longest / total", f"{r['gc_pause_ms']['max']} / {r['gc_pause_ms']['total']} ms",
         f"{r['gc_pause_ms']['count']} collections", ""),
        ("CPU: UI thread / whole process", f"{r['cpu_percent']['ui_thread']}% / "
         f"{r['cpu_percent']['process']}%", "of one core", ""),
        ("UI thread runnable, waiting for a CPU", f"{r['ui_thread_waiting_for_cpu_percent']}%",
         "of wall time", ""),
        ("events/s delivered", f"{r['events_per_s']:,.0f}", f"{r['eps_target']:g} offered", ""),
        ("comments/s folded (panel refreshes/s)", f"{r['comments_per_s']:,.1f} "
         f"({r['comment_panel']['refreshes_per_s']})",
         f"{r['comments_target']:g} offered" if r["comments_target"] is not None else "~8% of draws",
         ""),
        ("measured", f"{r['seconds']} s, {r['events_measured']:,} events", "", ""),
        ("lag drift over the window", f"{r['lag_drift_s']} s", "~0: keeping up", ""),
        ("console's own lag: max / at end (s)", f"{r['falling_behind'].get('max_lag_s')} / "
         f"{r['falling_behind'].get('lag_at_end_s')}", "console.live.lag", ""),
        ("said 'falling behind': times / for", f"{r['falling_behind'].get('episodes')} / "
         f"{r['falling_behind'].get('time_behind_s')} s", "status bar + alert", ""),
        *([("feed relay: frames in / out", f"{r['relay']['frames_in']:,} / "
             f"{r['relay']['frames_out']:,}", "1-event frames -> batches", ""),
           ("feed relay: read -> console p50/p99/max", f"{r['relay']['wait_ms']['p50']} / "
            f"{r['relay']['wait_ms']['p99']} / {r['relay']['wait_ms']['max']} ms",
            "in the latency above", ""),
           ("feed relay process CPU", f"{r['relay']['process_cpu_percent']}%", "of one core", "")]
          if r.get("relay") and r["relay"].get("frames_in") is not None else []),
        ("load average before / after", f"{r['load_before']} / {r['load_after']}",
         f"{r['cpus']} CPUs", ""),
    ]
    w = max(len(a) for a, *_ in rows)
    print(f"{'metric':<{w}}  {'value':<28} {'target':<16} result")
    for a, b, c, d in rows:
        print(f"{a:<{w}}  {b:<28} {c:<16} {d}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--eps", type=float, default=5000.0, help="events per second offered")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=1, help="events per websocket frame")
    ap.add_argument("--comments", type=float, default=None, metavar="CPS",
                    help="comments per second on top of --eps other events (the comment desk's "
                         "benchmark: --eps 5000 --comments 200); by default the load mixes in "
                         "about 8%% comments")
    ap.add_argument("--no-record", action="store_true", help="run without the recorder")
    ap.add_argument("--no-relay", action="store_true",
                    help="read the feed on the UI thread directly, without the batching relay "
                         "process the console uses (console.feed.relay_process)")
    ap.add_argument("--sim-nice", type=int, default=0,
                    help="run the simulator process at this nice level (it stands in for a remote "
                         "feed server; on a busy machine it otherwise competes with the UI)")
    ap.add_argument("--json", dest="json_path", help="also write the result here")
    ap.add_argument("--profile", help="write cProfile stats of the measured window here")
    ap.add_argument("--stall-stacks", action="store_true",
                    help=f"print where the UI thread was during each stall over {STALL_SAMPLE_MS:g} ms")
    args = ap.parse_args()
    result = run(args)
    print_table(result)
    if args.stall_stacks:
        for st in result["long_stalls"]:
            print(f"stall {st['ms']} ms at {st['at_s']} s:")
            for frame in st["ui_stack"] or ["(UI thread in C++ or not sampled)"]:
                print("    " + frame)
    line = json.dumps(result, ensure_ascii=False)
    print("JSON " + line)
    outdir = ROOT / "bench" / "results"
    outdir.mkdir(parents=True, exist_ok=True)
    name = "ui-comments.json" if args.comments is not None else "ui.json"
    (outdir / name).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if args.json_path:
        Path(args.json_path).write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
