"""The cyclic garbage collector tuned for a UI thread that folds a busy feed."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QTimer

_GC_TIMER: QTimer | None = None
GC_FREEZE_EVERY_S = 10.0
#: net allocations between two young-generation collections (CPython: 700). A busy feed allocates
#: hundreds of thousands of short-lived containers a second, almost none of them in cycles: at
#: 20,000 events/s the default ran ~33 young collections a second (2 % of the UI thread).
GC_YOUNG = 10_000


def settle_gc(every_s: float | None = GC_FREEZE_EVERY_S, young: int | None = GC_YOUNG) -> None:
    """Keep the cyclic garbage collector's full passes short on the UI thread.

    Collect once, then move everything alive (modules, Qt wrappers, the window) out of the
    collector's sight (``gc.freeze``); then every ``every_s`` seconds collect the young
    generations and freeze what survived (the session state grows by long-lived order and buyer
    records). A full collection then scans only what was allocated since the last freeze instead of
    the whole heap: measured at 5,000 events/s, full passes of 300 ms before, under 25 ms after.
    The price: a reference cycle that was still alive at a freeze and dies later is not reclaimed
    (the state's records are never freed during a session anyway)."""
    global _GC_TIMER
    gc.collect()
    gc.freeze()
    if young is not None:
        gc.set_threshold(young, *gc.get_threshold()[1:])
    if every_s and _GC_TIMER is None and QCoreApplication.instance() is not None:

        def refreeze() -> None:
            gc.collect(1)
            gc.freeze()

        _GC_TIMER = QTimer(QCoreApplication.instance())
        _GC_TIMER.setInterval(int(every_s * 1000))
        _GC_TIMER.timeout.connect(refreeze)
        _GC_TIMER.start()


__all__ = ["settle_gc", "GC_FREEZE_EVERY_S", "GC_YOUNG"]
