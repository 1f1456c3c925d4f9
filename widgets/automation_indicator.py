"""Automation indicator for the status bar: AUTO on / paused / off, always visible.

Observes ``state.automation``; a click asks for the automation panel (``sig_clicked``).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QLabel, QWidget

from widgets.automation_panel import action_text, held_back_reason
from widgets.frame_clock import set_text


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class AutomationIndicator(QLabel):
    """"● AUTO on" (green), "⏸ AUTO paused" (amber), "○ AUTO off" (grey), with the last
    automatic action or held-back text in the tooltip."""

    # ---- Signals
    sig_clicked = Signal()
    """The operator clicked the indicator (show the automation panel)."""

    time_dependent = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time

    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        log = st.automation
        label = log.label()
        text = {"on": "● " + _tr("AUTO on"), "paused": "⏸ " + _tr("AUTO paused"),
                "off": "○ " + _tr("AUTO off")}[label]
        if label != "off" and log.blocked_count:
            text += f"  × {log.blocked_count}"
        colour = {"on": "#35c27a", "paused": "#ffb020", "off": "#8a92a6"}[label]
        set_text(self, text, f"color: {colour}; font-weight: bold;")
        last = log.actions[-1] if log.actions else None
        blocked = log.blocked[-1] if log.blocked else None
        tip = [_tr("F8 pauses or resumes automation")]
        if last:
            tip.append(_tr("Last action") + f": {action_text(last)}")
        if blocked:
            tip.append(_tr("Last held back") + f": {blocked.get('text', '')} — {held_back_reason(blocked)}")
        self.setToolTip("\n".join(tip))

    def mousePressEvent(self, event) -> None:  # noqa: N802
        self.sig_clicked.emit()
        super().mousePressEvent(event)
