"""Cold-start benchmark: ``livedesk console --simulate`` until its window is on screen.

    .venv/bin/python bench/startup.py [--runs 5] [--settle 3] [--json PATH] [-- extra console args]

Each run starts ``livedesk console --simulate`` as a new process (offscreen platform, a fresh
settings folder and a fresh recording database in a temporary folder, so no run reuses another's
state), with ``LIVEDESK_STARTUP_TRACE=1``: the console then prints each start-up milestone
(``console.support.startup_trace``) with its wall time on stderr. The benchmark notes the wall time just
before it starts the process and reports every milestone relative to it:

* ``process``: the interpreter is up and ``console.cli.main`` runs (Python start-up, site, the
  editable install's finder);
* ``qt_app``: the QApplication exists (Qt, theme, translator);
* ``window_painted``: **the window's first paint has been flushed to the screen** (target:
  <= 1.5 s; the window is usable: menus, panels, the plan in the run of show);
* the milestones after it (``feed_started``, ``recorder_opened``, ``session_started``,
  ``live`` = the first feed event folded, ``relay_started``, ``plugins_started``, ``graphs_ready``)
  show what starts behind the window.

After ``--settle`` seconds the console is sent SIGTERM (the console's Ctrl-C: the session stops,
the recorder flushes) and must exit by itself. Separately, the GUI imports alone are timed in a
fresh interpreter (``import console.gui.app, console.gui.main_window``) and the largest
``-X importtime`` entries are listed.

Results: a table on stdout, one JSON line (prefixed ``JSON``), ``bench/results/startup.json``
and ``--json PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 1.5
ORDER = ("process", "qt_app", "window_built", "window_shown", "window_painted", "feed_started",
         "recorder_opened", "session_started", "live", "relay_started", "plugins_started",
         "graphs_ready")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def one_run(extra: list[str], settle: float, timeout: float = 60.0) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="livedesk-bench-startup-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6",
               LIVEDESK_STARTUP_TRACE="1", XDG_CONFIG_HOME=str(tmp / "config"),
               XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"),
               HOME=str(tmp))
    env.setdefault("LIVEDESK_LANG", "zh_CN")
    cmd = [sys.executable, "-m", "console.cli.main", "console", "--simulate",
           "--db", "sqlite:///" + (tmp / "startup.db").as_posix(), *extra]
    marks: dict[str, float] = {}
    t0 = time.time()
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stderr is not None
    lines: queue.SimpleQueue = queue.SimpleQueue()

    def pump() -> None:
        for line in proc.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    painted_at = None
    other: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if painted_at is not None and time.monotonic() - painted_at > settle:
            break
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            continue
        if line is None:
            break
        m = re.match(r"livedesk-startup (\S+) ([0-9.]+)", line)
        if m:
            marks.setdefault(m.group(1), float(m.group(2)) - t0)
            if m.group(1) == "window_painted" and painted_at is None:
                painted_at = time.monotonic()
        else:
            other.append(line)
    exited_by_itself = False
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
            exited_by_itself = True
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shutil.rmtree(tmp, ignore_errors=True)
    errors = [ln for ln in other if " ERROR " in ln or "Traceback" in ln]
    return {"marks_s": {k: round(v, 3) for k, v in sorted(marks.items(), key=lambda kv: kv[1])},
            "returncode": proc.returncode, "exited_on_sigterm": exited_by_itself,
            "errors": errors[:5]}


def gui_import_time() -> tuple[float, list[tuple[str, float]]]:
    """(seconds to import the GUI modules in a fresh interpreter, largest cumulative entries)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_API="pyside6")
    code = ("import time; t=time.perf_counter(); import console.gui.app, console.gui.main_window; "
            "print(time.perf_counter()-t)")
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=str(ROOT), env=env,
                         capture_output=True, text=True, check=True)
    total = float(out.stdout.strip().splitlines()[-1])
    rows = []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) <= 3:          # top-level and first-level imports only
            rows.append((m.group(3), int(m.group(1)) / 1e6))
    rows.sort(key=lambda r: -r[1])
    return total, rows[:12]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--settle", type=float, default=3.0,
                    help="seconds to keep the console running after its first paint")
    ap.add_argument("--json", dest="json_path")
    ap.add_argument("extra", nargs="*", help="more `livedesk console` arguments (after --)")
    args = ap.parse_args()
    load_before = _load()
    runs = []
    for i in range(args.runs):
        r = one_run(args.extra, args.settle)
        r["load"] = _load()
        runs.append(r)
        print(f"run {i + 1}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["marks_s"].items())
              + f"  (load {r['load']})", flush=True)
    imp_total, imp_rows = gui_import_time()
    names = [n for n in ORDER if any(n in r["marks_s"] for r in runs)]
    names += sorted({n for r in runs for n in r["marks_s"]} - set(names))
    summary = {}
    for n in names:
        vals = [r["marks_s"][n] for r in runs if n in r["marks_s"]]
        summary[n] = {"median": round(statistics.median(vals), 3), "min": round(min(vals), 3),
                      "max": round(max(vals), 3), "runs": len(vals)}
    painted = summary.get("window_painted", {})
    result = {
        "bench": "startup",
        "command": "bench/startup.py " + " ".join(sys.argv[1:]),
        "target_s": TARGET_S,
        "window_painted_s": painted,
        "milestones_s": summary,
        "runs": runs,
        "gui_import_s": round(imp_total, 3),
        "gui_import_top_s": [[n, round(s, 3)] for n, s in imp_rows],
        "targets_met": {"window": bool(painted) and painted["max"] <= TARGET_S,
                        "clean_exit": all(r["exited_on_sigterm"] and r["returncode"] == 0
                                          for r in runs)},
        "load_before": load_before,
        "load_after": _load(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(f"\n{'milestone (s after launch)':<28} {'median':>8} {'min':>8} {'max':>8}")
    for n, s in summary.items():
        flag = ""
        if n == "window_painted":
            flag = f"  target <= {TARGET_S:g} s: " + ("ok" if result["targets_met"]["window"]
                                                       else "MISSED")
        print(f"{n:<28} {s['median']:>8.3f} {s['min']:>8.3f} {s['max']:>8.3f}{flag}")
    print(f"\nGUI imports alone (fresh interpreter): {imp_total:.3f} s; largest:")
    for n, s in imp_rows:
        print(f"    {n:<40} {s:.3f} s")
    print(f"clean exit on SIGTERM: {result['targets_met']['clean_exit']};"
          f" load before / after: {load_before} / {result['load_after']} ({os.cpu_count()} CPUs)")
    line = json.dumps(result, ensure_ascii=False)
    print("JSON " + line)
    outdir = ROOT / "bench" / "results"
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "startup.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    if args.json_path:
        Path(args.json_path).write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
