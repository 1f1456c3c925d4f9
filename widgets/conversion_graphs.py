"""Conversion graphs (pyqtgraph): online, GMV/min, orders/min, clicks/min with event marks."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_API", "pyside6")

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

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


import widgets.pyside_pin  # noqa: E402,F401  (the same bug elsewhere: pins None/True/False)


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
            # Horizontal grid lines only: vertical ones cost ~4x more to draw whenever the axis
            # ticks change, and the time axis is already marked by card pushes and flash sales.
            plot.showGrid(x=False, y=True, alpha=0.15)
            plot.setClipToView(True)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setMenuEnabled(False)
            # Ranges follow the data in rounded steps (see _follow_ranges), not by auto-range on
            # every new sample: each range change redraws the axes of all four plots.
            plot.enableAutoRange(x=False, y=False)
            plot.vb.sigRangeChangedManually.connect(self._on_user_range)
            plot.getAxis("left").setWidth(48)
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setTickFont(QFont("DejaVu Sans", 8))
                # Axes (with their grid lines) are replayed from a QPicture on every repaint of
                # the view, ~3 ms each; cache them as pixmaps, redrawn only when the ticks change.
                axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            if row < len(self.SERIES) - 1:
                # the upper plots share the bottom plot's time axis: no axis of their own, so a
                # change of the time range redraws one axis, not four (~10 ms each)
                plot.hideAxis("bottom")
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
        self._mark_span: dict[str, tuple] = {}
        self._drawn_version, self._drawn_at = -1, 0.0
        self._mark_x: dict[str, np.ndarray] = {k: np.zeros(0) for k in MARK_COLOURS}
        self.follow = True               # ranges follow the data until the operator zooms/pans
        self._ranges: dict[str, tuple] = {}
        self._ranges_pending = False     # a range change was left for the next refresh
        self._all_ranges_now = False     # set_state: apply every range change in one refresh

    # ---- Public API
    @property
    def pending(self) -> bool:
        """A range change is still to be applied (one per refresh): refresh me next frame."""
        return self._ranges_pending

    def set_state(self, state) -> None:
        self.state = state
        self._marks_done = -1
        self._mark_span = {}
        self._drawn_version = -1
        self._all_ranges_now = True     # a new state (a replay seek): everything repaints anyway

    def refresh(self) -> None:
        st = self.state
        if st is None or st.started_at is None:
            return
        if st.version == self._drawn_version:
            if self._ranges_pending:     # the next staggered range change; the data is drawn
                self._follow_ranges()
                self._add_marks(st)
            return
        mono = time.monotonic()
        if mono - self._drawn_at < self.MIN_INTERVAL:
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
        self._follow_ranges()
        self._add_marks(st)

    def follow_data(self) -> None:
        """Go back to following the data (after the operator zoomed or panned)."""
        self.follow = True
        self._ranges = {}
        self._drawn_version = -1

    # ---- Internals
    def _set(self, key: str) -> None:
        buf = self.buffers[key]
        self.curves[key].setData(buf.x[:buf.n], buf.y[:buf.n])
        self.set_data_calls += 1

    def _span(self, key: str) -> tuple[float, float]:
        """The rounded y range of a series: [min(0, low), 1-2-5 ceiling of 1.05 x high]."""
        buf = self.buffers[key]
        if not buf.n:
            return (0.0, 1.0)
        y = buf.y[:buf.n]
        return (min(0.0, float(y.min())), _nice_ceiling(float(y.max()) * 1.05))

    def _follow_ranges(self) -> None:
        self._ranges_pending = False
        all_now, self._all_ranges_now = self._all_ranges_now, False
        for plot in self.plots.values():
            auto = plot.vb.state["autoRange"]
            if auto[0] or auto[1]:               # the operator pressed pyqtgraph's "A" button
                plot.enableAutoRange(x=False, y=False)
                self.follow = True
                self._ranges = {}
        if not self.follow:
            return
        end = max((float(b.x[b.n - 1]) for b in self.buffers.values() if b.n), default=1.0)
        step = 1.0 if end < 10 else (5.0 if end < 60 else 15.0)
        x_range = (0.0, float(np.ceil((end + 0.25) / step) * step))
        # One range change per refresh: each one makes pyqtgraph regenerate axis ticks and
        # cached axis pixmaps at the next paint (~10 ms per axis). Changing them all in one
        # frame stalled the UI thread ~40 ms; staggered, the last plot catches up within a few
        # frames. After set_state (a replay seek, a new session) all change at once: every
        # panel repaints then anyway, and a plot left on its old range would show wrong data.
        first = next(iter(self.plots.values()))
        if self._ranges.get("x") != x_range:
            self._ranges["x"] = x_range
            first.setXRange(*x_range, padding=0)
            if not all_now:
                self._ranges_pending = True
                return
        for key, plot in self.plots.items():
            y_range = self._span(key)
            if self._ranges.get(key) != y_range:
                self._ranges[key] = y_range
                plot.setYRange(*y_range, padding=0)
                if not all_now:
                    self._ranges_pending = True
                    return

    def _on_user_range(self, *args) -> None:
        self.follow = False

    def _add_marks(self, st) -> None:
        """Event marks as vertical segments: one curve per mark kind per plot (connect="pairs").

        The segments span a rounded-up y range, so they are rebuilt only when a mark is added or
        the data outgrows that range, not on every frame.
        (pyqtgraph InfiniteLine is avoided: its bounding-rect comparisons hit a reference-count
        bug in PySide6 6.12 and crash after a few hundred marks.)
        """
        marks = st.marks
        new_marks = len(marks) != self._marks_done
        if new_marks:
            t0 = st.started_at
            for kind in MARK_COLOURS:
                self._mark_x[kind] = np.array([(ts - t0) / 60.0 for ts, k, _ in marks if k == kind])
            self._marks_done = len(marks)
        for key in self.plots:
            span = self._span(key)
            bottom, top = span
            if not new_marks and self._mark_span.get(key) == span:
                continue
            self._mark_span[key] = span
            for kind, xs in self._mark_x.items():
                curve = self._mark_curves[key][kind]
                if len(xs) == 0:
                    if curve.xData is not None and len(curve.xData):
                        curve.setData([], [])
                    continue
                px = np.repeat(xs, 2)
                py = np.tile([bottom, top], len(xs))
                curve.setData(px, py, connect="pairs")


def _nice_ceiling(value: float) -> float:
    """Round up to 1, 2 or 5 times a power of ten (so it changes rarely as data grows)."""
    if value <= 0:
        return 1.0
    exp = 10 ** np.floor(np.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        if value <= m * exp:
            return float(m * exp)
    return float(10 * exp)
