"""Start-up milestones of the console (headless; no Qt).

``mark(name)`` notes when a start-up step finished. With ``LIVEDESK_STARTUP_TRACE=1`` in the
environment each mark is also printed to stderr as ``livedesk-startup NAME WALLTIME`` (the wall
clock, so a benchmark that started the process can subtract its own launch time;
``bench/startup.py`` does). ``summary()`` gives the seconds since the first mark for the log line
the console writes once its window is on screen."""

from __future__ import annotations

import os
import sys
import time

_marks: list[tuple[str, float]] = []


def enabled() -> bool:
    return os.environ.get("LIVEDESK_STARTUP_TRACE", "").strip() not in ("", "0")


def mark(name: str) -> float:
    """Record start-up step ``name`` now; returns the wall time."""
    t = time.time()
    _marks.append((name, t))
    if enabled():
        print(f"livedesk-startup {name} {t:.6f}", file=sys.stderr, flush=True)
    return t


def marks() -> list[tuple[str, float]]:
    return list(_marks)


def since_first(name: str) -> float | None:
    """Seconds from the first mark to the (first) mark ``name``; None if either is missing."""
    if not _marks:
        return None
    for n, t in _marks:
        if n == name:
            return t - _marks[0][1]
    return None
