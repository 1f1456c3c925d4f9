"""Recorder insert throughput (not a test): python bench/recorder_throughput.py [URL] [N]

Prints submit() rate (hot path cost) and end-to-end committed events/s.
Default: a fresh SQLite file in a temp dir.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.core.eventlog import Event
from console.recorder import Recorder


def main() -> None:
    tmp = tempfile.TemporaryDirectory(prefix="livedesk-bench-")
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp.name}/bench.db"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    rec = Recorder(url)
    rec.open_session("bench-" + uuid.uuid4().hex[:8], {"title": "bench"})
    evs = [Event(i, 1.7e9 + i * 0.001, "order.paid",
                 {"order_id": f"o{i}", "sku": "A1", "amount": 99.0, "buyer": f"b{i % 5000}"},
                 "feed", i) for i in range(1, n + 1)]
    t0 = time.perf_counter()
    for i in range(0, n, 200):  # feed batches of 200
        rec.submit(evs[i:i + 200])
    t1 = time.perf_counter()
    assert rec.flush(600)
    t2 = time.perf_counter()
    print(f"{url.split(':')[0]}: {n:,} events; submit {n / (t1 - t0):,.0f} ev/s "
          f"({(t1 - t0) / n * 1e9:.0f} ns/event); committed {n / (t2 - t0):,.0f} ev/s")
    rec.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
