"""The live console's comment desk and show automation (the window's part of them).

Sends what the comment panel asks for (pin, reply, send to host), runs the automation engine on
the session clock (a 4 Hz timer; the engine itself is headless, console/live/automation.py), keeps
the automation panel and the status-bar indicator in the window, maps F8 to pause, and reads
the room's returning buyers from the recording store on a worker thread (console.gui.tasks).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence

from console.core import protocol as p
from console.gui import tasks
from console.live.automation import Automation
from console.fold.comments import returning_buyers
from console.core.plan import AutomationPlan, PlanError, automation_from_dict
from widgets.automation_panel import AutomationPanel, action_text, held_back_reason

log = logging.getLogger(__name__)
TICK_MS = 250


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class DeskHost(QObject):
    """Wires the comment panel and the automation engine to the live session."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        state = self.session.state
        plan = self.session.plan
        auto_plan = (plan.automation if plan is not None else None) or AutomationPlan()
        self.engine = Automation(state, self.session, auto_plan, clock=window.now)
        self._config_seen: object = None
        # ---- panel, indicator, keys
        self.panel = AutomationPanel()
        # (the window's layout puts the dock with the alerts and the comments, which stay in front)
        dock = window._dock("automation", _tr("Automation"), self.panel, Qt.RightDockWidgetArea)
        window.clock.add(self.panel)
        self.panel.set_config(auto_plan.to_dict())
        self.indicator = window.automation_indicator
        self.indicator.sig_clicked.connect(lambda: window._show_dock("automation"))
        self.panel.sig_enable.connect(self.engine.enable)
        self.panel.sig_pause.connect(self.toggle_pause)
        self.panel.sig_apply.connect(self.apply_config)
        self.panel.sig_save.connect(self._on_save)
        pause = QAction(_tr("Pause or resume automation"), window)
        pause.setShortcut(QKeySequence("F8"))
        pause.triggered.connect(self.toggle_pause)
        window.addAction(pause)
        focus = QAction(_tr("Reply to comments"), window)
        focus.setShortcut(QKeySequence("Ctrl+Shift+C"))
        focus.triggered.connect(self._on_focus_comments)
        window.addAction(focus)
        for action in (dock.toggleViewAction(), pause, focus):
            window.view_menu.addAction(action)
        # ---- comment intents
        comments = window.comments
        comments.sig_pin.connect(self._on_pin)
        comments.sig_reply.connect(self._on_reply)
        comments.sig_send_to_host.connect(self._on_send_to_host)
        # ---- the engine's clock
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self._returning_for: str | None = None

    # ---- Public API
    def tick(self) -> None:
        st = self.session.state
        cfg = st.automation.config
        if cfg is not None and cfg is not self._config_seen:
            self._config_seen = cfg            # an edit (or a resumed session's last edit)
            problems: list[str] = []
            plan = automation_from_dict(cfg, "automation", problems)
            if not problems:
                self.engine.set_plan(plan)
                self.panel.set_config(plan.to_dict())
        self._load_returning()
        try:
            decisions = self.engine.tick(self.window.now())
        except Exception:  # automation must never take the console down
            log.exception("automation tick failed; automation paused")
            if st.automation.running:
                self.engine.pause(True)
            return
        for d in decisions:                   # what the operator should see at once
            if d.blocked:
                entry = st.automation.blocked[-1] if st.automation.blocked else {"reason": d.blocked}
                self.window.status.showMessage(
                    "× " + _tr("Automation held back") + f": {d.text or d.kind} — "
                    + held_back_reason(entry), 10000)
            elif d.kind in ("timer_warning", "advance_notice", "advance"):
                entry = st.automation.actions[-1] if st.automation.actions else {"kind": d.kind}
                self.window.status.showMessage("⏱ " + action_text(entry), 10000)

    def toggle_pause(self) -> None:
        if not self.session.state.automation.enabled:
            self.window.status.showMessage(_tr("Automation is off; switch it on in the "
                                               "Automation panel"), 5000)
            self.window._show_dock("automation")
            return
        paused = self.engine.pause()
        self.window.status.showMessage(_tr("Automation paused") if paused
                                       else _tr("Automation resumed"), 4000)

    def apply_config(self, config: dict) -> None:
        try:
            plan = self.engine.set_config(config)
        except PlanError as exc:
            self.panel.show_problems(exc.problems)    # the editor keeps the operator's text
            self.panel._show_rules()                  # the toggles show the rules in force
            return
        self.panel.show_problems([])
        self.panel.set_config(plan.to_dict())
        self.window.status.showMessage(_tr("Automation rules applied"), 4000)

    def stop(self) -> None:
        self.timer.stop()

    # ---- Internals
    def _load_returning(self) -> None:
        """Once per session id: buyers who paid in earlier sessions of the room, off the UI
        thread (the store is the recorder's database)."""
        st = self.session.state
        log_ = self.session.log
        sid = (st.session or {}).get("session_id") or (log_.session_id if log_ is not None else None)
        if not sid or sid == self._returning_for:
            return
        self._returning_for = sid
        recorder = self.session.recorder
        db = recorder.database_url if recorder is not None else None
        if db is None:
            return
        url = db.render_as_string(hide_password=False)
        room = (st.session or {}).get("room")

        def read() -> frozenset[str] | None:
            from console.recorder import Store
            try:
                store = Store(url)
            except Exception as exc:  # noqa: BLE001
                log.info("returning buyers not read: %s", exc)
                return None
            try:
                return returning_buyers(store, sid, room)
            finally:
                store.close()

        tasks.run(read, self._on_returning, owner=self)

    # ---- Slots
    def _on_pin(self, comment_id: str) -> None:
        self.session.send_command(p.CMD_COMMENT_PIN, {"comment_id": comment_id})

    def _on_reply(self, text: str, reply_to: str) -> None:
        args = {"text": text}
        if reply_to:
            args["reply_to"] = reply_to
        self.session.send_command(p.CMD_COMMENT_SEND, args)

    def _on_send_to_host(self, text: str, comment: dict) -> None:
        self.session.append_local(p.OPERATOR_CUE, {"text": text, "kind": "comment",
                                                   "comment_id": comment.get("id", ""),
                                                   "question": list(comment.get("q") or [])})

    def _on_returning(self, ids: frozenset[str] | None) -> None:
        if ids:
            self.window.comments.set_returning(ids)

    def _on_focus_comments(self) -> None:
        self.window._show_dock("comments")
        self.window.comments.reply_box.setFocus()

    def _on_save(self) -> None:
        host = getattr(self.window, "prompter_host", None)
        if host is not None:
            host._on_save_plan()
