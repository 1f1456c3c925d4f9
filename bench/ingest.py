"""Ingest benchmark: simulator in one process, the record pipeline in another, on loopback.

For 1-event frames and for batched frames, each against a fresh simulator
(``livedesk simulate --load EPS --total N --batch B``; load mode starts when the
client is welcomed):

  * raw: the websocket receive rate (no decode, no fold, no record): the ceiling;
  * pipeline: what ``livedesk record`` runs (decode, session log, state fold, the recorder
    process on SQLite/WAL with a snapshot every 2000 events), events/s from the first event
    received until the last one is committed; then the database is read back: every
    feed seq 1..N must be recorded exactly once;
  * RSS of the pipeline process after N events (and its peak), and of the recorder process.

    .venv/bin/python bench/ingest.py [--events 1000000] [--batch 100] [--runs 2] [--json PATH]

Targets (issue 2): batched >= 50,000 events/s; 1-event frames >= 0.5 of raw;
RSS <= 300 MB after 1,000,000 events; lost = duplicates = 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LOAD_EPS = 10_000_000   # "as fast as it goes": the simulator is paced by the client's socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(port: int, total: int, batch: int) -> subprocess.Popen:
    cmd = [PY, "-m", "console", "simulate", "--port", str(port), "--load", str(LOAD_EPS),
           "--total", str(total), "--batch", str(batch), "--retention", str(total + 10)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Ready when it says it is listening (a TCP connect alone would succeed on the
    # listen backlog even if the server's event loop were stuck).
    line = proc.stdout.readline() if proc.stdout else ""
    if "listening" not in line:
        proc.kill()
        raise RuntimeError("simulator did not start: " + line + (proc.stdout.read() if proc.stdout else ""))
    return proc


def run_worker(mode: str, url: str, total: int) -> dict:
    out = subprocess.run([PY, str(Path(__file__).with_name("_ingest_worker.py")), mode, url, str(total)],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"{mode} worker failed: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(mode: str, total: int, batch: int) -> dict:
    port = free_port()
    sim = start_simulator(port, total, batch)
    load_before = os.getloadavg()[0]
    try:
        result = run_worker(mode, f"ws://127.0.0.1:{port}", total)
    finally:
        sim.terminate()
        try:
            sim.wait(10)
        except subprocess.TimeoutExpired:
            sim.kill()
    result["loadavg_1m"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


def one_run(events: int, batch: int, single_events: int) -> dict:
    results: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for label, b, total in (("batched", batch, events), ("single", 1, single_events)):
        raw = measure("raw", total, b)
        full = measure("record", total, b)
        r = {"batch": b, "events": total, "raw_eps": round(raw["eps"]),
             "pipeline_eps": round(full["eps"]), "ratio_to_raw": round(full["eps"] / raw["eps"], 3),
             "recorded": full["recorded"], "lost": full["lost"], "duplicates": full["duplicates"],
             "log_seq_holes": full["log_seq_holes"], "snapshots": full["snapshots"],
             "journal_mode": full["journal_mode"], "rss_mb": round(full["rss_mb"]),
             "peak_rss_mb": round(full["peak_rss_mb"]),
             "recorder_process_rss_mb": round(full.get("recorder_process_rss_mb", 0.0)),
             "db_mb": round(full["db_mb"]),
             "holds": full["holds"],
             "cpu_us_per_event": round(full["cpu_us_per_event"], 2),
             "main_thread_cpu_us_per_event": round(full["main_thread_cpu_us_per_event"], 2),
             "recorder_threads_cpu_us_per_event": round(full["other_threads_cpu_us_per_event"], 2),
             "recorder_process_cpu_us_per_event": round(full.get("recorder_process_cpu_us_per_event", 0.0), 2),
             "loadavg_1m_raw": raw["loadavg_1m"], "loadavg_1m_pipeline": full["loadavg_1m"]}
        results[label] = r
        print(f"{label:8s} batch={b:<4d} events={total:<8d} raw={r['raw_eps']:>9,} ev/s  "
              f"pipeline={r['pipeline_eps']:>8,} ev/s ({r['ratio_to_raw']:.2f} of raw)  "
              f"recorded={r['recorded']} lost={r['lost']} dup={r['duplicates']}  "
              f"RSS={r['rss_mb']} MB (peak {r['peak_rss_mb']}; recorder process "
              f"{r['recorder_process_rss_mb']} MB)  "
              f"cpu {r['cpu_us_per_event']} us/ev (main {r['main_thread_cpu_us_per_event']}, "
              f"other threads {r['recorder_threads_cpu_us_per_event']}, "
              f"recorder process {r['recorder_process_cpu_us_per_event']})  "
              f"load {r['loadavg_1m_raw'][0]}/{r['loadavg_1m_pipeline'][1]}", flush=True)
    bat, sgl = results["batched"], results["single"]
    results["targets"] = {
        "batched_ge_50000_eps": bat["pipeline_eps"] >= 50_000,
        "single_ge_half_of_raw": sgl["ratio_to_raw"] >= 0.5,
        "rss_le_300mb_after_1m": bat["events"] >= 1_000_000 and
        max(x["peak_rss_mb"] + x["recorder_process_rss_mb"] for x in (bat, sgl)) <= 300,
        "zero_loss": all(x["lost"] == 0 and x["duplicates"] == 0 and x["log_seq_holes"] == 0
                         for x in (bat, sgl))}
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single-events", type=int, default=None,
                        help="events for the 1-event-frame runs (default: --events)")
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole measurement")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    out: dict = {"command": " ".join([Path(PY).name, *sys.argv]),
                 "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "platform": platform.platform()},
                 "runs": []}
    for i in range(args.runs):
        if args.runs > 1:
            print(f"--- run {i + 1} of {args.runs}", flush=True)
        out["runs"].append(one_run(args.events, args.batch, args.single_events or args.events))
    print(json.dumps(out))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0 if all(r["targets"]["zero_loss"] for r in out["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
