"""Alerts panel (never modal) and the small alert-thresholds settings form."""

from __future__ import annotations

import time
from dataclasses import fields
from datetime import datetime

from PySide6.QtCore import QCoreApplication, Signal
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


def alert_text(alert: dict, state=None) -> str:
    """An alert in the interface language, built from its kind and figures (the recorded
    ``message`` is one fixed language and is only the fallback for kinds not known here)."""
    kind = alert.get("kind")
    sku = alert.get("sku")
    prod = state.products.get(sku) if state is not None and sku else None
    title = (prod.title if prod is not None else None) or sku or ""
    value = alert.get("value")
    try:
        if kind == "sold_out":
            return _tr("{title} is sold out").format(title=title)
        if kind == "low_stock":
            return _tr("{title}: low stock, {n} left").format(title=title, n=value)
        if kind == "sellout_eta":
            return _tr("{title} sells out in about {m:.1f} min").format(title=title,
                                                                          m=float(value) / 60)
        if kind == "online_drop":
            base = alert.get("baseline")
            if base:
                return _tr("Online viewers down {drop:.0%}: {now} (about {base:.0f} before)").format(
                    drop=1 - float(value) / float(base), now=value, base=float(base))
            return _tr("Online viewers dropping: {now}").format(now=value)
        if kind in ("ctr_drop", "ctor_drop"):
            what = _tr("Product click rate") if kind == "ctr_drop" else _tr("Click-to-order rate")
            base = alert.get("base")
            tail = (" (" + _tr("session") + f" {float(base):.1%})") if base else ""
            return _tr("{what} dropping: {value:.1%}").format(what=what, value=float(value)) + tail
        if kind == "feed_down":
            return _tr("Feed connection lost ({state})").format(state=_tr(str(value)))
        if kind == "stale":
            return _tr("No data for {s:.0f} s").format(s=float(value))
        if kind == "behind":
            return _tr("Falling behind the feed by about {n} events ({s:.1f} s); catching "
                       "up").format(n=int(alert.get("events") or 0), s=float(value))
    except (TypeError, ValueError, ZeroDivisionError):
        pass
    return str(alert.get("message") or kind or "")


class AlertsPanel(QWidget):
    """Active alerts first, then the recent history; beeps once per new warning."""

    # ---- Signals
    sig_new_alert = Signal(dict)
    """A new warning or critical alert arrived (the newest one); the window may raise the panel."""

    time_dependent = True     # cheap when nothing changed; follows the feed going stale
    #: refreshed behind another dock's tab too: a new alert beeps and brings the panel forward
    refresh_hidden = True

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
        item = QListWidgetItem(f"{mark} {when}  {alert_text(a, self.state)}")
        colour = LEVEL_COLOURS.get(level, "#e6e8ee") if active else "#8a92a6"
        item.setForeground(QBrush(QColor(colour)))
        self.list.addItem(item)


class AlertSettings(QWidget):
    """Edits :class:`console.live.alerts.Thresholds` in place; shares are shown as percentages."""

    # ---- Signals
    sig_changed = Signal()
    """A threshold was edited."""

    LABELS = {"low_stock_fraction": "Low stock below (% of the most stock)",
              "low_stock_units": "Low stock below (units)",
              "sellout_minutes": "Sell-out within (min)",
              "online_drop": "Online viewers drop by (%)",
              "online_window_s": "Online baseline window (s)",
              "online_min": "Ignore rooms below (viewers)",
              "rate_drop": "CTR/CTOR drop by (%)",
              "rate_window_min": "Rate window (min)",
              "rate_min_impressions": "Min impressions",
              "rate_min_clicks": "Min clicks",
              "stale_s": "Data stale after (s)"}
    #: Thresholds stored as fractions (0.10) and edited as percentages (10 %)
    PERCENT = frozenset({"low_stock_fraction", "online_drop", "rate_drop"})

    def __init__(self, thresholds, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thresholds = thresholds
        form = QFormLayout(self)
        form.setContentsMargins(8, 6, 8, 6)
        form.setFieldGrowthPolicy(QFormLayout.ExpandingFieldsGrow)
        self.editors = {}
        for f in fields(thresholds):
            value = getattr(thresholds, f.name)
            if f.name in self.PERCENT:
                ed = QDoubleSpinBox()
                ed.setDecimals(0)
                ed.setRange(0, 100)
                ed.setSingleStep(5)
                ed.setSuffix(" %")
            elif isinstance(value, int):
                ed = QSpinBox()
                ed.setRange(0, 1_000_000)
            else:
                ed = QDoubleSpinBox()
                ed.setDecimals(1)
                ed.setRange(0, 100_000)
                ed.setSingleStep(0.5 if value < 10 else 1)
            ed.setMinimumWidth(90)
            self.editors[f.name] = ed
            self._show(f.name, value)
            ed.valueChanged.connect(lambda v, name=f.name: self._on_changed(name, v))
            form.addRow(_tr(self.LABELS.get(f.name, f.name)), ed)

    # ---- Public API
    def values(self) -> dict:
        """The thresholds as entered (fractions for the percentage fields)."""
        out = {}
        for name, ed in self.editors.items():
            v = ed.value()
            out[name] = round(v / 100.0, 4) if name in self.PERCENT else v
        return out

    def reload(self) -> None:
        """Show the thresholds object's current values (after the Settings dialog changed it)."""
        for name in self.editors:
            self._show(name, getattr(self.thresholds, name))

    # ---- Internals
    def _show(self, name: str, value) -> None:
        ed = self.editors[name]
        blocker = ed.blockSignals(True)
        ed.setValue(value * 100.0 if name in self.PERCENT else value)
        ed.blockSignals(blocker)

    def _on_changed(self, name: str, value) -> None:
        if self.thresholds is None:
            return
        setattr(self.thresholds, name, round(value / 100.0, 4) if name in self.PERCENT else value)
        self.sig_changed.emit()
