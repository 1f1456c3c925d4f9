"""`livedesk sessions`: list recordings."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict

import orjson

from console.recorder.store import Store


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _local(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "-"


def run_sessions(args) -> int:
    try:
        store = Store(getattr(args, "db", None))
        infos = store.sessions()
    except Exception as exc:  # noqa: BLE001
        print(f"livedesk sessions: cannot read recordings: {exc}", file=sys.stderr)
        return 1
    try:
        if getattr(args, "json", False):
            sys.stdout.write(orjson.dumps([asdict(i) for i in infos],
                                          option=orjson.OPT_INDENT_2).decode() + "\n")
            return 0
        if not infos:
            print("no recordings")
            return 0
        head = ("ID", "TITLE", "START", "DURATION", "EVENTS", "GMV", "ORDERS", "PEAK ONLINE",
                "STATUS")
        rows = [(i.id, (i.title or "")[:40], _local(i.started_at), _hms(i.duration_s),
                 f"{i.events:,}", f"{i.gmv:,.2f}", f"{i.orders:,}", f"{i.peak_online:,}",
                 i.status) for i in infos]
        widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(head)]
        right = {4, 5, 6, 7}

        def fmt(cells) -> str:
            return "  ".join(c.rjust(w) if k in right else c.ljust(w)
                             for k, (c, w) in enumerate(zip(cells, widths))).rstrip()
        print(fmt(head))
        for r in rows:
            print(fmt(r))
        return 0
    finally:
        store.close()
