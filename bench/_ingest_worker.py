"""Child process of bench/ingest.py: 'raw' receive or the full 'record' pipeline.

raw:    websocket receive only (no decode, no fold, no record): the ceiling.
record: exactly what ``livedesk record URL`` runs (LiveSession: FeedClient -> SessionLog ->
        SessionState fold -> Recorder on SQLite in WAL mode, snapshots every 5000 events,
        ``tune_gc()``), timed from the first event received until every event is committed.
        Afterwards the database is read back to check that every feed seq 1..N is
        recorded exactly once (and that the log seqs have no holes).
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # Linux: KiB


async def raw(url: str, total: int) -> dict:
    from websockets.asyncio.client import connect

    from console.core import protocol
    from console.feed.client import MAX_QUEUE_FRAMES
    # the same connection settings as the pipeline's FeedClient (LiveSession below)
    async with connect(url, max_size=protocol.MAX_FRAME_BYTES, compression=None,
                       max_queue=MAX_QUEUE_FRAMES) as ws:
        await ws.send(protocol.dumps_text(protocol.hello("bench-raw")))
        count = 0
        t0 = None
        while count < total:
            frame = await ws.recv(decode=False)
            if frame.startswith(b'{"op"'):
                continue
            if t0 is None:
                t0 = time.perf_counter()
            count += frame.count(b'"seq"')
        elapsed = time.perf_counter() - t0
    return {"eps": count / elapsed, "events": count, "elapsed": elapsed,
            "rss_mb": psutil.Process().memory_info().rss / 1e6, "peak_rss_mb": _peak_rss_mb()}


def verify(db_path: str, session_id: str, total: int) -> dict:
    """Read the recording back: feed seqs 1..total each exactly once, log seqs 1..n."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        n_rows, n_feed, n_distinct, lo, hi, max_seq = con.execute(
            "SELECT count(*), count(feed_seq), count(DISTINCT feed_seq), min(feed_seq), "
            "max(feed_seq), max(seq) FROM events WHERE session_id = ?", (session_id,)).fetchone()
        in_range = con.execute(
            "SELECT count(DISTINCT feed_seq) FROM events WHERE session_id = ? "
            "AND feed_seq BETWEEN 1 AND ?", (session_id, total)).fetchone()[0]
        snapshots = con.execute("SELECT count(*) FROM snapshots WHERE session_id = ?",
                                (session_id,)).fetchone()[0]
        journal = con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()
    return {"recorded": in_range, "lost": total - in_range, "duplicates": n_feed - n_distinct,
            "unexpected": n_distinct - in_range, "log_rows": n_rows, "log_seq_holes": max_seq - n_rows,
            "feed_seq_min": lo, "feed_seq_max": hi, "snapshots": snapshots, "journal_mode": journal}


async def record(url: str, total: int) -> dict:
    from console.live.session import LiveSession, tune_gc
    from console.recorder import open_recorder

    tmp = tempfile.mkdtemp(prefix="livedesk-bench-")
    db_path = f"{tmp}/bench.db"
    recorder = open_recorder(f"sqlite:///{db_path}")   # as `livedesk record`: WAL, batch_max 5000
    session = LiveSession(url, recorder=recorder, compression=None)  # snapshots as in normal use
    tune_gc()                                      # as `livedesk record` does
    proc = psutil.Process()
    await session.start()
    t0 = None
    while session.state.last_feed_seq < total:
        if t0 is None and session.state.last_feed_seq > 0:
            t0 = time.perf_counter()
            cpu0 = proc.cpu_times()
            threads0 = {t.id: t.user_time + t.system_time for t in proc.threads()}
            child = psutil.Process(recorder.pid) if getattr(recorder, "pid", None) else None
            child0 = sum(child.cpu_times()[:2]) if child else 0.0
        await asyncio.sleep(0.002)
    last_seq = session.log.next_seq - 1
    while recorder.committed_seq < last_seq:
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - t0
    cpu1 = proc.cpu_times()
    cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    main_id = proc.pid
    threads = {t.id: t.user_time + t.system_time - threads0.get(t.id, 0.0) for t in proc.threads()}
    main_cpu = threads.pop(main_id, 0.0)
    child_cpu = sum(child.cpu_times()[:2]) - child0 if child else 0.0
    rss = psutil.Process().memory_info().rss / 1e6
    child_rss = child.memory_info().rss / 1e6 if child else 0.0
    counters = session.status.counters
    await session.stop()
    sid = session.log.session_id
    recorder.close()
    result = {"eps": total / elapsed, "elapsed": elapsed, "rss_mb": rss,
              "peak_rss_mb": _peak_rss_mb(), "holds": counters.holds,
              "feed_duplicates": counters.duplicates, "feed_gaps": counters.gaps,
              "malformed": counters.malformed, "db": db_path,
              # CPU seconds per event of the pipeline process while measuring (load-independent):
              "cpu_us_per_event": cpu / total * 1e6,
              "main_thread_cpu_us_per_event": main_cpu / total * 1e6,
              "other_threads_cpu_us_per_event": sum(threads.values()) / total * 1e6,
              # the recorder's own process (ProcessRecorder), when it has one
              "recorder_process_cpu_us_per_event": child_cpu / total * 1e6,
              "recorder_process_rss_mb": child_rss}
    result.update(verify(db_path, sid, total))
    result["db_mb"] = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    shutil.rmtree(tmp, ignore_errors=True)
    del result["db"]
    return result


def main() -> None:
    mode, url, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = asyncio.run(raw(url, total) if mode == "raw" else record(url, total))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
