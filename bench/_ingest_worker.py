"""Child process of bench/ingest.py: 'raw' receive or the full 'record' pipeline."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time

import orjson
import psutil


async def raw(url: str, total: int) -> dict:
    from websockets.asyncio.client import connect

    from console import protocol
    async with connect(url, max_size=protocol.MAX_FRAME_BYTES) as ws:
        await ws.send(protocol.dumps_text(protocol.hello("bench-raw")))
        count = 0
        t0 = None
        while count < total:
            frame = await ws.recv(decode=False)
            n = frame.count(b'"seq"')
            if n and t0 is None:
                t0 = time.perf_counter()
            if frame.startswith(b'{"op"'):
                continue
            count += n
        elapsed = time.perf_counter() - t0
    return {"eps": count / elapsed, "events": count, "elapsed": elapsed}


async def record(url: str, total: int) -> dict:
    from console.pipeline import LiveSession
    from console.recorder import Recorder, Store

    tmp = tempfile.mkdtemp(prefix="livedesk-bench-")
    db = f"sqlite:///{tmp}/bench.db"
    recorder = Recorder(db)
    session = LiveSession(url, recorder=recorder)
    await session.start()
    t0 = None
    while session.state.last_feed_seq < total:
        if t0 is None and session.state.last_seq > 0:
            t0 = time.perf_counter()
        await asyncio.sleep(0.002)
    last_seq = session.log.next_seq - 1
    while recorder.committed_seq < last_seq:
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - t0
    rss = psutil.Process().memory_info().rss / 1e6
    await session.stop()
    store = Store(db)
    sid = store.sessions()[0].id
    seen = set()
    dup = 0
    start = 1
    while True:
        chunk = store.events(sid, start, start + 49_999)
        if not chunk:
            break
        for ev in chunk:
            if ev.feed_seq is not None:
                if ev.feed_seq in seen:
                    dup += 1
                seen.add(ev.feed_seq)
        start = chunk[-1].seq + 1
    lost = sum(1 for s in range(1, total + 1) if s not in seen)
    return {"eps": total / elapsed, "elapsed": elapsed, "recorded": len(seen), "lost": lost,
            "duplicates": dup, "rss_mb": rss}


def main() -> None:
    mode, url, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
    result = asyncio.run(raw(url, total) if mode == "raw" else record(url, total))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
