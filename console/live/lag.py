"""How far the console's reading is behind the feed (headless).

A feed event carries the feed's time (``ts``). When the console keeps up, an event is read a
roughly constant time after its ``ts`` (network, the feed's own batching, clock offset). When the
feed outruns the console, events wait in the socket buffers and are read later and later: that
growing delay *is* the backlog. :class:`FeedLag` measures, for the newest feed event of each batch
read, ``delay = monotonic receive time - ts / speed`` and reports how much it exceeds the smallest
delay seen since the feed (re)connected (the on-time baseline, whatever the clock offset):
``lag_s``; and, with the recent receive rate, about how many events that is (``behind_events``).

``behind`` switches on when the lag exceeds ``behind_s`` and off again once it is back under
``caught_up_s`` (hysteresis, so the indicator does not flicker). The console shows it in the status
bar, raises a "falling behind" alert in the session log while it lasts (console.live.alerts), and paints
less often meanwhile so that reading and folding get the CPU (widgets.frame_clock): it catches up
instead of falling further behind silently.
"""

from __future__ import annotations

import time
from typing import Callable

BEHIND_S = 1.5
CAUGHT_UP_S = 0.5
RATE_WINDOW_S = 1.0


class FeedLag:
    """Backlog of a feed reader, from the feed's own event times (see the module doc)."""

    __slots__ = ("behind_s", "caught_up_s", "speed", "behind", "lag_s", "rate", "episodes",
                 "max_lag_s", "_base", "_monotonic", "_win_t", "_win_n", "_last_mono")

    def __init__(self, behind_s: float = BEHIND_S, caught_up_s: float = CAUGHT_UP_S, *,
                 speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.behind_s = behind_s
        self.caught_up_s = min(caught_up_s, behind_s)
        self.speed = speed
        self.behind = False
        self.lag_s = 0.0
        self.rate = 0.0                 # feed events read per second (last full window)
        self.episodes = 0               # times it fell behind
        self.max_lag_s = 0.0
        self._base: float | None = None
        self._monotonic = monotonic
        self._win_t: float | None = None
        self._win_n = 0
        self._last_mono: float | None = None

    @property
    def behind_events(self) -> int:
        """About how many events the reader is behind (lag times the recent rate)."""
        return int(round(self.lag_s * self.rate))

    def reset(self, speed: float | None = None) -> None:
        """A new connection (or a new feed session): a new on-time baseline."""
        if speed:
            self.speed = speed
        self._base = None
        self.lag_s = 0.0
        self.behind = False
        self._win_t = None
        self._win_n = 0

    def observe(self, ts: float, n: int = 1, now: float | None = None) -> bool:
        """``n`` feed events were read, the newest with feed time ``ts``. Returns True when the
        ``behind`` flag changed."""
        mono = self._monotonic() if now is None else now
        self._last_mono = mono
        if self._win_t is None:
            self._win_t, self._win_n = mono, 0
        self._win_n += n
        span = mono - self._win_t
        if span >= RATE_WINDOW_S:
            self.rate = self._win_n / span
            self._win_t, self._win_n = mono, 0
        try:
            delay = mono - float(ts) / (self.speed or 1.0)
        except (TypeError, ValueError):
            return False
        if self._base is None or delay < self._base:
            self._base = delay
        self.lag_s = delay - self._base
        self.max_lag_s = max(self.max_lag_s, self.lag_s)
        was = self.behind
        if not was and self.lag_s > self.behind_s:
            self.behind = True
            self.episodes += 1
        elif was and self.lag_s < self.caught_up_s:
            self.behind = False
        return was != self.behind
