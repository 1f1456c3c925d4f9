"""``livedesk record``: run a live session headless, recording it."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from typing import Any

from console.live.session import (EXIT_NO_RECORDING, EXIT_REFUSED, LiveSession, restore_gc,
                                  tune_gc)


def _summary_line(session: LiveSession) -> str:
    st, status = session.state, session.status
    age = status.data_age()
    c = status.counters
    rec = session.recorder
    error = rec.last_error if rec is not None else None
    if rec is not None and error:
        queued = rec.queued
        paused = ", feed paused" if session.recording_overflow else ""
        recording = f"  RECORDING FAILING ({queued:,} kept in memory{paused})"
    else:
        recording = ""
    lag = session.lag
    if lag.behind:            # reading later and later: said on the record command's line too
        recording += f"  BEHIND THE FEED by ~{lag.behind_events:,} events ({lag.lag_s:.1f} s)"
    return (f"{status.state:<12} age {('-' if age is None else f'{age:4.1f}s'):>6} "
            f"{status.events_per_s:8.0f} ev/s  seq {st.last_seq} (feed {st.last_feed_seq})  "
            f"GMV {st.gmv:,.2f}  orders {st.orders}  buyers {st.buyers}  "
            f"online {st.traffic['online']}  card {st.current_sku or '-'}  gaps {c.gaps}"
            f"{recording}")


async def _record(args: Any) -> int:
    from console.live.alerts import Thresholds
    from console.recorder import RecorderStartError, open_recorder  # lazy: heavy imports

    try:
        thresholds = Thresholds.parse(getattr(args, "alert", None) or [])
    except ValueError as exc:
        print(f"livedesk record: {exc}", file=sys.stderr, flush=True)
        return 2
    plan = None
    if getattr(args, "plan", None):
        from console.core.plan import load_plan
        plan = load_plan(args.plan)
    try:
        recorder = open_recorder(getattr(args, "db", None))
    except RecorderStartError as exc:
        print(f"livedesk record: {exc}", file=sys.stderr, flush=True)
        return EXIT_NO_RECORDING
    session = LiveSession(args.url, plan=plan, token=getattr(args, "token", None),
                          recorder=recorder, thresholds=thresholds)
    gc_thresholds = tune_gc()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    duration = getattr(args, "duration", None)
    deadline = time.monotonic() + duration if duration else None
    quiet = getattr(args, "quiet", False)
    refused = None
    await session.start()
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass
            if not quiet:
                print(_summary_line(session), flush=True)
            if deadline is not None and time.monotonic() >= deadline:
                break
            if session.status.state == "unauthorized":
                refused = session.status.last_error or "refused the login"
                break
    finally:
        await session.stop()
        recorder.close()
        restore_gc(gc_thresholds)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass
    if refused:
        print(f"livedesk record: {args.url} {refused}: "
              "wrong or missing token (--token-file, LIVEDESK_FEED_TOKEN or the keyring)",
              file=sys.stderr, flush=True)
        return EXIT_REFUSED
    if not quiet:
        print(_summary_line(session), flush=True)
    if recorder.last_error:
        print(f"recorder error: {recorder.last_error}", file=sys.stderr)
    return 0


def run_record(args: Any) -> int:
    """``livedesk record URL [--plan FILE] [--db URL] [--token-file PATH] [--duration S]
    [--quiet]``. Exit status 0, 3 when the feed refuses the login, 4 when the database cannot
    be opened (both with one line on stderr)."""
    try:
        return asyncio.run(_record(args))
    except KeyboardInterrupt:  # pragma: no cover
        return 0
