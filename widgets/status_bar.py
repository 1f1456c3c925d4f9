"""Status bar: connection state and attempt, data age, events/s, recording target."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


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
        self.conn = QLabel()
        self.age = QLabel()
        self.rate = QLabel()
        self.seq = QLabel()
        self.target = QLabel()
        for w in (self.conn, self.age, self.rate, self.seq):
            self.addWidget(w)
        self.addPermanentWidget(self.target)

    def set_state(self, state) -> None:
        self.state = state

    def set_status(self, status) -> None:
        self.status = status

    def refresh(self) -> None:
        st, fs = self.state, self.status
        conn = getattr(fs, "state", None) or (st.feed_status.get("state") if st else None) or "—"
        attempt = getattr(fs, "attempt", 0) or 0
        colour = COLOURS.get(conn, "#8a92a6")
        label = {"live": _tr("live"), "connecting": _tr("connecting"),
                 "reconnecting": _tr("reconnecting"), "closed": _tr("closed")}.get(conn, conn)
        text = f"● {label}" + (f" ({_tr('attempt')} {attempt})" if attempt and conn != "live" else "")
        self.conn.setText(text)
        self.conn.setStyleSheet(f"color: {colour}; font-weight: bold;")
        age = None
        if fs is not None and hasattr(fs, "data_age"):
            try:
                age = fs.data_age()
            except Exception:  # noqa: BLE001 - status is advisory
                age = None
        self.age.setText(_tr("data age") + (f" {age:.1f}s" if age is not None else " —"))
        self.age.setStyleSheet("color: #ffb020;" if age is not None and age > 5 else "")
        eps = getattr(fs, "events_per_s", None)
        self.rate.setText(f"{eps:,.0f} " + _tr("events/s") if eps is not None else _tr("events/s") + " —")
        if st is not None:
            self.seq.setText(_tr("seq") + f" {st.last_seq:,}")
        target = getattr(fs, "target", None) or _tr("not recording")
        self.target.setText("⏺ " + _tr("recording") + f": {target}" if getattr(fs, "target", None)
                            else target)
