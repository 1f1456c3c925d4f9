"""FeedBanner: a clear banner with the reason whenever the feed is not live.

Shown across the top of the console while the feed is connecting, reconnecting, closed or
refused, or live but silent for more than ``STALE_AFTER_S`` seconds: what is wrong (the
client's last error), the feed address, the reconnect attempt and how old the figures on
screen are. It also says when the feed restarted as a new session (the earlier one was closed
as interrupted, docs/session-log.md). Hidden while all is well. Observes the session
(``status``, ``switched``) on the frame clock; no I/O.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QWidget

from console.api import FeedStatusView, Session
from widgets.data_age import feed_freshness
from widgets.frame_clock import set_text

#: how long (wall seconds) the "feed restarted as a new session" notice stays up
SWITCH_NOTICE_S = 120.0
STYLES = {"error": "background: #c0262d; color: white; font-weight: bold; padding: 6px 10px;",
          "warn": "background: #ffb020; color: #1b1d23; font-weight: bold; padding: 6px 10px;",
          "info": "background: #2b5d9a; color: white; padding: 6px 10px;"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def banner_message(status: FeedStatusView | None,
                   switched: tuple[str, str] | None = None) -> tuple[str, str]:
    """(level, text) for a FeedStatus (and a session switch); ('', '') when all is well."""
    if status is None:
        return "", ""
    state = status.state
    reason = status.last_error or ""
    target = status.target or ""
    attempt = status.attempt or 0
    stale, age = feed_freshness(status)
    since = (" " + _tr("Figures on screen are {n} s old.").format(n=int(age))) if age is not None \
        else " " + _tr("No data has arrived yet.")
    why = (" " + _tr("Reason: {reason}.").format(reason=reason)) if reason else ""
    if state == "unauthorized":
        return "error", _tr("The feed {target} refused the token.").format(target=target) + why
    if state == "closed":
        return "error", _tr("Not connected: the feed {target} is closed.").format(target=target) \
            + why + since
    if state in ("connecting", "reconnecting"):
        head = (_tr("Not connected to the feed {target}.") if age is None
                else _tr("Connection to the feed {target} lost.")).format(target=target)
        tries = " " + _tr("Reconnecting (attempt {n})…").format(n=attempt) if attempt \
            else " " + _tr("Connecting…")
        return "error", head + why + tries + since
    if stale:
        return "warn", _tr("No data from the feed {target} for {n} s; the figures are not live.") \
            .format(target=target, n=int(age or 0)) + why
    if switched:
        return "info", _tr("The feed restarted as a new session ({new}). The previous session "
                           "({old}) was closed as interrupted and is kept in the library; the "
                           "plan and run-of-show order carried over.").format(new=switched[1],
                                                                             old=switched[0])
    return "", ""


class _Line(QLabel):
    """One line across the whole toolbar: a small size hint, so that a long reason neither
    widens the window nor moves the banner into the toolbar's overflow menu."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(100, super().minimumSizeHint().height())


class FeedBanner(QToolBar):
    """The banner across the top of the live console (not movable, not in the View menu)."""

    time_dependent = True
    refresh_hidden = True     # it shows itself: refreshed while hidden too

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(_tr("Feed status"), parent)
        self.setObjectName("feed_banner")
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)
        self.session = session
        self.state = None
        self.now = None
        self.level = ""
        self.label = _Line()
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.addWidget(self.label)
        self._switch_seen: tuple | None = None
        self._switch_at = 0.0
        self.setVisible(False)

    # ---- frame-clock protocol
    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        switched = self.session.switched
        if switched != self._switch_seen:
            self._switch_seen, self._switch_at = switched, time.monotonic()
        if switched and time.monotonic() - self._switch_at > SWITCH_NOTICE_S:
            switched = None
        level, text = banner_message(self.session.status, switched)
        self.level = level
        set_text(self.label, text, STYLES.get(level, ""))
        if self.label.toolTip() != text:
            self.label.setToolTip(text)         # the whole text when the window is narrow
        if self.isHidden() == bool(level):
            self.setVisible(bool(level))

    @property
    def text(self) -> str:
        return self.label.text() if self.level else ""
