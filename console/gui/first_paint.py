"""When a window is first on screen: logged, marked for ``bench/startup.py``, and awaited by
the console before it starts what the first frame does not need."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from console.support import startup_trace

log = logging.getLogger("livedesk.console")
FIRST_PAINT_WAIT_S = 1.0


class FirstPaint(QObject):
    """Notes when a window is first on screen: its first paint, flushed (a zero-delay timer
    started in the paint fires after the backing store went to the screen)."""

    sig_painted = Signal()
    """The window's first frame is on screen."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.done = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Paint and obj is self.parent():
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._on_painted)
        return False

    def _on_painted(self) -> None:
        startup_trace.mark("window_painted")
        took = startup_trace.since_first("window_painted")
        if took is not None:
            log.info("window on screen %.2f s after start", took)
        self.done = True
        self.sig_painted.emit()


def watch_first_paint(win) -> FirstPaint:
    """Log (and mark for ``bench/startup.py``) when ``win`` is first painted on screen."""
    watch = getattr(win, "_first_paint_watch", None)
    if watch is None:
        watch = win._first_paint_watch = FirstPaint(win)
        win.installEventFilter(watch)
    return watch


async def show_first(win) -> None:
    """Show ``win`` and, on a Qt-driven event loop, wait (at most ``FIRST_PAINT_WAIT_S``) until
    its first frame is on screen, so what starts next does not delay it."""
    watch = watch_first_paint(win)
    win.show()
    startup_trace.mark("window_shown")
    loop = asyncio.get_running_loop()
    if not type(loop).__module__.startswith("qasync"):
        return                        # a plain asyncio loop (tests) paints nothing meanwhile
    painted = asyncio.Event()
    watch.sig_painted.connect(painted.set)
    try:
        await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT_S)
    except asyncio.TimeoutError:
        pass


__all__ = ["FirstPaint", "watch_first_paint", "show_first", "FIRST_PAINT_WAIT_S"]
