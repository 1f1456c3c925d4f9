"""Conversion graphs (pyqtgraph): online, GMV/min, orders/min, clicks/min with event marks."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_API", "pyside6")

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

MARK_COLOURS = {"card": "#ff4d6d", "flash": "#b89cff", "stockout": "#ff4040", "alert": "#ffb020"}
MARK_NAMES = {"card": "card push", "flash": "flash sale", "stockout": "sold out", "alert": "alert"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


#: PySide6 6.12 bug: QObject.property() of an unset property returns None without a new
#: reference, so every read drops None's refcount (Python 3.11 aborts with "none_dealloc").
#: pyqtgraph's PlotDataItem reads these three on every setData/paint; set them to real bools.
_PG_PROPERTIES = ("styleWasChanged", "xViewRangeWasChanged", "yViewRangeWasChanged")


def guard_item(item):
    """Give a PlotDataItem real values for the properties pyqtgraph reads (see above)."""
    for name in _PG_PROPERTIES:
        item.setProperty(name, False)
    return item


def _pin_singletons() -> None:
    """Work around the same PySide6 6.12 bug elsewhere (axis painting, comparisons): on
    Python < 3.12 None/True/False are not immortal, so raise their refcounts far out of reach
    (what CPython 3.12 does by design). Remove once PySide6 is pinned to a fixed release."""
    import ctypes
    import sys as _sys
    if _sys.version_info >= (3, 12) or getattr(_pin_singletons, "done", False):
        return
    for obj in (None, True, False, NotImplemented, Ellipsis):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
    _pin_singletons.done = True


_pin_singletons()


class _Buffer:
    """Preallocated float64 x/y buffers; grows by doubling, never per frame."""

    def __init__(self, capacity: int = 1024) -> None:
        self.x = np.zeros(capacity)
        self.y = np.zeros(capacity)
        self.n = 0

    def fill(self, xs_start: float, step: float, values) -> None:
        n = len(values)
        if n > len(self.x):
            cap = max(n, len(self.x) * 2)
            self.x = np.zeros(cap)
            self.y = np.zeros(cap)
        self.x[:n] = xs_start + np.arange(n) * step
        self.y[:n] = values
        self.n = n


class ConversionGraphs(QWidget):
    """Four stacked plots sharing one x axis (minutes since the session started)."""

    time_dependent = True        # periodic ticks catch up after a throttled frame
    MIN_INTERVAL = 0.1           # seconds between redraws (plots need no more than 10 Hz)
    SERIES = (("online", "Online viewers", "#3fa7ff"), ("gmv", "GMV / min", "#ff4d6d"),
              ("orders", "Orders / min", "#35c27a"), ("clicks", "Product clicks / min", "#ffb020"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self.refreshes = 0
        self.set_data_calls = 0
        pg.setConfigOptions(antialias=False, background="#1b1e25", foreground="#8a92a6")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.view = pg.GraphicsLayoutWidget(self)
        lay.addWidget(self.view)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.buffers: dict[str, _Buffer] = {}
        self._mark_curves: dict[str, dict] = {}
        first = None
        for row, (key, title, colour) in enumerate(self.SERIES):
            plot = self.view.addPlot(row=row, col=0)
            legend = ""
            if row == 0:
                legend = "&nbsp;&nbsp;&nbsp;" + "&nbsp;&nbsp;".join(
                    f"<span style='color:{c}'>┆ {_tr(MARK_NAMES[k])}</span>"
                    for k, c in MARK_COLOURS.items())
            plot.setTitle(f"<span style='color:{colour}'>{_tr(title)}</span>{legend}", size="9pt")
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMenuEnabled(False)
            plot.getAxis("left").setWidth(48)
            for side in ("left", "bottom"):
                plot.getAxis(side).setTickFont(QFont("DejaVu Sans", 8))
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            if row < len(self.SERIES) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            else:
                plot.setLabel("bottom", _tr("minutes"))
            curve = guard_item(plot.plot(pen=pg.mkPen(colour, width=1),
                              stepMode=None, fillLevel=0 if key != "online" else None,
                              brush=pg.mkBrush(colour + "33") if key != "online" else None))
            self.plots[key] = plot
            self.curves[key] = curve
            self.buffers[key] = _Buffer()
            self._mark_curves[key] = {
                kind: guard_item(pg.PlotDataItem(pen=pg.mkPen(colour, width=1,
                                                              style=pg.QtCore.Qt.DashLine)))
                for kind, colour in MARK_COLOURS.items()}
            for item in self._mark_curves[key].values():
                plot.addItem(item, ignoreBounds=True)   # marks never stretch the y range
                item.setClipToView(False)                # clipping would break connect="pairs"
                item.setDownsampling(ds=1, auto=False)
        self._marks_done = 0
        self._drawn_version, self._drawn_at = -1, 0.0
        self._mark_x: dict[str, np.ndarray] = {k: np.zeros(0) for k in MARK_COLOURS}

    # ---- Public API
    def set_state(self, state) -> None:
        self.state = state
        self._marks_done = -1
        self._drawn_version = -1

    def refresh(self) -> None:
        st = self.state
        if st is None or st.started_at is None:
            return
        mono = time.monotonic()
        if st.version == self._drawn_version or mono - self._drawn_at < self.MIN_INTERVAL:
            return
        self._drawn_version, self._drawn_at = st.version, mono
        self.refreshes += 1
        t0 = st.started_at
        sec = st.seconds
        online = sec.data.get("online") or []
        buf = self.buffers["online"]
        buf.fill((sec.base - t0) / 60.0, 1 / 60.0, online)
        self._set("online")
        for key in ("gmv", "orders", "clicks"):
            self.buffers[key].fill(0.5, 1.0, st.minutes[key])
            self._set(key)
        self._add_marks(st)

    # ---- Internals
    def _set(self, key: str) -> None:
        buf = self.buffers[key]
        self.curves[key].setData(buf.x[:buf.n], buf.y[:buf.n])
        self.set_data_calls += 1

    def _add_marks(self, st) -> None:
        """Event marks as vertical segments: one curve per mark kind per plot (connect="pairs").

        (pyqtgraph InfiniteLine is avoided: its bounding-rect comparisons hit a reference-count
        bug in PySide6 6.12 and crash after a few hundred marks.)
        """
        marks = st.marks
        if len(marks) != self._marks_done:
            t0 = st.started_at
            for kind in MARK_COLOURS:
                self._mark_x[kind] = np.array([(ts - t0) / 60.0 for ts, k, _ in marks if k == kind])
            self._marks_done = len(marks)
        for key, plot in self.plots.items():
            buf = self.buffers[key]
            y = buf.y[:buf.n]
            top = float(y.max()) * 1.05 if buf.n else 1.0
            bottom = float(y.min()) if buf.n else 0.0
            bottom = min(bottom, 0.0) if key != "online" else bottom
            for kind, xs in self._mark_x.items():
                curve = self._mark_curves[key][kind]
                if len(xs) == 0:
                    curve.setData([], [])
                    continue
                px = np.repeat(xs, 2)
                py = np.tile([bottom, top], len(xs))
                curve.setData(px, py, connect="pairs")
