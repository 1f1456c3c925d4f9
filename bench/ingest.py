"""Ingest benchmark: simulator in one process, the record pipeline in another, on loopback.

Reports, for 1-event frames and for batched frames:
  * the raw websocket receive rate (no decode, no fold, no record): the ceiling;
  * end-to-end events/s through decode + fold + record, with the loss check
    (every feed seq 1..N recorded exactly once);
  * RSS of the pipeline process after N events.

    .venv/bin/python bench/ingest.py [--events 1000000] [--batch 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(port: int, total: int, batch: int) -> subprocess.Popen:
    cmd = [PY, "-m", "console", "simulate", "--port", str(port), "--load", "10000000",
           "--total", str(total), "--batch", str(batch), "--retention", str(total + 10)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("simulator did not start: " + (proc.stdout.read() if proc.stdout else ""))


def run_worker(mode: str, url: str, total: int) -> dict:
    out = subprocess.run([PY, str(Path(__file__).with_name("_ingest_worker.py")), mode, url, str(total)],
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{mode} worker failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(mode: str, total: int, batch: int) -> dict:
    port = free_port()
    sim = start_simulator(port, total, batch)
    try:
        return run_worker(mode, f"ws://127.0.0.1:{port}", total)
    finally:
        sim.terminate()
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single-events", type=int, default=200_000,
                        help="events for the 1-event-frame runs")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    results = {}
    for label, batch, total in (("batched", args.batch, args.events),
                                ("single", 1, args.single_events)):
        raw = measure("raw", total, batch)
        full = measure("record", total, batch)
        results[label] = {"batch": batch, "events": total, "raw_eps": raw["eps"],
                          "pipeline_eps": full["eps"], "ratio_to_raw": full["eps"] / raw["eps"],
                          "recorded": full["recorded"], "lost": full["lost"],
                          "duplicates": full["duplicates"], "rss_mb": full["rss_mb"]}
        r = results[label]
        print(f"{label:8s} batch={batch:<4d} events={total:<8d} raw={r['raw_eps']:>10,.0f} ev/s  "
              f"pipeline={r['pipeline_eps']:>9,.0f} ev/s  ({r['ratio_to_raw']:.2f} of raw)  "
              f"recorded={r['recorded']} lost={r['lost']} dup={r['duplicates']}  RSS={r['rss_mb']:.0f} MB",
              flush=True)
    print(json.dumps(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
