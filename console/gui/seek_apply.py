"""Making a replay seek's state current on the UI thread, a frame's worth at a time.

A seek hands over a state that differs from the shown one everywhere, so every panel refreshes
(the graphs' series and ranges, the run of show, the inventory, the prompt panel...): 10-40 ms
of the UI thread in one go, more on a busy machine. :class:`SeekApply` rebinds the panels at
once (cheap), then lets the window's frame clock refresh them in slices of at most
``budget_s`` (``FrameClock.budget_s``), returning to the event loop between slices so input and
paints get through. Panels in a closed dock or a background tab are not refreshed now; the
frame clock refreshes them when they are shown. A newer state replaces one still being applied:
only the newest seek's panels are drawn.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

#: Longest slice of panel refreshes (seconds): a third of a 32 Hz frame, leaving time to paint.
SLICE_S = 0.010


class SeekApply(QObject):
    """Applies states to a :class:`widgets.frame_clock.FrameClock` in frame-sized slices."""

    # ---- Signals
    sig_applied = Signal(object)
    """Every shown panel has refreshed on this state (a SessionState)."""

    def __init__(self, clock, budget_s: float = SLICE_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        clock.budget_s = budget_s
        self.state = None
        self.busy = False
        self.slices = 0            # slices run for the last state (tests, bench)
        self.applied = 0           # states fully applied
        self.last_apply_s = 0.0    # from apply() to the last slice of the last state applied
        self._started = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_slice)

    # ---- Public API
    def apply(self, state) -> None:
        """Make ``state`` current: panels rebound now, refreshed from this slice on."""
        self.state = state
        self.busy = True
        self.slices = 0
        self._started = time.perf_counter()
        self.clock.set_state(state)
        self._on_slice()

    # ---- Slots
    def _on_slice(self) -> None:
        if not self.busy:
            return
        self.slices += 1
        self.clock.tick()
        if self.clock.behind:
            self._timer.start()          # the rest after the event loop's turn (input, paints)
            return
        self.busy = False
        self.applied += 1
        self.last_apply_s = time.perf_counter() - self._started
        self.sig_applied.emit(self.state)
