"""The session's time axis: where minute 0 is, the per-minute and per-second series, and the
marks on the event lanes. Every concern adds to it; it handles no event of its own."""

from __future__ import annotations

from typing import Iterable

SECOND_WINDOW = 600          # per-second series kept (10 minutes)
MINUTE_FIELDS = ("online", "entering", "gmv", "orders", "units", "clicks",
                 "impressions", "comments", "refunds")
SECOND_FIELDS = ("online", "gmv", "orders", "clicks")


class SecondSeries:
    """Per-second buckets for the last ``window`` seconds (absolute second index)."""

    def __init__(self, names: Iterable[str], window: int = SECOND_WINDOW) -> None:
        self.names = tuple(names)
        self.window = window
        self.base = 0  # absolute second of index 0
        self.data: dict[str, list[float]] = {n: [] for n in self.names}

    def bucket(self, second: int) -> int | None:
        """Index for an absolute second, extending and trimming as needed."""
        data = self.data
        first = self.names[0]
        length = len(data[first])
        if length == 0:
            self.base = second
        idx = second - self.base
        if idx < 0:
            return None
        if idx >= length:
            grow = idx - length + 1
            for name in self.names:
                col = data[name]
                col.extend([col[-1] if (name == "online" and col) else 0.0] * grow)
            length = idx + 1
            if length > self.window * 2:
                cut = length - self.window
                for name in self.names:
                    del data[name][:cut]
                self.base += cut
                idx -= cut
        return idx

    def to_json(self) -> dict:
        return {"base": self.base, "data": self.data}

    def load(self, obj: dict) -> None:
        self.base = obj["base"]
        self.data = {n: list(obj["data"].get(n, [])) for n in self.names}


class Timeline:
    """Minute 0 (``started_at``), the series and the marks ``(ts, kind, label)``."""

    def __init__(self) -> None:
        #: the session's start: set by ``session.started``, else by the first event that
        #: needs a minute
        self.started_at: float | None = None
        self.minutes: dict[str, list[float]] = {n: [] for n in MINUTE_FIELDS}
        self.seconds = SecondSeries(SECOND_FIELDS)
        self.marks: list[tuple[float, str, str]] = []  # (ts, kind, label) for event lanes

    def minute(self, ts: float) -> int | None:
        """The minute index of ``ts`` (None before the start), extending the series."""
        if self.started_at is None:
            self.started_at = ts
        idx = int((ts - self.started_at) // 60)
        if idx < 0:
            return None
        minutes = self.minutes
        have = len(minutes["gmv"])
        if idx >= have:
            online = minutes["online"][-1] if have else 0.0
            for name in MINUTE_FIELDS:
                minutes[name].extend([online if name == "online" else 0.0] * (idx - have + 1))
        return idx

    def add(self, ts: float, name: str, value: float) -> None:
        """Add ``value`` to the minute (and second, if kept) series ``name`` at ``ts``."""
        m = self.minute(ts)
        if m is not None:
            self.minutes[name][m] += value
        if name in self.seconds.names:
            s = self.seconds.bucket(int(ts))
            if s is not None:
                self.seconds.data[name][s] += value

    def add_sale(self, ts: float, amount: float, qty: int) -> None:
        """:meth:`add` for a paid order's gmv, orders and units (one minute index and one
        second bucket instead of three of each: this runs for every paid order)."""
        m = self.minute(ts)
        if m is not None:
            minutes = self.minutes
            minutes["gmv"][m] += amount
            minutes["orders"][m] += 1
            minutes["units"][m] += qty
        seconds = self.seconds
        s = seconds.bucket(int(ts))
        if s is not None:
            data = seconds.data
            data["gmv"][s] += amount
            data["orders"][s] += 1

    def mark(self, ts: float, kind: str, label: str) -> None:
        self.marks.append((ts, kind, label))

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        return {"started_at": self.started_at, "minutes": self.minutes,
                "seconds": self.seconds.to_json(), "marks": self.marks}

    def load(self, snap: dict) -> None:
        self.started_at = snap["started_at"]
        self.minutes = {n: list(snap["minutes"].get(n, [])) for n in MINUTE_FIELDS}
        self.seconds.load(snap["seconds"])
        self.marks = [tuple(m) for m in snap["marks"]]


__all__ = ["Timeline", "SecondSeries", "SECOND_WINDOW", "MINUTE_FIELDS", "SECOND_FIELDS"]
