"""Alerts panel (never modal) and the small alert-thresholds settings form."""

from __future__ import annotations

import time
from dataclasses import fields
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QApplication, QDoubleSpinBox, QFormLayout, QLabel, QListWidget,
                               QListWidgetItem, QSpinBox, QVBoxLayout, QWidget)

from widgets.data_age import feed_freshness

LEVEL_COLOURS = {"critical": "#ff4040", "warning": "#ffb020", "info": "#3fa7ff"}


class AlertSound:
    """Plays the alert sound: a ``QSoundEffect`` when Qt Multimedia and an audio device are there,
    else ``QApplication.beep()``. Never raises (no audio device, headless, missing module)."""

    def __init__(self, source: str | None = None) -> None:
        self.effect = None
        self.played = 0
        if not source:
            return
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect
            effect = QSoundEffect()
            effect.setSource(QUrl.fromLocalFile(source))
            effect.setVolume(0.8)
            self.effect = effect
        except Exception:  # noqa: BLE001 - Qt Multimedia is optional
            self.effect = None

    def play(self) -> str:
        """Play once; returns what was used: "effect", "beep" or "none"."""
        self.played += 1
        try:
            effect = self.effect
            if effect is not None and effect.isLoaded():
                effect.play()
                return "effect"
            QApplication.beep()
            return "beep"
        except Exception:  # noqa: BLE001 - sound is a courtesy, the alert list is the record
            return "none"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class AlertsPanel(QWidget):
    """Active alerts first, then the recent history; beeps once per new warning."""

    # ---- Signals
    sig_new_alert = Signal(dict)
    """A new warning or critical alert arrived (the newest one); the window may raise the panel."""

    time_dependent = True     # cheap when nothing changed; follows the feed going stale

    def __init__(self, parent: QWidget | None = None, sound: bool = True,
                 sound_file: str | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self.sound = sound
        self.player = AlertSound(sound_file if sound else None)
        self.refreshes = 0
        #: the live feed's FeedStatus (None in replay): while it is not live, "0 active alerts"
        #: means nothing, and is not shown in green
        self.feed_status = None
        self.beeps = 0
        self._seen_seq = 0
        self._signature: tuple | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold;")
        lay.addWidget(self.header)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        lay.addWidget(self.list, 1)

    def set_state(self, state) -> None:
        self.state = state
        self._signature = None
        self._seen_seq = state.last_seq if state is not None else 0

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        self.refreshes += 1
        stale = feed_freshness(self.feed_status)[0]
        signature = (len(st.alerts), st.alerts[-1].get("seq") if st.alerts else 0,
                     tuple(st.active_alerts), stale)
        if signature == self._signature:
            return                       # nothing new: keep the list as it is
        self._signature = signature
        active = sorted(st.active_alerts.values(), key=lambda a: (a.get("level") != "critical",
                                                                   -a.get("ts", 0)))
        self.header.setText(_tr("Active alerts") + f": {len(active)}"
                            + (" · " + _tr("no live data") if stale else ""))
        self.header.setStyleSheet("font-weight: bold; color: %s;"
                                  % ("#ff4040" if active else "#8a92a6" if stale else "#35c27a"))
        self.list.clear()
        for a in active:
            self._add(a, active=True)
        active_seqs = {a.get("seq") for a in active}
        for a in list(st.alerts)[::-1][:50]:
            if a.get("seq") not in active_seqs:
                self._add(a, active=False)
        new = [a for a in st.alerts if a.get("seq", 0) > self._seen_seq]
        if new:
            self._seen_seq = max(a.get("seq", 0) for a in new)
            loud = [a for a in new if a.get("level") in ("warning", "critical")]
            if loud:
                if self.sound:
                    self.beeps += 1
                    self.player.play()
                self.sig_new_alert.emit(dict(loud[-1]))

    def _add(self, a: dict, active: bool) -> None:
        when = datetime.fromtimestamp(a.get("ts", 0)).strftime("%H:%M:%S")
        level = a.get("level", "info")
        mark = "●" if active else "○"
        item = QListWidgetItem(f"{mark} {when}  {a.get('message', '')}")
        colour = LEVEL_COLOURS.get(level, "#e6e8ee") if active else "#8a92a6"
        item.setForeground(QBrush(QColor(colour)))
        self.list.addItem(item)


class AlertSettings(QWidget):
    """Edits :class:`console.alerts.Thresholds` in place; emits sig_changed."""

    # ---- Signals
    sig_changed = Signal()
    """A threshold was edited."""

    LABELS = {"low_stock_fraction": "Low stock below (share of max)",
              "low_stock_units": "Low stock below (units)",
              "sellout_minutes": "Sell-out within (min)",
              "online_drop": "Online drop (share)",
              "online_window_s": "Online baseline window (s)",
              "online_min": "Ignore rooms below (viewers)",
              "rate_drop": "CTR/CTOR drop (share)",
              "rate_window_min": "Rate window (min)",
              "rate_min_impressions": "Min impressions",
              "rate_min_clicks": "Min clicks",
              "stale_s": "Data stale after (s)"}

    def __init__(self, thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thresholds = thresholds
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        self.editors = {}
        for f in fields(thresholds):
            value = getattr(thresholds, f.name)
            if isinstance(value, int):
                ed = QSpinBox()
                ed.setRange(0, 1_000_000)
                ed.setValue(value)
            else:
                ed = QDoubleSpinBox()
                ed.setDecimals(2)
                ed.setRange(0, 100_000)
                ed.setSingleStep(0.05 if value < 1 else 1)
                ed.setValue(value)
            ed.valueChanged.connect(lambda v, name=f.name: self._on_changed(name, v))
            form.addRow(_tr(self.LABELS.get(f.name, f.name)), ed)
            self.editors[f.name] = ed

    def _on_changed(self, name: str, value) -> None:
        setattr(self.thresholds, name, value)
        self.sig_changed.emit()
