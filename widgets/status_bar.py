"""Status bar: connection state and attempt, data age, events/s, recording target (the database)."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from console.api import FeedStatusView
from widgets.frame_clock import set_text
from widgets.steady_label import SteadyLabel


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


COLOURS = {"live": "#35c27a", "connecting": "#ffb020", "reconnecting": "#ff8a20",
           "closed": "#ff4040"}


class StatusBar(QStatusBar):
    """Observes ``session.status`` (FeedStatus) and the state counters."""

    time_dependent = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.status = None
        self.now = time.time
        # the rate and the seq change in every frame: steady labels (no relayouts)
        self.conn = SteadyLabel()
        self.age = SteadyLabel()
        self.rate = SteadyLabel()
        self.seq = SteadyLabel()
        self.target = QLabel()
        # empty unless the console falls behind the feed (not hidden: QStatusBar itself hides
        # and shows its normal widgets around a temporary message)
        self.behind = QLabel()
        self.behind.setObjectName("behind")
        self.lag = None
        self.recording: str | None = None
        for w in (self.conn, self.age, self.rate, self.seq, self.behind):
            self.addWidget(w)
        self.addPermanentWidget(self.target)

    def set_state(self, state) -> None:
        self.state = state

    def set_status(self, status: FeedStatusView | None) -> None:
        self.status = status
        target = status.target if status is not None else None
        if target:
            self.conn.setToolTip(_tr("Feed") + f": {target}")

    def set_lag(self, lag) -> None:
        """The session's :class:`console.live.lag.FeedLag` (None: not shown)."""
        self.lag = lag

    def _show_lag(self) -> None:
        lag = self.lag
        if lag is None or not lag.behind:
            set_text(self.behind, "")
            return
        set_text(self.behind, "⚠ " + _tr("falling behind the feed by about {n} events ({s:.1f} s), "
                                          "catching up").format(n=lag.behind_events, s=lag.lag_s),
                 "color: #ff8a20; font-weight: bold;")

    def set_recording(self, target: str | None) -> None:
        """Where the session is recorded (a database path or URL, password masked); None: not
        recording."""
        self.recording = target or None
        self._show_recording()

    def _show_recording(self) -> None:
        if self.recording:
            text = "● " + _tr("recording") + f": {self.recording}"
        else:
            text = _tr("not recording")
        set_text(self.target, text, "color: #ff4d6d;" if self.recording else "color: #8a92a6;")
        self.target.setToolTip(self.recording or "")

    def refresh(self) -> None:
        st, fs = self.state, self.status
        conn = (fs.state if fs is not None else None) or (
            st.feed_status.get("state") if st else None) or "—"
        attempt = (fs.attempt if fs is not None else 0) or 0
        colour = COLOURS.get(conn, "#8a92a6")
        label = {"live": _tr("live"), "connecting": _tr("connecting"),
                 "reconnecting": _tr("reconnecting"), "closed": _tr("closed")}.get(conn, conn)
        text = f"● {label}" + (f" ({_tr('attempt')} {attempt})" if attempt and conn != "live" else "")
        set_text(self.conn, text, f"color: {colour}; font-weight: bold;")
        age = fs.data_age() if fs is not None else None
        set_text(self.age, _tr("data age") + (f" {age:.1f}s" if age is not None else " —"),
                 "color: #ffb020;" if age is not None and age > 5 else "")
        eps = fs.events_per_s if fs is not None else None
        set_text(self.rate, f"{eps:,.0f} " + _tr("events/s") if eps is not None
                 else _tr("events/s") + " —")
        if st is not None:
            set_text(self.seq, _tr("seq") + f" {st.last_seq:,}")
        self._show_lag()
        self._show_recording()
