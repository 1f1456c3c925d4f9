"""Automation panel: switch show automation on for this session, pause it, edit its rules,
and see every automatic action and every text it held back (with the reason).

Observes ``state.automation`` (console/fold/automation_log.py: AutomationLog) and emits intents only:
``sig_enable``, ``sig_pause``, ``sig_apply`` (an edited ``automation:`` mapping), ``sig_save``.
"""

from __future__ import annotations

import html
import time
from datetime import datetime

import yaml
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)

from widgets.frame_clock import set_text

ROWS = 12            # actions and blocks listed


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def action_names() -> dict[str, str]:
    """Automatic action kinds as the operator reads them."""
    return {"repop": _tr("Card re-pop"), "timer_warning": _tr("Time is up soon"),
            "advance_notice": _tr("Next card soon"), "advance": _tr("Advanced to"),
            "message": _tr("Message"), "auto_reply": _tr("Auto-reply")}


def held_back_reason(entry: dict) -> str:
    """Why automation held a text back, as the operator reads it (the log keeps the English
    ``reason`` and a ``code``)."""
    code = entry.get("code")
    if code == "law":
        return _tr("advertising law (广告法): {terms}").format(terms="、".join(entry.get("terms") or []))
    if code == "rate_limit":
        return _tr("rate limit: {n} replies a minute").format(n=entry.get("limit", ""))
    if code == "no_message":
        return _tr("no message can be sent now (missing values, or only the last one sent)")
    if code == "too_long":
        return _tr("{n} characters (at most 100)").format(n=entry.get("chars", ""))
    if code == "empty":
        return _tr("empty text")
    return str(entry.get("reason", ""))


def action_text(entry: dict) -> str:
    """One automatic action as the operator reads it."""
    kind = entry.get("kind", "")
    label = action_names().get(kind, kind)
    detail = entry.get("text") or entry.get("sku") or ""
    if kind == "timer_warning" and "left_s" in entry:
        detail = _tr("{title}: {left} s left of {minutes} min").format(
            title=detail, left=entry["left_s"], minutes=f"{entry.get('planned_s', 0) / 60:g}")
    elif kind == "advance_notice":
        detail = _tr("{title} in {n} s").format(title=detail, n=entry.get("in_s", ""))
    if kind == "auto_reply" and entry.get("rule"):
        label += f" [{entry['rule']}]"
    return f"{label}: {detail}" if detail else label


class AutomationPanel(QWidget):
    """On/off and pause, the four rules at a glance, a YAML editor for all of them, activity."""

    # ---- Signals
    sig_enable = Signal(bool)
    """Switch automation on (True) or off for this session."""
    sig_pause = Signal()
    """Pause or resume (the same as the pause key)."""
    sig_apply = Signal(dict)
    """Use this ``automation:`` mapping (validated by the host; problems come back)."""
    sig_save = Signal()
    """Save the plan (with the automation section) to its file."""

    time_dependent = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self._config_seen: object = None
        self._activity_key: tuple = ()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        head = QHBoxLayout()
        self.enable_box = QCheckBox(_tr("Automation on for this session"))
        self.enable_box.clicked.connect(lambda on: self.sig_enable.emit(bool(on)))
        self.pause_button = QPushButton(_tr("Pause (F8)"))
        self.pause_button.clicked.connect(self.sig_pause.emit)
        self.status = QLabel()
        head.addWidget(self.enable_box)
        head.addWidget(self.pause_button)
        head.addStretch(1)
        head.addWidget(self.status)
        lay.addLayout(head)
        grid = QGridLayout()
        self.rule_boxes: dict[str, QCheckBox] = {}
        self.rule_info: dict[str, QLabel] = {}
        for i, (key, label) in enumerate((("repop", _tr("Card re-pop")),
                                          ("run_timer", _tr("Run-of-show timer")),
                                          ("messages", _tr("Scheduled messages")),
                                          ("auto_reply", _tr("Keyword auto-reply")))):
            box = QCheckBox(label)
            box.clicked.connect(lambda on, k=key: self._on_rule_toggled(k, on))
            info = QLabel()
            info.setObjectName("muted")
            grid.addWidget(box, i, 0)
            grid.addWidget(info, i, 1)
            self.rule_boxes[key] = box
            self.rule_info[key] = info
        grid.setColumnStretch(1, 1)
        lay.addLayout(grid)
        tabs = QTabWidget()
        self.activity = QLabel()
        self.activity.setWordWrap(True)
        self.activity.setTextFormat(Qt.RichText)
        self.activity.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        tabs.addTab(self.activity, _tr("Activity"))
        editor_box = QWidget()
        ed = QVBoxLayout(editor_box)
        ed.setContentsMargins(0, 4, 0, 0)
        self.editor = QPlainTextEdit()
        mono = QFont("monospace")
        mono.setStyleHint(QFont.Monospace)
        self.editor.setFont(mono)
        self.editor.setPlaceholderText(_tr("The plan's automation: section (YAML)"))
        ed.addWidget(self.editor, 1)
        buttons = QHBoxLayout()
        self.apply_button = QPushButton(_tr("Apply to session"))
        self.apply_button.clicked.connect(self._on_apply)
        self.revert_button = QPushButton(_tr("Revert"))
        self.revert_button.clicked.connect(lambda: self._load_editor(force=True))
        self.save_button = QPushButton(_tr("Save plan as…"))
        self.save_button.clicked.connect(self.sig_save.emit)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        ed.addLayout(buttons)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #ff4040;")
        self.problems.hide()
        ed.addWidget(self.problems)
        tabs.addTab(editor_box, _tr("Rules and templates"))
        lay.addWidget(tabs, 1)
        self.tabs = tabs
        self.config: dict = {}

    # ---- Public API
    def set_state(self, state) -> None:
        self.state = state
        self._config_seen = None
        self._activity_key = ()

    def set_config(self, config: dict) -> None:
        """The rules in force (the host's engine); shown in the toggles and the editor."""
        self.config = config
        self._show_rules()
        self._load_editor()

    def show_problems(self, problems: list[str]) -> None:
        self.problems.setText("\n".join(f"• {p}" for p in problems))
        self.problems.setVisible(bool(problems))

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        log = st.automation
        label = log.label()
        text = {"on": "● " + _tr("AUTO on"), "paused": "⏸ " + _tr("AUTO paused"),
                "off": "○ " + _tr("AUTO off")}[label]
        colour = {"on": "#35c27a", "paused": "#ffb020", "off": "#8a92a6"}[label]
        set_text(self.status, text, f"color: {colour}; font-weight: bold;")
        if self.enable_box.isChecked() != log.enabled:
            self.enable_box.setChecked(log.enabled)
        self.pause_button.setEnabled(log.enabled)
        set_text(self.pause_button, _tr("Resume (F8)") if log.paused else _tr("Pause (F8)"))
        key = (len(log.actions), log.blocked_count, log.actions[-1]["seq"] if log.actions else 0)
        if key != self._activity_key:
            self._activity_key = key
            self._show_activity(log)

    # ---- Internals
    def _show_rules(self) -> None:
        cfg = self.config or {}
        r, t = cfg.get("repop") or {}, cfg.get("run_timer") or {}
        m, a = cfg.get("messages") or {}, cfg.get("auto_reply") or {}
        infos = {
            "repop": _tr("every {n} s").format(n=f"{r.get('every_s', 30):g}"),
            "run_timer": _tr("warn {n} s before the planned end").format(
                n=f"{t.get('warn_before_s', 30):g}")
            + (" · " + _tr("auto-advance") if t.get("auto_advance") else ""),
            "messages": _tr("{k} texts every {n} ± {j} s").format(
                k=len(m.get("texts") or []), n=f"{m.get('every_s', 180):g}",
                j=f"{m.get('jitter_s', 0):g}"),
            "auto_reply": _tr("{k} rules · at most {n}/min · same text to a buyer once in {t} min")
            .format(k=len(a.get("rules") or []), n=a.get("max_per_minute", 6),
                    t=f"{a.get('same_text_minutes', 10):g}"),
        }
        for key, box in self.rule_boxes.items():
            section = cfg.get(key) or {}
            box.setChecked(bool(section.get("enabled", key == "run_timer")))
            self.rule_info[key].setText(infos[key])

    def _load_editor(self, force: bool = False) -> None:
        if self.editor.document().isModified() and not force:
            return
        self.editor.setPlainText(yaml.safe_dump(self.config or {}, allow_unicode=True,
                                                sort_keys=False, width=100))
        self.editor.document().setModified(False)
        self.show_problems([])

    def _show_activity(self, log) -> None:
        def clock(ts: float) -> str:
            return f'<span style="color:#8a92a6">{datetime.fromtimestamp(ts).strftime("%H:%M:%S")}</span> '

        names = action_names()
        counts = ", ".join(f"{names.get(k, k)} {v}" for k, v in sorted(log.counts.items()))
        head = _tr("Automatic actions") + f": {sum(log.counts.values())}"
        head += f" ({counts})" if counts else ""
        head += " · " + _tr("held back") + f": {log.blocked_count}"
        lines = [f"<b>{html.escape(head)}</b>"]
        for e in list(log.blocked)[-3:][::-1]:       # what was held back stays in sight
            lines.append(clock(e["ts"]) + '<span style="color:#ff4040">× '
                         + html.escape(_tr("Held back")) + ": "
                         + html.escape(e.get("text") or names.get(e.get("kind", ""), ""))
                         + " — " + html.escape(held_back_reason(e)) + "</span>")
        for e in list(log.actions)[-ROWS:][::-1]:
            lines.append(clock(e["ts"]) + html.escape(action_text(e)))
        self.activity.setText("<br>".join(lines))

    # ---- Slots
    def _on_rule_toggled(self, key: str, on: bool) -> None:
        cfg = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (self.config or {}).items()}
        section = dict(cfg.get(key) or {})
        section["enabled"] = bool(on)
        cfg[key] = section
        self.sig_apply.emit(cfg)

    def _on_apply(self) -> None:
        try:
            cfg = yaml.safe_load(self.editor.toPlainText()) or {}
        except yaml.YAMLError as exc:
            self.show_problems([_tr("Not valid YAML") + f": {exc}"])
            return
        if not isinstance(cfg, dict):
            self.show_problems([_tr("The automation section must be a mapping")])
            return
        self.editor.document().setModified(False)
        self.sig_apply.emit(cfg)
