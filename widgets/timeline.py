"""Replay timeline: play/pause, speed 1x-60x, step by event kind, click/drag seek, event lanes.

The timeline observes a *model* (``set_model``) with the replay clock and lanes and emits
intents; it never seeks or reads anything itself. The model needs::

    start_ts: float; end_ts: float; playing: bool; rate: float; recording: bool
    position() -> float                       # session time (unix seconds)
    lanes -> list[LaneEvent]                  # console.replay.replay.LaneEvent, sorted by ts
    lanes_version: int                        # changes when the lanes (or the end) change

It repaints from ``refresh()`` (the frame clock); the lane layer is cached in a pixmap and
only redrawn when the lanes, the range or the size change.
"""

from __future__ import annotations

import bisect
import time
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (QColor, QFont, QKeySequence, QMouseEvent, QPainter, QPaintEvent, QPen,
                           QPixmap, QPolygonF, QResizeEvent, QShortcut)
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolTip,
                               QVBoxLayout, QWidget)

from console.replay.replay import LANE_KINDS

#: Speeds offered (the clock accepts any rate in 1..60).
SPEEDS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0)
#: Lane colours, same spirit as the graphs' marks.
LANE_COLOURS = {"card": "#3fa7ff", "flash": "#ffb020", "stockout": "#ff4040", "alert": "#ff4d6d",
                "operator": "#35c27a"}
LANE_H = 15
AXIS_H = 16
LABEL_W = 86


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def lane_names() -> dict[str, str]:
    return {"card": _tr("Card push"), "flash": _tr("Flash sale"), "stockout": _tr("Stock-out"),
            "alert": _tr("Alert"), "operator": _tr("Operator")}


def fmt_clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class _Track(QWidget):
    """The lanes, the time axis and the play head; click or drag to seek."""

    def __init__(self, timeline: "Timeline") -> None:
        super().__init__(timeline)
        self.timeline = timeline
        self.setMouseTracking(True)
        self.setMinimumHeight(AXIS_H + LANE_H * len(LANE_KINDS) + 6)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._cache: QPixmap | None = None
        self._cache_key: tuple | None = None
        self._dragging = False
        self.lane_paints = 0          # how often the lane layer was redrawn (tests)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(800, self.minimumHeight())

    # ---- Geometry
    def x_of(self, ts: float) -> float:
        tl = self.timeline
        span = max(1e-9, tl.end_ts - tl.start_ts)
        w = max(1, self.width() - LABEL_W - 8)
        return LABEL_W + (ts - tl.start_ts) / span * w

    def ts_of(self, x: float) -> float:
        tl = self.timeline
        w = max(1, self.width() - LABEL_W - 8)
        frac = min(1.0, max(0.0, (x - LABEL_W) / w))
        return tl.start_ts + frac * (tl.end_ts - tl.start_ts)

    def lane_at(self, y: float) -> str | None:
        i = int((y - AXIS_H) // LANE_H)
        return LANE_KINDS[i] if 0 <= i < len(LANE_KINDS) else None

    # ---- Painting
    def _lane_layer(self) -> QPixmap:
        tl = self.timeline
        key = (self.width(), self.height(), tl.start_ts, tl.end_ts, tl.lanes_version,
               self.devicePixelRatioF())
        if self._cache is not None and self._cache_key == key:
            return self._cache
        self.lane_paints += 1
        dpr = self.devicePixelRatioF()
        pm = QPixmap(int(self.width() * dpr), int(self.height() * dpr))
        pm.setDevicePixelRatio(dpr)
        pm.fill(QColor("#1b1e25"))
        qp = QPainter(pm)
        qp.setRenderHint(QPainter.Antialiasing, False)
        font = QFont(self.font())
        font.setPixelSize(11)
        qp.setFont(font)
        names = lane_names()
        right = self.width() - 8
        # axis
        span = max(1.0, tl.end_ts - tl.start_ts)
        step = next((s for s in (60, 300, 600, 900, 1800, 3600, 7200)
                     if span / s <= max(2, (right - LABEL_W) / 90)), 14400)
        t = 0.0
        while t <= span + 1e-6:
            x = self.x_of(tl.start_ts + t)
            qp.setPen(QColor("#2e3340"))
            qp.drawLine(int(x), AXIS_H, int(x), self.height())
            qp.setPen(QColor("#8a92a6"))
            qp.drawLine(int(x), AXIS_H - 4, int(x), AXIS_H)
            qp.drawText(QRectF(x + 2, 0, 70, AXIS_H - 2), Qt.AlignLeft | Qt.AlignVCenter,
                        fmt_clock(t)[:-3] if t % 60 == 0 else fmt_clock(t))
            t += step
        # lanes
        by_kind: dict[str, list] = {k: [] for k in LANE_KINDS}
        for le in tl.lanes:
            if le.kind in by_kind:
                by_kind[le.kind].append(le)
        for i, kind in enumerate(LANE_KINDS):
            y0 = AXIS_H + i * LANE_H
            qp.fillRect(QRectF(LABEL_W, y0 + 1, right - LABEL_W, LANE_H - 2),
                        QColor("#222630" if i % 2 == 0 else "#1f232c"))
            colour = QColor(LANE_COLOURS[kind])
            qp.setPen(colour)
            qp.drawText(QRectF(4, y0, LABEL_W - 8, LANE_H), Qt.AlignLeft | Qt.AlignVCenter,
                        f"{names[kind]} {len(by_kind[kind])}")
            pen = QPen(colour)
            pen.setWidth(2)
            qp.setPen(pen)
            last_x = -1
            for le in by_kind[kind]:
                x = int(self.x_of(le.ts))
                if x == last_x:          # one line per pixel column, however many events
                    continue
                last_x = x
                if kind == "flash" and le.type.endswith("ended"):
                    qp.drawLine(x, y0 + LANE_H // 2, x, y0 + LANE_H - 3)
                else:
                    qp.drawLine(x, y0 + 3, x, y0 + LANE_H - 3)
        qp.end()
        self._cache, self._cache_key = pm, key
        return pm

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        tl = self.timeline
        qp = QPainter(self)
        qp.drawPixmap(0, 0, self._lane_layer())
        if tl.end_ts > tl.start_ts:
            x = self.x_of(tl.position)
            right = self.x_of(tl.end_ts)
            qp.fillRect(QRectF(LABEL_W, AXIS_H - 3, max(0.0, x - LABEL_W), 3), QColor("#ff4d6d"))
            qp.setPen(QPen(QColor("#ffffff"), 1))
            qp.drawLine(QPointF(x, AXIS_H - 4), QPointF(x, self.height()))
            qp.setBrush(QColor("#ff4d6d"))
            qp.setPen(Qt.NoPen)
            qp.drawPolygon(QPolygonF([QPointF(x - 5, 0), QPointF(x + 5, 0), QPointF(x, 7)]))
            if tl.recording:
                qp.setBrush(QColor("#ff4040"))
                qp.drawEllipse(QPointF(right, AXIS_H - 2), 3.5, 3.5)
        qp.end()

    # ---- Mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.LeftButton:
            self._dragging = True
            self.timeline._on_track_seek(self.ts_of(event.position().x()), final=False)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        x, y = event.position().x(), event.position().y()
        if self._dragging:
            self.timeline._on_track_seek(self.ts_of(x), final=False)
            return
        kind = self.lane_at(y)
        if kind is None or x < LABEL_W:
            QToolTip.hideText()
            return
        le = self.timeline.nearest_lane_event(kind, self.ts_of(x), px=4)
        if le is not None:
            tl = self.timeline
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"{fmt_clock(le.ts - tl.start_ts)}  {lane_names()[kind]}: {le.label}",
                              self)
        else:
            QToolTip.hideText()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._dragging and event.button() == Qt.LeftButton:
            self._dragging = False
            self.timeline._on_track_seek(self.ts_of(event.position().x()), final=True)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._cache = None


class Timeline(QWidget):
    """Transport controls over an event-lane track (one per replay window)."""

    # ---- Signals
    sig_seek = Signal(float)
    """Seek to a session time (unix seconds); emitted while dragging too."""
    sig_play = Signal(bool)
    """Play (True) or pause (False)."""
    sig_rate = Signal(float)
    """Playback speed changed (1..60)."""
    sig_step = Signal(str, int)
    """Step to the previous (-1) or next (+1) lane event of a kind ("" = any kind)."""

    time_dependent = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.model = None
        self.state = None
        self.now = time.time
        self.start_ts = 0.0
        self.end_ts = 0.0
        self.position = 0.0
        self.playing = False
        self.recording = False
        self.lanes: list = []
        self.lanes_version = -1
        self._lane_ts: dict[str, list[float]] = {}
        self._shown: tuple | None = None
        self.refreshes = 0
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 4)
        lay.setSpacing(2)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.btn_play = QPushButton("▶")
        self.btn_play.setObjectName("primary")
        self.btn_play.setFixedWidth(44)
        self.btn_play.setToolTip(_tr("Play / pause (Space)"))
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setToolTip(_tr("Playback speed ([ and ] change it)"))
        self.kind = QComboBox()
        self.kind.addItem(_tr("Any event"), "")
        for k, name in lane_names().items():
            self.kind.addItem(name, k)
        self.kind.setCurrentIndex(1)
        self.kind.setToolTip(_tr("Kind of event the step buttons jump to"))
        self.btn_prev = QPushButton("|◀")
        self.btn_prev.setToolTip(_tr("Previous event of this kind (Left)"))
        self.btn_next = QPushButton("▶|")
        self.btn_next.setToolTip(_tr("Next event of this kind (Right)"))
        self.pos_label = QLabel("0:00:00 / 0:00:00")
        self.pos_label.setStyleSheet("font-family: monospace; font-weight: bold;")
        self.wall_label = QLabel()
        self.wall_label.setObjectName("muted")
        self.live_label = QLabel()
        self.live_label.setStyleSheet("color: #ff4040; font-weight: bold;")
        for w in (self.btn_play, self.speed, QLabel(_tr("Step") + ":"), self.kind, self.btn_prev,
                  self.btn_next, self.pos_label, self.wall_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.live_label)
        lay.addLayout(bar)
        self.track = _Track(self)
        lay.addWidget(self.track)
        self.btn_play.clicked.connect(self._on_play_clicked)
        self.speed.activated.connect(self._on_speed_activated)
        self.btn_prev.clicked.connect(lambda: self._on_step(-1))
        self.btn_next.clicked.connect(lambda: self._on_step(+1))
        # ---- Keyboard (window-wide)
        self.shortcuts: list[QShortcut] = []
        for keys, slot in (("Space", self._on_play_clicked),
                           ("Left", lambda: self._on_step(-1)), ("Right", lambda: self._on_step(+1)),
                           ("Shift+Left", lambda: self._on_nudge(-60.0)),
                           ("Shift+Right", lambda: self._on_nudge(+60.0)),
                           ("Home", lambda: self._on_seek_to(self.start_ts)),
                           ("End", lambda: self._on_seek_to(self.end_ts)),
                           ("[", lambda: self._on_speed_step(-1)), ("]", lambda: self._on_speed_step(+1))):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.WindowShortcut)
            sc.activated.connect(slot)
            self.shortcuts.append(sc)

    # ---- Public API
    def set_model(self, model) -> None:
        self.model = model
        self.lanes_version = -1
        self._shown = None
        self.refresh()

    def set_state(self, state) -> None:
        self.state = state

    def step_kind(self) -> str:
        return self.kind.currentData() or ""

    def set_step_kind(self, kind: str) -> None:
        i = self.kind.findData(kind)
        if i >= 0:
            self.kind.setCurrentIndex(i)

    def nearest_lane_event(self, kind: str, ts: float, px: float = 4.0):
        ts_list = self._lane_ts.get(kind) or []
        if not ts_list:
            return None
        i = bisect.bisect_left(ts_list, ts)
        cands = [j for j in (i - 1, i) if 0 <= j < len(ts_list)]
        j = min(cands, key=lambda j: abs(ts_list[j] - ts))
        span = max(1e-9, self.end_ts - self.start_ts)
        tol = px / max(1, self.track.width() - LABEL_W - 8) * span
        if abs(ts_list[j] - ts) > tol:
            return None
        return [le for le in self.lanes if le.kind == kind][j]

    def refresh(self) -> None:
        m = self.model
        if m is None:
            return
        self.refreshes += 1
        if m.lanes_version != self.lanes_version:
            self.lanes = list(m.lanes)
            self.lanes_version = m.lanes_version
            self._lane_ts = {k: [le.ts for le in self.lanes if le.kind == k] for k in LANE_KINDS}
        self.start_ts, self.end_ts = m.start_ts, m.end_ts
        self.position = m.position()
        self.playing = bool(m.playing)
        self.recording = bool(m.recording)
        shown = (round(self.position, 1), self.playing, m.rate, self.start_ts, self.end_ts,
                 self.recording, self.lanes_version, self.track.width())
        if shown == self._shown:
            return
        self._shown = shown
        self.btn_play.setText("❚❚" if self.playing else "▶")
        i = self.speed.findData(float(m.rate))
        if i >= 0 and i != self.speed.currentIndex():
            self.speed.setCurrentIndex(i)
        self.pos_label.setText(f"{fmt_clock(self.position - self.start_ts)} / "
                               f"{fmt_clock(self.end_ts - self.start_ts)}")
        self.wall_label.setText(datetime.fromtimestamp(self.position).strftime("%Y-%m-%d %H:%M:%S")
                                if self.position else "")
        self.live_label.setText("● " + _tr("recording, follows the end") if self.recording else "")
        self.track.update()

    # ---- Slots
    def _on_play_clicked(self) -> None:
        self.sig_play.emit(not self.playing)

    def _on_speed_activated(self, index: int) -> None:
        self.sig_rate.emit(float(self.speed.itemData(index)))

    def _on_speed_step(self, direction: int) -> None:
        i = max(0, min(len(SPEEDS) - 1, self.speed.currentIndex() + direction))
        self.speed.setCurrentIndex(i)
        self.sig_rate.emit(float(SPEEDS[i]))

    def _on_step(self, direction: int) -> None:
        self.sig_step.emit(self.step_kind(), direction)

    def _on_nudge(self, seconds: float) -> None:
        self._on_seek_to(self.position + seconds)

    def _on_seek_to(self, ts: float) -> None:
        ts = max(self.start_ts, min(self.end_ts, ts))
        self.position = ts
        self.sig_seek.emit(ts)
        self.track.update()

    def _on_track_seek(self, ts: float, final: bool) -> None:
        self._on_seek_to(ts)
