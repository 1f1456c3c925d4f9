"""A PySide6 6.12 work-around shared by the widgets (no widget here).

``QObject.property()`` of an unset property returns None without a new reference, so every read
drops None's refcount (Python 3.11 aborts with "none_dealloc"); pyqtgraph and the panels' own
paint code hit it. On Python < 3.12 None/True/False are not immortal: :func:`pin_singletons`
raises their refcounts far out of reach (what CPython 3.12 does by design). Importing this module
is enough; it is cheap (no pyqtgraph), so the console can pin before its first window and load
the graphs later. Remove once PySide6 is pinned to a fixed release."""

from __future__ import annotations

import sys


def pin_singletons() -> None:
    import ctypes
    if sys.version_info >= (3, 12) or getattr(pin_singletons, "done", False):
        return
    for obj in (None, True, False, NotImplemented, Ellipsis):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    pin_singletons.done = True


pin_singletons()
