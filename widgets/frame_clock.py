"""FrameClock: one shared 30 Hz timer that refreshes widgets only when state changed."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal


class FrameClock(QObject):
    """Polls ``state.version`` once per frame and calls ``refresh()`` on observers.

    Widgets that show time-dependent values (countdowns, ETAs) set
    ``time_dependent = True`` and are refreshed at ``tick_hz`` even when the
    state did not change. Events are never pushed to widgets one by one: a
    burst of thousands of events between two frames costs one refresh.
    """

    # ---- Signals
    sig_frame = Signal(int)
    """Emitted after each frame that refreshed at least one widget (state version)."""

    def __init__(self, state=None, fps: float = 30.0, tick_hz: float = 4.0,
                 now: Callable[[], float] = time.time, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.now = now
        self._widgets: list = []
        self._version = -1
        self._frame = 0
        self._tick_every = max(1, round(fps / tick_hz))
        self.frames = 0          # frames that refreshed something
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / fps))
        self._timer.timeout.connect(self._on_timeout)

    # ---- Public API
    def add(self, widget) -> None:
        widget.now = self.now
        if self.state is not None:
            widget.set_state(self.state)
        self._widgets.append(widget)

    def set_state(self, state) -> None:
        self.state = state
        self._version = -1
        for w in self._widgets:
            w.set_state(state)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self, force: bool = False) -> bool:
        """Run one frame now; returns True if any widget refreshed."""
        self._frame += 1
        if self.state is None:
            return False
        version = self.state.version
        changed = force or version != self._version
        periodic = self._frame % self._tick_every == 0
        did = False
        for w in self._widgets:
            if changed or (periodic and getattr(w, "time_dependent", False)):
                w.refresh()
                did = True
        self._version = version
        if did:
            self.frames += 1
            self.sig_frame.emit(version)
        return did

    # ---- Slots
    def _on_timeout(self) -> None:
        self.tick()
