"""Reconnect policies for the feed client (pluggable, like blivedm's retry policies).

A policy answers "how long to wait before attempt N" and is told when a
connection became stable so the backoff starts over. Randomness comes from an
injectable ``random.Random`` so tests are deterministic.
"""

from __future__ import annotations

import random
import time
from typing import Callable


class ReconnectPolicy:
    """Exponential backoff with full-range jitter, a cap and a reset after stability.

    delay(n) = min(cap, base * factor**(n-1)) scaled by a random factor in
    [1 - jitter, 1]. ``connected()`` marks the start of a connection;
    ``disconnected()`` resets the attempt count if the connection lasted at
    least ``stable_after`` seconds.
    """

    def __init__(self, *, base: float = 0.25, factor: float = 2.0, cap: float = 15.0,
                 jitter: float = 0.5, stable_after: float = 10.0,
                 max_attempts: int | None = None, rng: random.Random | None = None,
                 seed: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if base < 0 or factor < 1 or cap < 0 or not 0 <= jitter <= 1:
            raise ValueError("invalid backoff parameters")
        self.base = base
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self.stable_after = stable_after
        self.max_attempts = max_attempts
        self.rng = rng if rng is not None else random.Random(seed)
        self.clock = clock
        self.attempt = 0
        self._connected_at: float | None = None

    def next_delay(self) -> float | None:
        """Delay before the next attempt, or None to give up."""
        self.attempt += 1
        if self.max_attempts is not None and self.attempt > self.max_attempts:
            return None
        raw = min(self.cap, self.base * self.factor ** (self.attempt - 1))
        return raw * (1.0 - self.jitter * self.rng.random())

    def connected(self) -> None:
        self._connected_at = self.clock()

    def disconnected(self) -> None:
        if self._connected_at is not None and self.clock() - self._connected_at >= self.stable_after:
            self.attempt = 0
        self._connected_at = None

    def reset(self) -> None:
        self.attempt = 0
        self._connected_at = None


class FixedPolicy(ReconnectPolicy):
    """Constant delay (tests, local simulator)."""

    def __init__(self, delay: float = 0.1, *, max_attempts: int | None = None) -> None:
        super().__init__(base=delay, factor=1.0, cap=delay, jitter=0.0,
                         max_attempts=max_attempts, stable_after=0.0)


class NoReconnect(ReconnectPolicy):
    """Never reconnect."""

    def __init__(self) -> None:
        super().__init__(max_attempts=0)
