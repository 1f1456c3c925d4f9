"""FrameClock: one shared 30 Hz timer that refreshes widgets only when state changed."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from console.api import Panel


def set_text(label, text: str, style: str | None = None) -> None:
    """Set a label's text (and style sheet) only when it changed.

    Setting the same text still relayouts the label, and setting a style sheet re-polishes the
    widget; at 30 frames/s over dozens of labels that adds up to most of a frame.
    """
    if label.text() != text:
        label.setText(text)
    if style is not None and (label.property("_ld_style") or "") != style:
        label.setProperty("_ld_style", style)
        label.setStyleSheet(style)


def obscured(widget) -> bool:
    """True for a widget in a visible window that is not to be seen: hidden itself (a closed
    dock) or covered (a dock behind another dock's tab, which Qt keeps visible under the
    current one: ``isVisible`` is True, its visible region empty). Widgets of a window never
    shown (tests, screenshots) still refresh."""
    is_visible = getattr(widget, "isVisible", None)
    if is_visible is None:
        return False
    window = widget.window()
    if window is widget or not window.isVisible():
        return False
    if not is_visible():
        return True
    visible_region = getattr(widget, "visibleRegion", None)
    return visible_region is not None and visible_region().isEmpty()



#: A forced tick refreshes a ``pending`` widget again up to this many times (it finishes what
#: it spreads over frames: the inventory's new lines, the graphs' staggered ranges).
FORCE_ROUNDS = 100


class FrameClock(QObject):
    """Polls ``state.version`` once per frame and calls ``refresh()`` on observers.

    Widgets that show time-dependent values (countdowns, ETAs) set
    ``time_dependent = True`` and are refreshed at ``tick_hz`` even when the
    state did not change. Events are never pushed to widgets one by one: a
    burst of thousands of events between two frames costs one refresh.
    Widgets hidden inside a shown window (closed docks, docks behind another's tab) are
    skipped and catch up on the first frame after they become visible, unless they
    set ``refresh_hidden = True`` (a banner that decides itself when to show, the alerts
    panel that brings itself to the front).
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
        self._seen: dict[int, int] = {}     # id(widget) -> state version it last refreshed on
        self._version = -1
        self._frame = 0
        self._tick_every = max(1, round(fps / tick_hz))
        #: a :class:`console.live.lag.FeedLag`; while it says the console is behind the feed, panels
        #: refresh only every ``catch_up_every`` frames, so reading and folding get the CPU
        self.lag = None
        self.catch_up_every = 4
        self.frames = 0          # frames that refreshed something
        self.last_frame_s = 0.0  # duration of the last refresh pass
        #: seconds a frame may spend refreshing widgets (None: no limit). A frame that runs out
        #: leaves the widgets it did not reach stale, sets ``behind``, and the next frame starts
        #: with them (a replay seek refreshes every panel: spread over frames, no long stall)
        self.budget_s: float | None = None
        self.behind = False
        self._resume = 0         # index of the first widget the next frame looks at
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.setInterval(max(1, int(1000 / fps)))
        self._timer.timeout.connect(self._on_timeout)

    # ---- Public API
    def add(self, widget: Panel) -> None:
        widget.now = self.now
        if self.state is not None:
            widget.set_state(self.state)
        self._widgets.append(widget)

    def remove(self, widget) -> None:
        """Stop refreshing ``widget`` (it is being replaced or deleted)."""
        self._widgets = [w for w in self._widgets if w is not widget]
        self._seen.pop(id(widget), None)

    def set_state(self, state) -> None:
        self.state = state
        self._version = -1
        self._seen.clear()
        for w in self._widgets:
            w.set_state(state)

    def start(self) -> None:
        self._timer.start()

    @property
    def pending(self) -> bool:
        """A panel that is not hidden asked to be refreshed again (``pending``): it spreads its
        work over frames and has not finished."""
        return any(getattr(w, "pending", False) and not obscured(w)
                   for w in self._widgets)

    def stop(self) -> None:
        self._timer.stop()

    def tick(self, force: bool = False) -> bool:
        """Run one frame now; returns True if any widget refreshed. ``force`` refreshes every
        widget, whatever the budget, until none is ``pending``."""
        self._frame += 1
        self.behind = False
        if self.state is None:
            return False
        lag = self.lag
        if not force and lag is not None and lag.behind and self._frame % self.catch_up_every:
            return False                 # catching up: fewer paints, more reading
        t = time.perf_counter()
        version = self.state.version
        periodic = self._frame % self._tick_every == 0
        seen = self._seen
        did = False
        widgets = self._widgets
        budget = None if force else self.budget_s
        start = self._resume if self._resume < len(widgets) else 0
        self._resume = 0
        for i in range(start, start + len(widgets)):
            w = widgets[i % len(widgets)]
            key = id(w)
            # a widget may spread work over frames and ask for the next one (``pending``)
            stale = seen.get(key) != version or getattr(w, "pending", False)
            if not (force or stale or (periodic and getattr(w, "time_dependent", False))):
                continue
            if not force and obscured(w) and not getattr(w, "refresh_hidden", False):
                continue
            if budget is not None and did and time.perf_counter() - t >= budget:
                self._resume, self.behind = i % len(widgets), True
                break
            w.refresh()
            if force:                    # forced: whatever the widget spreads over frames too
                for _ in range(FORCE_ROUNDS):
                    if not getattr(w, "pending", False):
                        break
                    w.refresh()
            seen[key] = version
            did = True
        self._version = version
        if did:
            self.frames += 1
            self.last_frame_s = time.perf_counter() - t
            self.sig_frame.emit(version)
        return did

    # ---- Slots
    def _on_timeout(self) -> None:
        self.tick()
