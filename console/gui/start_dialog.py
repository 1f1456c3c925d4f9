"""Session start: choose the feed (built-in simulator, the Douyin consoles in the operator's
browser, or a ws:// URL with token) and the show plan.

Shown by ``livedesk console`` when neither ``--simulate`` nor ``--url`` is given, before anything
is live (so a modal dialog is fine here). The plan is validated as soon as it is chosen, with
every problem listed in the dialog (``console.core.plan.load_plan`` raises ``PlanError.problems``);
Start stays disabled until the choice is usable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from console.core.plan import PlanError, ShowPlan, load_plan


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


@dataclass
class StartChoice:
    """What the operator chose: the feed and the validated plan."""

    simulate: bool
    url: str | None
    token: str | None
    plan_path: str | None
    plan: ShowPlan | None
    douyin: bool = False
    autopilot: bool = True


def feed_url_problem(url: str) -> str | None:
    """Why a feed URL cannot be used, or None."""
    url = url.strip()
    if not url:
        return _tr("Enter the feed URL (ws://host:port or wss://…)")
    if not (url.startswith("ws://") or url.startswith("wss://")):
        return _tr("The feed URL must start with ws:// or wss://")
    if len(url.split("://", 1)[1].split("/", 1)[0]) == 0:
        return _tr("The feed URL has no host")
    return None


class StartDialog(QDialog):
    """Feed and plan chooser with validation in place."""

    # ---- Signals
    sig_validated = Signal(bool)
    """The choice was re-checked: True when Start is possible."""

    def __init__(self, plan_path: str | None = None, url: str | None = None,
                 token: str | None = None, simulate: bool = True, douyin: bool = False,
                 autopilot: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_dialog")
        self.setWindowTitle("Livedesk — " + _tr("Start a live session"))
        self.setMinimumWidth(620)
        self.plan: ShowPlan | None = None
        self.plan_problems: list[str] = []
        self._browse: QFileDialog | None = None
        lay = QVBoxLayout(self)

        feed_box = QGroupBox(_tr("Feed"))
        feed = QVBoxLayout(feed_box)
        self.radio_sim = QRadioButton(_tr("Built-in simulator (rehearsal, no real viewers)"))
        self.radio_douyin = QRadioButton(_tr("抖音 Douyin: log in with the shop account"))
        self.radio_url = QRadioButton(_tr("Live feed URL"))
        group = QButtonGroup(self)
        group.addButton(self.radio_sim)
        group.addButton(self.radio_douyin)
        group.addButton(self.radio_url)
        feed.addWidget(self.radio_sim)
        self.autopilot = QCheckBox(_tr("Simulator autopilot: pushes cards and starts flash sales "
                                       "by itself (steps aside after your own push)"))
        self.autopilot.setChecked(autopilot)
        self.autopilot.setContentsMargins(24, 0, 0, 0)
        auto_row = QHBoxLayout()
        auto_row.setContentsMargins(24, 0, 0, 0)
        auto_row.addWidget(self.autopilot)
        feed.addLayout(auto_row)
        feed.addWidget(self.radio_douyin)
        self.douyin_hint = QLabel(_tr(
            "A browser window opens the Douyin live console and data screen. Scan the QR code "
            "with the shop account once; the login stays in a private browser profile on this "
            "computer. Livedesk never sees the password."))
        self.douyin_hint.setObjectName("muted")
        self.douyin_hint.setWordWrap(True)
        self.douyin_hint.setContentsMargins(24, 0, 0, 4)
        feed.addWidget(self.douyin_hint)
        feed.addWidget(self.radio_url)
        form = QFormLayout()
        form.setContentsMargins(24, 0, 0, 0)
        self.url = QLineEdit(url or "")
        self.url.setPlaceholderText("ws://127.0.0.1:8765")
        self.token = QLineEdit(token or "")
        self.token.setEchoMode(QLineEdit.Password)
        self.token.setPlaceholderText(_tr("optional"))
        form.addRow(_tr("URL"), self.url)
        form.addRow(_tr("Token"), self.token)
        feed.addLayout(form)
        self.url_problem = QLabel()
        self.url_problem.setObjectName("weak")
        self.url_problem.setContentsMargins(24, 0, 0, 0)
        feed.addWidget(self.url_problem)
        lay.addWidget(feed_box)

        plan_box = QGroupBox(_tr("Show plan (run of show)"))
        plan_lay = QVBoxLayout(plan_box)
        row = QHBoxLayout()
        self.plan_path = QLineEdit(plan_path or "")
        self.plan_path.setPlaceholderText(_tr("plan file (.yaml, .yml or .json)"))
        self.btn_browse = QPushButton(_tr("Browse…"))
        self.btn_edit_plan = QPushButton(_tr("Edit plan…"))
        self.btn_edit_plan.setToolTip(_tr("Open the plan editor: write the plan, or import it from "
                                          "an Excel sheet"))
        row.addWidget(self.plan_path, 1)
        row.addWidget(self.btn_browse)
        row.addWidget(self.btn_edit_plan)
        plan_lay.addLayout(row)
        self.plan_summary = QLabel()
        self.plan_summary.setObjectName("muted")
        self.plan_summary.setWordWrap(True)
        plan_lay.addWidget(self.plan_summary)
        self.problems = QListWidget()
        self.problems.setObjectName("plan_problems")
        self.problems.setWordWrap(True)
        self.problems.setMinimumHeight(90)
        plan_lay.addWidget(self.problems, 1)
        lay.addWidget(plan_box, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.btn_start = self.buttons.button(QDialogButtonBox.Ok)
        self.btn_start.setText(_tr("Start session"))
        self.btn_start.setObjectName("primary")
        self.buttons.button(QDialogButtonBox.Cancel).setText(_tr("Quit"))
        self.buttons.accepted.connect(self._on_start)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

        if douyin:
            self.radio_douyin.setChecked(True)
        else:
            (self.radio_sim if simulate or not url else self.radio_url).setChecked(True)
        self.radio_sim.toggled.connect(self._on_changed)
        self.radio_douyin.toggled.connect(self._on_changed)
        self.url.textChanged.connect(self._on_changed)
        self.plan_path.editingFinished.connect(self._on_plan_changed)
        self.btn_browse.clicked.connect(self._on_browse)
        self.btn_edit_plan.clicked.connect(self._on_edit_plan)
        self.plan_editor = None
        self._on_plan_changed()

    # ---- Public API
    def choice(self) -> StartChoice:
        simulate = self.radio_sim.isChecked()
        douyin = self.radio_douyin.isChecked()
        use_url = self.radio_url.isChecked()
        path = self.plan_path.text().strip() or None
        return StartChoice(simulate=simulate,
                           url=self.url.text().strip() if use_url else None,
                           token=(self.token.text().strip() or None) if use_url else None,
                           plan_path=path, plan=self.plan, douyin=douyin,
                           autopilot=simulate and self.autopilot.isChecked())

    def validate_plan(self) -> bool:
        """Load and validate the plan file now; list its problems. True if usable."""
        path = self.plan_path.text().strip()
        self.plan, self.plan_problems = None, []
        self.problems.clear()
        if not path:
            if self.radio_sim.isChecked():
                self.plan_problems = [_tr("The simulator needs a show plan: choose a plan file")]
            self.plan_summary.setText(_tr("No plan: the run of show comes from the feed only")
                                      if not self.radio_sim.isChecked() else "")
        else:
            try:
                self.plan = load_plan(path)
            except PlanError as exc:
                self.plan_problems = list(exc.problems) or [str(exc)]
        for problem in self.plan_problems:
            item = QListWidgetItem("✗ " + problem)
            item.setForeground(Qt.red)
            self.problems.addItem(item)
        if self.plan is not None:
            n = len(self.plan.products)
            minutes = sum(p.planned_minutes for p in self.plan.products)
            self.plan_summary.setText(
                f"✓ {self.plan.title or self.plan.room} — {n} " + _tr("products") +
                f", {minutes:g} " + _tr("planned minutes"))
            self.problems.addItem(QListWidgetItem(_tr("The plan is valid.")))
        elif self.plan_problems and path:
            self.plan_summary.setText(_tr("The plan cannot be used") + f": {Path(path).name}")
        return not self.plan_problems

    def is_ready(self) -> bool:
        if self.plan_problems:
            return False
        if self.radio_url.isChecked() and feed_url_problem(self.url.text()) is not None:
            return False
        return True

    # ---- Slots
    def _on_changed(self, *args) -> None:
        url_mode = self.radio_url.isChecked()
        self.douyin_hint.setEnabled(self.radio_douyin.isChecked())
        self.url.setEnabled(url_mode)
        self.token.setEnabled(url_mode)
        self.autopilot.setEnabled(self.radio_sim.isChecked())
        problem = feed_url_problem(self.url.text()) if url_mode else None
        self.url_problem.setText(problem or "")
        self.url_problem.setVisible(bool(problem))
        if args and isinstance(args[0], bool):        # feed kind toggled: plan rule differs
            self.validate_plan()
        ready = self.is_ready()
        self.btn_start.setEnabled(ready)
        self.sig_validated.emit(ready)

    def _on_plan_changed(self) -> None:
        self.validate_plan()
        self._on_changed()

    def _on_browse(self) -> None:
        start = self.plan_path.text().strip() or str(Path.cwd())
        path, _ = QFileDialog.getOpenFileName(self, _tr("Choose a show plan"), start,
                                              _tr("Show plans") + " (*.yaml *.yml *.json)")
        if path:
            self.plan_path.setText(path)
            self._on_plan_changed()

    def _on_edit_plan(self) -> None:
        """The plan editor, on the chosen plan (or a new one); saving it chooses that file."""
        from console.gui.plan_host import open_plan_editor
        path = self.plan_path.text().strip() or None
        path = path if path and Path(path).is_file() else None
        if self.plan_editor is not None:        # one editor, shown again
            if path and not self.plan_editor.dirty and path != self.plan_editor.path:
                self.plan_editor.open_path(path)
            self.plan_editor.show()
            self.plan_editor.raise_()
            return
        self.plan_editor = open_plan_editor(self, path)
        self.plan_editor.sig_saved.connect(self._on_plan_saved)

    def _on_plan_saved(self, path: str) -> None:
        self.plan_path.setText(path)
        self._on_plan_changed()

    def _on_start(self) -> None:
        self.validate_plan()
        self._on_changed()
        if self.is_ready():
            self.accept()


def ask_start(args: Any, parent: QWidget | None = None) -> StartChoice | None:
    """Show the dialog (modal: nothing is live yet); None if the operator quit."""
    dialog = StartDialog(plan_path=getattr(args, "plan", None), url=getattr(args, "url", None),
                         token=getattr(args, "token", None),
                         simulate=not getattr(args, "url", None),
                         douyin=bool(getattr(args, "douyin", False)),
                         autopilot=getattr(args, "autopilot", True) is not False, parent=parent)
    if dialog.exec() != QDialog.Accepted:
        return None
    return dialog.choice()


async def ask_start_async(args: Any, parent: QWidget | None = None) -> StartChoice | None:
    """The same dialog while the event loop runs (File → New session): opened with ``open()``
    and awaited, so no nested event loop is started."""
    import asyncio
    dialog = StartDialog(plan_path=getattr(args, "plan", None), url=getattr(args, "url", None),
                         token=getattr(args, "token", None),
                         simulate=not getattr(args, "url", None),
                         autopilot=getattr(args, "autopilot", True) is not False, parent=parent)
    done: asyncio.Future = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda result: done.done() or done.set_result(result))
    dialog.open()
    result = await done
    choice = dialog.choice() if result == QDialog.Accepted else None
    dialog.deleteLater()
    return choice


__all__ = ["StartDialog", "StartChoice", "ask_start", "ask_start_async", "feed_url_problem"]
