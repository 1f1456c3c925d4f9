"""Suite-wide: logs go to a folder of the test run; Qt garbage is freed at safe points."""

from __future__ import annotations

import gc
import os
import sys
import tempfile

import pytest

# Not the user's own log folder (console.support.logs reads this when it sets up logging).
os.environ.setdefault("LIVEDESK_LOG_DIR", tempfile.mkdtemp(prefix="livedesk-test-logs-"))


@pytest.fixture(autouse=True)
def _qt_garbage_at_a_safe_point():
    """After a test, once Qt is loaded: run deferred deletes and collect garbage now, outside
    any Qt event dispatch. Left to chance, Python's cyclic collector may free a Qt wrapper in
    the middle of a later test's event processing (a rare segfault seen once in a full run)."""
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None:
        return
    app = widgets.QApplication.instance()
    if app is None:
        return
    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
