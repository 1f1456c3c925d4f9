"""Making a replay seek's state current on the UI thread, a frame's worth at a time.

A seek hands over a state that differs from the shown one everywhere, so every panel refreshes
(the graphs' series and ranges, the run of show, the inventory, the prompt panel...): 10-40 ms
of the UI thread in one go, more on a busy machine. :class:`SeekApply` rebinds the panels at
once (cheap), then lets the window's frame clock refresh them in slices of at most
``budget_s`` (``FrameClock.budget_s``), returning to the event loop between slices so input and
paints get through. A panel that spreads its own work over refreshes (``pending``: the
inventory building its product lines) gets further slices until it is done. A newer state replaces one still being applied: only the newest seek's
panels are drawn. Panels in a closed dock or behind another dock's tab are not refreshed now (the frame clock
refreshes them when they are shown); :class:`BindWhenShown` also keeps a panel whose
``set_state`` renders at once (the prompt panel) from doing so while it is not to be seen.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from widgets.frame_clock import obscured

#: Longest slice of panel refreshes (seconds): a third of a 32 Hz frame, leaving time to paint.
SLICE_S = 0.010
#: Most slices one state may take while panels say they are ``pending`` (a panel building its
#: lines a few at a time); past it the frame clock finishes them at its own pace.
MAX_SLICES = 60


class SeekApply(QObject):
    """Applies states to a :class:`widgets.frame_clock.FrameClock` in frame-sized slices (it
    sets the clock's ``budget_s``, so the clock's own frames keep to it too)."""

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
        if self.clock.behind or (self.clock.pending and self.slices < MAX_SLICES):
            self._timer.start()          # the rest after the event loop's turn (input, paints)
            return
        self.busy = False
        self.applied += 1
        self.last_apply_s = time.perf_counter() - self._started
        self.sig_applied.emit(self.state)


class BindWhenShown:
    """A panel, as the frame clock sees it, that takes a new state only once it is shown.

    The prompt panel's ``set_state`` renders it at once (style sheets, the script's layout:
    about 10 ms). Behind the alerts' tab, where the replay window starts it, that was spent at
    every seek for nothing: the frame clock skips refreshing a panel that is :func:`obscured`,
    but it hands every panel the new state. This holds the newest state back while the panel
    is obscured; the clock refreshes a panel on the first frame it is shown, and that refresh
    binds it.
    """

    def __init__(self, panel) -> None:
        self.panel = panel
        self.state = None
        self.bound = True

    # ---- What the frame clock reads
    @property
    def time_dependent(self) -> bool:
        return bool(getattr(self.panel, "time_dependent", False))

    @property
    def pending(self) -> bool:
        return not self.bound or bool(getattr(self.panel, "pending", False))

    @property
    def now(self):
        return getattr(self.panel, "now", None)

    @now.setter
    def now(self, value) -> None:
        self.panel.now = value

    def isVisible(self) -> bool:  # noqa: N802 - the QWidget name the frame clock calls
        return not obscured(self.panel)

    def window(self):
        return self.panel.window()

    # ---- Observer API
    def set_state(self, state) -> None:
        self.state = state
        self.bound = False
        if not obscured(self.panel):
            self._bind()

    def refresh(self) -> None:
        if not self.bound:
            self._bind()                  # set_state renders the panel
        else:
            self.panel.refresh()

    def _bind(self) -> None:
        self.bound = True
        self.panel.set_state(self.state)
