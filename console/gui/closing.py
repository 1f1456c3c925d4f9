"""How the app's windows end: on Ctrl-C or SIGTERM as by hand, and deleted before the
interpreter's teardown."""

from __future__ import annotations

import gc
import logging
import os
import signal
from typing import Callable

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

log = logging.getLogger("livedesk.console")


def _close_on_signals(close: Callable[[], None], owner: object, what: str) -> None:
    """SIGINT and SIGTERM call ``close`` (on the event loop); a second one quits at once."""

    def handler(signum, _frame) -> None:
        if getattr(owner, "_closing_by_signal", False):
            log.warning("second %s: quitting now", signal.Signals(signum).name)
            os._exit(128 + signum)
        owner._closing_by_signal = True
        log.info("%s: %s", signal.Signals(signum).name, what)
        QTimer.singleShot(0, close)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def close_on_signals(window) -> None:
    """Ctrl-C (SIGINT) and SIGTERM close the window as the Quit action does: the session
    stops, the recorder flushes. A second signal while closing quits at once."""
    close = getattr(window, "close_now", window.close)    # asked in the terminal: no dialog
    _close_on_signals(close, window, "closing the console and ending the recording")


def quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl-C (SIGINT) and SIGTERM close every window of a Qt-only app (no asyncio loop), as
    closing them by hand does; a second signal while closing quits at once.

    Python runs signal handlers only between bytecodes, and ``app.exec()`` is C++: the
    returned timer hands control to Python five times a second so the handler gets to run."""
    _close_on_signals(app.closeAllWindows, app, "closing")
    wake = QTimer(app)
    wake.setInterval(200)
    wake.timeout.connect(lambda: None)
    wake.start()
    return wake


def dispose(widget) -> None:
    """Delete a top-level window before interpreter teardown (pyqtgraph + PySide6 crash otherwise)."""
    if widget is None:
        return
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, 0)  # 0 = QEvent.DeferredDelete handled by sendPostedEvents
    QCoreApplication.processEvents()
    gc.collect()


__all__ = ["close_on_signals", "quit_on_signals", "dispose"]
